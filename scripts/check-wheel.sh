#!/usr/bin/env bash
# The package as users get it: build the wheel, install it WITHOUT -e into a fresh virtual
# environment, then, from a folder outside the checkout, print the version and process the
# sample clip that ships inside the wheel with the weights that ship inside it. `make test` runs
# this after the test suite. Pip's cache is shared with the set-up, so nothing downloads twice;
# --no-compile skips writing .pyc files for the 2.2 GB of dependencies (Python compiles on import).
#   usage: scripts/check-wheel.sh [PYTHON]   (default: .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$PWD
python=${1:-.venv/bin/python}
work=$(mktemp -d "${TMPDIR:-/tmp}/lmr-wheel-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$SECONDS

"$python" -m pip wheel -q --no-deps -w "$work/dist" .
built=$(( SECONDS - start ))
"$python" -m venv "$work/venv"
venv=$work/venv/bin
"$venv/python" -m pip install -q --disable-pip-version-check --no-compile torch==2.13.0
"$venv/python" -m pip install -q --disable-pip-version-check --no-compile "$work"/dist/lmr_studio-*.whl
installed=$(( SECONDS - start - built ))

cd "$work"
"$venv/lmr-studio" --version
"$venv/python" - "$checkout" <<'PY'
import sys
from pathlib import Path

import lmr_studio
from lmr_studio.model import load_model
from lmr_studio.resources import SAMPLE_VIDEO

checkout = Path(sys.argv[1]).resolve()
package = Path(lmr_studio.__file__).resolve()
assert checkout not in package.parents, f"lmr_studio was imported from the checkout ({package})"
for kind in ("lmr", "single_rnn", "per_frame"):
    load_model(kind, device="cpu")
print(f"weights load from {package.parent}; sample at {SAMPLE_VIDEO}")
PY
sample=$("$venv/python" -c "from lmr_studio.resources import SAMPLE_VIDEO; print(SAMPLE_VIDEO)")
cp "$sample" clip.mp4
"$venv/lmr-studio" process clip.mp4 -o clip.lmr.npz --device cpu --no-cache
"$venv/python" - <<'PY'
from lmr_studio.result import MotionResult

result = MotionResult.load("clip.lmr.npz")
frames = len(result.main)
assert result.num_frames > 100 and frames > 0.9 * result.num_frames, (result.num_frames, frames)
print(f"processed {result.num_frames} frames, main track {frames} frames")
PY
echo "wheel check passed in $(( SECONDS - start )) s (build $built s, install $installed s)"
