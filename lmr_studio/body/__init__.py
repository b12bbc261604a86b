"""Body models: one interface (:class:`BodyModel`), two backends.

* ``"anny"`` (default): Anny 0.6.2, embedded in its wheel (CC0/Apache-2.0), works offline.
* ``"smpl"``: the user's own licensed SMPL file (.pkl or .npz), read without chumpy and posed by
  smplx (the ``lmr-studio[smpl]`` extra).

Both take SMPL-layout poses (24 joints, axis-angle) and 10 betas and return vertices and the 24
SMPL joints in the body/camera frame of ``lmr_studio.geometry.camera``.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from lmr_studio.body.anny_cache import anny_model_ready, ensure_anny_model
from lmr_studio.body.base import BodyModel, BodyOutput
from lmr_studio.body.bench import benchmark_body_forward
from lmr_studio.errors import LMRStudioError

BODY_MODELS = ("anny", "smpl")

__all__ = ["BODY_MODELS", "BodyModel", "BodyOutput", "anny_model_ready", "benchmark_body_forward",
           "ensure_anny_model", "load_body_model"]


def load_body_model(
    name: str = "anny",
    smpl_path: str | os.PathLike | None = None,
    device: str | None = "cpu",
    progress: Callable[[int, int, str], None] | None = None,
) -> BodyModel:
    """Load a body model, in eval mode on ``device``.

    ``smpl_path`` (or ``$LMR_STUDIO_SMPL``) is the SMPL file for ``name="smpl"``. ``progress``
    (done, total, message) reports Anny's one-time build; call this off the GUI thread when
    :func:`anny_model_ready` is False. Raises MissingBodyModelError when SMPL is unavailable.
    """
    if name == "anny":
        from lmr_studio.body.anny_backend import load_anny_body

        model = load_anny_body(progress)
    elif name == "smpl":
        from lmr_studio.body.smpl_backend import load_smpl_body

        model = load_smpl_body(smpl_path)
    else:
        raise LMRStudioError(f"Unknown body model {name!r}.", f"Choose one of: {', '.join(BODY_MODELS)}.")
    return model.to(device or "cpu").eval()
