"""Video files and photos: random access and sequential decoding (PyAV/FFmpeg)."""

from lmr_studio.video.source import VideoSource

__all__ = ["VideoSource"]
