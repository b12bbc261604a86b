"""Read a user's SMPL model file (.pkl or .npz) safely, and keep a plain .npz copy of it.

Official SMPL pickles hold chumpy objects and scipy.sparse matrices. We never import chumpy
and never let a pickle run code: :class:`RestrictedUnpickler` admits only numpy's array
reconstruction and stand-ins for chumpy arrays and scipy.sparse matrices (their pickled state is
kept as plain data). The checked arrays are stored once, as float32/int64, in
``<data dir>/smpl/<sha256 of the file>.npz`` and read from there afterwards.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import scipy.sparse

from lmr_studio.body.paths import data_dir
from lmr_studio.errors import MissingBodyModelError
from lmr_studio.io.atomic import atomic_path
from lmr_studio.parts import NUM_JOINTS, PARENTS

SMPL_ENV_VAR = "LMR_STUDIO_SMPL"
SMPL_HINT = (
    "Download SMPL (free for research, registration needed) from https://smpl.is.tue.mpg.de, "
    "then point LMR Studio at the .pkl or .npz file (e.g. basicmodel_neutral_lbs_10_207_0_v1.1.0.pkl "
    f"or SMPL_NEUTRAL.pkl): `--smpl PATH` on the command line, the {SMPL_ENV_VAR} environment "
    "variable, or Preferences > Body model in the app."
)
#: Arrays kept from an SMPL file, in the .npz copy.
SMPL_KEYS = ("v_template", "f", "shapedirs", "posedirs", "J_regressor", "weights", "kintree_table")
NUM_BETAS = 10
_NUMPY_CLASSES = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"), ("numpy", "dtype"),
}
#: Plain-data builtins a pickle may name (chumpy state holds sets, for instance).
_SAFE_BUILTINS = {cls.__name__: cls for cls in (object, set, frozenset, list, dict, tuple, slice, complex,
                                                 bytes, bytearray, int, float, bool, str)}
_SPARSE_FORMATS = {"csc_matrix": "csc", "csr_matrix": "csr", "coo_matrix": "coo",
                   "csc_array": "csc", "csr_array": "csr", "coo_array": "coo"}


class _PickledObject:
    """Stand-in for a whitelisted foreign class: keeps the pickled state as plain data."""

    def __setstate__(self, state) -> None:
        self.state = state


class _ChumpyArray(_PickledObject):
    """A chumpy ``Ch`` object: its value is ``state['x']`` (or ``'a'`` for some subclasses)."""


class _SparseMatrix(_PickledObject):
    """A pickled scipy.sparse matrix; ``FORMAT`` is set per subclass."""

    FORMAT = "csc"


def _reconstructor(cls, base, state):
    """copyreg._reconstructor limited to our stand-in classes."""
    if not (isinstance(cls, type) and issubclass(cls, _PickledObject)):
        raise pickle.UnpicklingError(f"refusing to build {cls!r}")
    return cls.__new__(cls)


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that can only build numpy arrays and inert stand-ins; anything else
    (os.system, eval, arbitrary classes) raises ``pickle.UnpicklingError``."""

    def find_class(self, module: str, name: str):
        if (module, name) in _NUMPY_CLASSES:
            return super().find_class(module, name)
        if module in ("copyreg", "copy_reg") and name == "_reconstructor":
            return _reconstructor
        if module in ("__builtin__", "builtins") and name in _SAFE_BUILTINS:
            return _SAFE_BUILTINS[name]
        if module == "_codecs" and name == "encode":  # bytes in protocol-2 pickles
            return super().find_class(module, name)
        if module == "chumpy" or module.startswith("chumpy."):
            return _ChumpyArray
        if module.startswith("scipy.sparse") and name in _SPARSE_FORMATS:
            return type(name, (_SparseMatrix,), {"FORMAT": _SPARSE_FORMATS[name]})
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a model file")


def _to_array(value) -> np.ndarray:
    """Turn an unpickled value (array, chumpy stand-in, sparse stand-in) into a dense array."""
    if isinstance(value, _ChumpyArray):
        state = value.state if isinstance(value.state, dict) else {}
        for key in ("x", "a"):
            if key in state:
                return _to_array(state[key])
        raise ValueError("a chumpy object without an array value")
    if isinstance(value, _SparseMatrix):
        s = value.state
        shape = tuple(s.get("_shape") or s.get("shape"))
        if value.FORMAT == "coo":
            matrix = scipy.sparse.coo_matrix((s["data"], (s["row"], s["col"])), shape=shape)
        else:
            cls = scipy.sparse.csc_matrix if value.FORMAT == "csc" else scipy.sparse.csr_matrix
            matrix = cls((s["data"], s["indices"], s["indptr"]), shape=shape)
        return matrix.toarray()
    return np.asarray(value)


