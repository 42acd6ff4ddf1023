#!/usr/bin/env bash
# The device check of a session that is lent a GPU, as one prepared command (docs/performance.md, "When a GPU is
# lent"): run benchmarks/gpu_wheels.sh here first, then on the GPU machine, from the repository root, with .whl
# carried along:  bash benchmarks/gpu_check.sh
# In order of importance, each step under its own time limit so that a slow one cannot use up the lease: W2 (10^6
# satellites x 365 days at 60 s, the full budget with its sizing pass, compile included), budget block sizes
# measured on 10^6 satellites x 1 day, the default scenario's 2035 fleet twin (every satellite), then the budget and
# scale tests on the GPU backend. About 9 minutes at most: run it with timeout_s=600. Everything printed is also
# written to $OUT (the device tool brings it back).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/gpu-check}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg ORBITAL_COMPILE_CACHE=off ORBITAL_TABLE_CACHE=off
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    || { echo "installing the carried wheels failed: run benchmarks/gpu_wheels.sh here and carry .whl"; exit 1; }
export PYTHONPATH="/tmp/site:$PWD"
step() {  # step NAME LIMIT_S COMMAND...: run, print and keep the output, note a failure or a timeout, go on
    local name=$1 limit=$2
    shift 2
    echo "=== $name (limit ${limit} s): $*" | tee -a "$OUT/summary.txt"
    local start=$SECONDS
    timeout "$limit" "$@" > "$OUT/$name.txt" 2>&1
    local rc=$?
    tail -n 12 "$OUT/$name.txt"
    echo "--- $name: exit $rc after $((SECONDS - start)) s" | tee -a "$OUT/summary.txt"
}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
python3 -c "import jax; print(jax.__version__, jax.devices())" | tee -a "$OUT/gpu.txt"
step w2 200 python3 benchmarks/budget.py --sats 1000000 --days 365 --repeats 0 --workloads budget
for block in 262144 524288 1048576; do
    step "blocks-$block" 45 python3 benchmarks/budget.py --sats 1000000 --repeats 1 --block-sats "$block"
done
step twin-2035 90 python3 benchmarks/twin.py --year 2035 --sample 0 --days 7 --dtype float32
step tests 90 python3 -m pytest -q -x -n 4 -p no:cacheprovider tests/test_orbital_budget.py tests/test_orbital_scale.py
cat "$OUT/summary.txt"
