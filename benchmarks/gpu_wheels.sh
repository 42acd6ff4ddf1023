#!/usr/bin/env bash
# Run HERE (not on the GPU machine), from the repository root, in the project's environment: downloads into .whl the
# wheels of the run-time dependencies that the lent GPU machine's image lacks (it has JAX with CUDA, equinox,
# optimistix, pandas, matplotlib, typer, rich, scipy, pytest, hypothesis), at the versions installed here, built for
# its Python 3.12 on x86-64. benchmarks/gpu_check.sh installs them there. They stay out of git (.whl is ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .whl
packages="astropy pyerfa astropy-iers-data skyfield skyfield-data jplephem sgp4 pydantic pydantic_core annotated-types
typing-inspection pymsis"
for name in $packages; do
    version=$(python -c "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))" "$name")
    python -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
        --platform manylinux2014_x86_64 --platform manylinux1_x86_64 -d .whl "$name==$version"
done
du -sh .whl