def _read_raw(path: Path) -> dict:
    """The file's top-level mapping: a dict from a .pkl, or the arrays of a .npz."""
    with open(path, "rb") as fh:
        head = fh.read(4)
        fh.seek(0)
        if head.startswith(b"PK"):
            with np.load(fh, allow_pickle=False) as npz:
                return {key: npz[key] for key in npz.files}
        data = RestrictedUnpickler(fh, encoding="latin1").load()
    if not isinstance(data, dict):
        raise ValueError("the file does not hold a dictionary of arrays")
    return data


def _checked_arrays(raw: dict) -> dict[str, np.ndarray]:
    """Validate shapes and keep the first 10 betas; raises ValueError with what is wrong."""
    missing = [key for key in SMPL_KEYS if key not in raw]
    if missing:
        raise ValueError(f"it has no {', '.join(missing)}")
    arrays = {key: _to_array(raw[key]) for key in SMPL_KEYS}
    v = arrays["v_template"]
    if v.ndim != 2 or v.shape[1] != 3:
        raise ValueError(f"v_template has shape {v.shape}, expected (V, 3)")
    num_v = v.shape[0]
    expected = {
        "f": (None, 3), "shapedirs": (num_v, 3, None), "posedirs": (num_v, 3, 9 * (NUM_JOINTS - 1)),
        "J_regressor": (NUM_JOINTS, num_v), "weights": (num_v, NUM_JOINTS), "kintree_table": (2, NUM_JOINTS),
    }
    for key, shape in expected.items():
        got = arrays[key].shape
        if len(got) != len(shape) or any(s is not None and s != g for s, g in zip(shape, got)):
            raise ValueError(f"{key} has shape {got}, expected {tuple('*' if s is None else s for s in shape)}")
    if arrays["shapedirs"].shape[2] < NUM_BETAS:
        raise ValueError(f"shapedirs has {arrays['shapedirs'].shape[2]} shape components, expected at least 10")
    parents = arrays["kintree_table"][0].astype(np.int64)
    parents[0] = -1
    if tuple(parents.tolist()) != PARENTS:
        raise ValueError("its kinematic tree is not SMPL's 24-joint tree (is it SMPL-H or SMPL-X?)")
    return {
        "v_template": v.astype(np.float32),
        "f": arrays["f"].astype(np.int64),
        "shapedirs": arrays["shapedirs"][:, :, :NUM_BETAS].astype(np.float32),
        "posedirs": arrays["posedirs"].astype(np.float32),
        "J_regressor": arrays["J_regressor"].astype(np.float32),
        "weights": arrays["weights"].astype(np.float32),
        "kintree_table": arrays["kintree_table"].astype(np.int64),
    }


def resolve_smpl_path(smpl_path: str | os.PathLike | None) -> Path:
    """The SMPL file to use: ``smpl_path``, else ``$LMR_STUDIO_SMPL``. A folder is searched for
    a neutral model (SMPL_NEUTRAL.* or basicmodel_neutral*), also in its ``smpl/`` subfolder."""
    given = smpl_path or os.environ.get(SMPL_ENV_VAR)
    if not given:
        raise MissingBodyModelError("No SMPL model file was given.", SMPL_HINT)
    path = Path(given).expanduser()
    if path.is_dir():
        candidates = [c for folder in (path, path / "smpl") for pattern in
                      ("SMPL_NEUTRAL.pkl", "SMPL_NEUTRAL.npz", "basicmodel_neutral*.pkl", "basicmodel_neutral*.npz")
                      for c in sorted(folder.glob(pattern))]
        if not candidates:
            raise MissingBodyModelError(f"No neutral SMPL model file found in the folder {path}.", SMPL_HINT)
        path = candidates[0]
    if not path.is_file():
        raise MissingBodyModelError(f"The SMPL model file {path} does not exist.", SMPL_HINT)
    return path


def load_smpl_arrays(smpl_path: str | os.PathLike | None = None) -> dict[str, np.ndarray]:
    """Checked SMPL arrays (see :data:`SMPL_KEYS`) from the user's file, via the .npz copy in the
    app data folder (made on first use). Raises MissingBodyModelError for a missing/bad file."""
    path = resolve_smpl_path(smpl_path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:32]
    cached = data_dir() / "smpl" / f"{digest}.npz"
    if cached.is_file():
        with np.load(cached, allow_pickle=False) as npz:
            return {key: npz[key] for key in SMPL_KEYS}
    try:
        arrays = _checked_arrays(_read_raw(path))
    except (pickle.UnpicklingError, ValueError, KeyError, TypeError, EOFError, AttributeError,
            IndexError, zipfile.BadZipFile, OSError) as exc:
        raise MissingBodyModelError(f"{path} is not a usable SMPL model file: {exc}.", SMPL_HINT) from exc
    cached.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(cached) as part, open(part, "wb") as fh:
        np.savez(fh, **arrays)
    return arrays
