"""Atomic output: one file (temporary file beside the target, then one rename) or a set of files (a temporary
folder beside the target folder, then swapped in), so a failed or killed run never leaves a partial file, a mix
of two runs' files, or a good result replaced by a broken one. Files honour the process umask.

Which folders are swapped as a whole (docs/security.md): a folder this package owns, i.e. one that does not exist
yet or holds nothing but regular files named in ``owned_names``. Any other folder (one of the user's, with other
files in it, or the current working directory) is never moved or emptied: each file of the set is written into it
on its own, atomically, and nothing else there is touched.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
import time
from pathlib import Path

# Temporaries of a set write start with this prefix, beside the target folder; those older than this process
# are left over from a killed run and are removed by the next set write into the same parent folder.
TEMPORARY_PREFIX = ".orbital-tmp-"
_PROCESS_STARTED = time.time()


def current_umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux), else set and restored."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _honour_umask(path: Path, full_mode: int):
    # mkstemp and mkdtemp create 0600 and 0700; a result file is shared as any file the user creates would be.
    os.chmod(path, full_mode & ~current_umask())


def write_atomic(path, write) -> Path:
    """Call ``write(temporary_path)`` and move the result onto ``path`` in one rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        _honour_umask(Path(temporary), 0o666)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def is_owned_folder(folder, owned_names) -> bool:
    """True when ``folder`` may be swapped as a whole: it does not exist, or holds only regular files named in
    ``owned_names``; never the current working directory or a folder above it; its parent must be writable."""
    folder = Path(folder).absolute()
    cwd = Path.cwd().absolute()
    if folder == cwd or folder in cwd.parents:
        return False
    parent = folder.parent
    if parent.exists() and not os.access(parent, os.W_OK | os.X_OK):
        return False
    if not folder.exists():
        return True
    if folder.is_symlink() or not folder.is_dir():
        return False
    owned = set(owned_names)
    return all(entry.name in owned and entry.is_file(follow_symlinks=False) for entry in os.scandir(folder))


def remove_stale_temporaries(parent, target_name: str, older_than: float | None = None):
    """Remove the set-write temporaries of ``target_name`` in ``parent`` left by runs killed before
    ``older_than`` (a time stamp; default: when this process started)."""
    cutoff = _PROCESS_STARTED if older_than is None else older_than
    parent = Path(parent)
    if not parent.is_dir():
        return
    for entry in parent.glob(f"{TEMPORARY_PREFIX}{glob.escape(target_name)}-*"):
        try:
            if entry.lstat().st_mtime < cutoff:
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
        except OSError:
            pass  # another run's (or already gone): never fail a write over a leftover


def write_set(folder, writers: dict, owned_names) -> list:
    """Write ``{file name: write(temporary_path)}`` into ``folder`` as a set.

    An owned folder (``is_owned_folder``) is rebuilt beside itself (the new files, plus hard links to the other
    owned files already there, e.g. another command's results) and swapped in: the old folder is renamed aside,
    the new one renamed in, the old one deleted; a reader sees the old set or the new one. Another folder gets
    each file written atomically on its own. Returns the paths written."""
    folder = Path(folder)
    if not is_owned_folder(folder, owned_names):
        return [write_atomic(folder / name, write) for name, write in writers.items()]
    parent = folder.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(parent, folder.name)
    staging = Path(tempfile.mkdtemp(prefix=f"{TEMPORARY_PREFIX}{folder.name}-", dir=parent))
    aside = None
    try:
        for name, write in writers.items():
            write(staging / name)
            _honour_umask(staging / name, 0o666)
        if folder.exists():
            for entry in os.scandir(folder):
                if entry.name not in writers:
                    try:
                        os.link(entry.path, staging / entry.name)
                    except OSError:  # a file system without hard links
                        shutil.copy2(entry.path, staging / entry.name)
            os.chmod(staging, folder.stat().st_mode & 0o7777)
            aside = Path(tempfile.mkdtemp(prefix=f"{TEMPORARY_PREFIX}{folder.name}-old-", dir=parent))
            os.replace(folder, aside)
        else:
            _honour_umask(staging, 0o777)
        os.replace(staging, folder)
    except BaseException:
        if aside is not None and not folder.exists():
            os.replace(aside, folder)  # put the old set back
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)
    return [folder / name for name in writers]
