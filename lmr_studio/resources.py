"""Files shipped inside the package: the trained weights and the bundled sample clip.

The repository keeps them in the top-level ``weights/`` and ``assets/`` folders; the package sees
them as ``lmr_studio/_data/weights`` and ``lmr_studio/_data/assets`` (two symbolic links in a
checkout, real copies in a wheel: pyproject's package-data), so one importlib.resources lookup
finds them in a checkout, an editable install and an installed wheel.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def packaged(*parts: str) -> Path:
    """The path of a shipped file or folder, e.g. ``packaged("weights", "lmr.pt")``.

    LMR Studio installs as plain files (never zipped), so the resource is a ``pathlib.Path`` that
    torch, OpenCV and numpy can open by name.
    """
    return Path(files("lmr_studio").joinpath("_data", *parts))


#: The trained weights (``<kind>.pt`` and the model card).
WEIGHTS_DIR = packaged("weights")
#: The bundled sample clip and its ground-truth motion.
SAMPLE_VIDEO = packaged("assets", "sample", "sample.mp4")
SAMPLE_TRUTH = packaged("assets", "sample", "sample_truth.npz")
