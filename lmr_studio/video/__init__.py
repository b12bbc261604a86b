"""Video files: random access and sequential decoding (OpenCV/FFmpeg)."""

from lmr_studio.video.source import VideoSource

__all__ = ["VideoSource"]
