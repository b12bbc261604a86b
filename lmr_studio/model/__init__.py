"""LMR and its baselines: build, load and run the networks.

``build_model(kind)`` gives a randomly initialised network, ``load_model(kind)`` the shipped
weights (``weights/<kind>.pt``), ``predict(model, features)`` per-frame pose, shape and camera.
"""

from lmr_studio.model.config import KINDS, ModelConfig
from lmr_studio.model.network import MeshRegressor, NetworkOutput
from lmr_studio.model.predict import Prediction, StreamState, predict, predict_stream
from lmr_studio.model.weights import build_model, default_device, load_model, save_weights

__all__ = ["KINDS", "MeshRegressor", "ModelConfig", "NetworkOutput", "Prediction", "build_model",
           "StreamState", "default_device", "load_model", "predict", "predict_stream", "save_weights"]
