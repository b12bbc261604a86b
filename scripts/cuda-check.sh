#!/usr/bin/env bash
# The CUDA checks, for a machine with an NVIDIA GPU (CI has none; there they are skipped):
#   1. the tests marked `cuda` (tests/test_cuda.py), without conftest.py, so that neither a display
#      nor the window's packages are needed; the measured CPU-GPU gaps go to the JUnit report;
#   2. the networks' and a training step's speed on the CPU and on the GPU, in one run.
# Usage: scripts/cuda-check.sh [OUT_DIR]   (writes cuda-tests.xml and bench-cuda.json there)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.}
python="${PYTHON:-python3}"
"$python" -c 'import torch; assert torch.cuda.is_available(), "torch sees no CUDA GPU"; print(torch.__version__, torch.cuda.get_device_name())'
PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 "$python" -m pytest -p no:cacheprovider --noconftest -m cuda tests/test_cuda.py -rA -o junit_family=xunit1 --junitxml "$out/cuda-tests.xml"
"$python" -m lmr_studio.cli bench --only model --only training --json | tee "$out/bench-cuda.json"
