"""VideoView: the current video frame with a switchable overlay drawn in image pixels.

Overlays: ``keypoints`` (BlazePose landmarks and bones), ``skeleton`` (the 24 recovered joints,
bones coloured by part), ``mesh`` (the recovered mesh projected into the image, vertices
coloured by part), ``none``. Every mode draws each person's box and track id in the person's
colour (:func:`lmr_studio.people.person_colour`), the selected person's box solid; a click in a
box selects that person (``person_clicked``).
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import Future, ThreadPoolExecutor

import cv2
import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from lmr_studio.people import person_colour, person_colour_hex
from lmr_studio.parts import JOINT_PART, PARENTS, PART_COLOURS, face_parts
from lmr_studio.perception.features import BLAZEPOSE_EDGES, VISIBILITY_THRESHOLD
from lmr_studio.playback import PartVisibility
from lmr_studio.result import MotionResult
from lmr_studio.scene.mesh_paint import paint_mesh, paint_silhouette
from lmr_studio.scene.person_box import person_at_point, person_box
from lmr_studio.scene.sequence import TrackMeshes

OVERLAY_MODES: tuple[str, ...] = ("mesh", "skeleton", "keypoints", "none")


@dataclasses.dataclass
class PersonOverlay:
    """What to draw for one person on one frame (pixels): box (4,), keypoints (33, 3), joints
    (24, 2), and for the mesh overlay its camera-frame vertices (V, 3), faces (T, 3), face parts
    (T,), vertex parts (V,) and the focal length (pixels), or None when absent."""

    track_id: int
    box: np.ndarray
    keypoints: np.ndarray
    joints: np.ndarray
    mesh_vertices: np.ndarray | None = None
    mesh_faces: np.ndarray | None = None
    mesh_face_parts: np.ndarray | None = None
    mesh_vertex_parts: np.ndarray | None = None
    focal: float = 1.0
    selected: bool = False


def person_overlays(result: MotionResult, frame: int, selected: int | None, meshes: dict[int, TrackMeshes],
                    body, with_mesh: bool, visible: set[int] | None = None) -> list[PersonOverlay]:
    """What to draw for every person of ``result`` present on ``frame`` (of ``visible`` ids only,
    when given); the projected mesh (``with_mesh``) for tracks that have ``meshes`` (track id ->
    TrackMeshes) posed on ``body``."""
    people = []
    focal = result.focal
    triangle_parts = None if body is None else face_parts(body.faces, body.vertex_parts)
    for tid, track in result.tracks.items():
        row = track.row_of_frame(frame)
        if row is None or (visible is not None and tid not in visible):
            continue
        box = person_box(track.keypoints2d[row], track.bboxes[row])
        person = PersonOverlay(tid, box, track.keypoints2d[row], track.joints2d[row], focal=focal,
                               selected=tid == selected)
        mesh = meshes.get(tid)
        mrow = mesh.row(frame) if mesh is not None else None
        if with_mesh and mrow is not None and body is not None:
            person.mesh_vertices = mesh.vertices_at(mrow)
            person.mesh_faces, person.mesh_face_parts = body.faces, triangle_parts
            person.mesh_vertex_parts = body.vertex_parts
        people.append(person)
    return people


def compose_frame(frame: np.ndarray, people: list[PersonOverlay], mode: str, state: PartVisibility,
                  scale: float, image_width: int | None = None) -> np.ndarray:
    """``frame`` (H, W, 3) uint8 with the mesh overlay (``mode == "mesh"``) of ``people``, shown at
    ``scale`` screen pixels per image pixel, resized with OpenCV (cheaper than a smooth QPainter
    scale); contiguous uint8. ``frame`` may be a thumbnail of an ``image_width``-pixel-wide image
    (default: its own width): the mesh is then painted at the thumbnail's resolution. Qt-free, so
    it runs on the overlay thread."""
    h, w = frame.shape[:2]
    shrink = w / (image_width or w)                       # thumbnail pixels per image pixel
    if mode == "mesh":
        for person in people:
            if person.mesh_vertices is None:
                continue
            if person.selected or len(people) == 1:
                frame = paint_mesh(frame, person.mesh_vertices, person.mesh_faces, person.mesh_face_parts,
                                   person.focal * shrink, state.opacities())
            else:  # the others as flat silhouettes in their own colour (as in the 3D view): cheap
                frame = paint_silhouette(frame, person.mesh_vertices, person.mesh_vertex_parts, person.focal * shrink,
                                         person_colour(person.track_id))
    size = (max(1, round(w * scale / shrink)), max(1, round(h * scale / shrink)))
    interpolation = cv2.INTER_AREA if scale < shrink else cv2.INTER_LINEAR
    return np.ascontiguousarray(cv2.resize(frame, size, interpolation=interpolation))


class VideoView(QWidget):
    """Shows an RGB frame scaled to fit, with the overlay of :class:`PersonOverlay` records.

    The overlay composes on the view's own one-worker executor: numpy and OpenCV release the GIL,
    so it runs while VTK renders the 3D view on the GUI thread (measured ~40 -> ~31 ms for the two
    under Xvfb). :meth:`close_executor` shuts it down (the window does, on close).
    """

    person_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 180)
        self.mode = "mesh"
        self.parts = PartVisibility()
        self._frame: np.ndarray | None = None
        self._image_size: tuple[int, int] | None = None      # (w, h) of the image ``_frame`` shows
        self._image: QImage | None = None
        self._people: list[PersonOverlay] = []
        self._caption = ""
        self._scale = 1.0
        self._pending: Future | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lmr-overlay")

    def close_executor(self) -> None:
        """Finish the image being composed and stop the overlay thread."""
        self._resolve()
        self._executor.shutdown(wait=True)
        self._frame = None                     # nothing more to compose

    def set_parts(self, state: PartVisibility) -> None:
        """Use ``state`` (the view's own copy: the overlay thread reads it)."""
        self.parts = state
        self._compose()

    def set_frame(self, frame: np.ndarray | None, people: list[PersonOverlay], caption: str = "",
                  image_size: tuple[int, int] | None = None) -> None:
        """Show ``frame`` (H, W, 3) uint8 RGB (None: blank) with ``people`` (image pixels) drawn on
        it; ``image_size`` (w, h) when ``frame`` is a smaller thumbnail of the image."""
        self._frame, self._people, self._caption = frame, people, caption
        self._image_size = image_size if image_size is not None or frame is None else frame.shape[1::-1]
        self._compose()

    def _compose(self) -> None:
        """Start composing the shown image on the overlay thread (it overlaps the 3D render that
        follows on this thread); the paint picks it up."""
        frame = self._frame
        if frame is None:
            self._pending, self._image, self._scale = None, None, 1.0
        else:
            w, h = self._image_size
            self._scale = max(1e-3, min(self.width() / w, self.height() / h))
            self._pending = self._executor.submit(compose_frame, frame, list(self._people), self.mode,
                                                  self.parts.copy(), self._scale, w)
        self.update()

    def _resolve(self) -> None:
        """Wait for the image being composed, if any, and keep it as the QImage to paint."""
        if self._pending is not None:
            shown = self._pending.result()
            self._pending = None
            h, w = shown.shape[:2]
            self._image = QImage(shown.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._compose()
        super().resizeEvent(event)

    def image_rect(self) -> QRectF:
        """Where the frame is drawn in widget coordinates (aspect kept, centred)."""
        self._resolve()
        if self._image is None:
            return QRectF(self.rect())
        iw, ih = self._image.width(), self._image.height()
        return QRectF((self.width() - iw) / 2, (self.height() - ih) / 2, iw, ih)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        """A click in a person's box selects them."""
        target = self.image_rect()
        at = (event.position() - target.topLeft()) / self._scale           # image pixels
        tid = person_at_point({p.track_id: p.box for p in self._people}, at.x(), at.y())
        if tid is not None:
            self.person_clicked.emit(tid)
        super().mousePressEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self._resolve()
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#15181d"))
        if self._image is None:
            p.setPen(QColor("#8a919c"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._caption or "No video")
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        target = self.image_rect()
        p.drawImage(target.topLeft(), self._image)
        scale = self._scale
        p.translate(target.topLeft())
        p.scale(scale, scale)
        for person in self._people:
            self._draw_person(p, person, 1.0 / scale)
        p.resetTransform()
        if self._caption:
            p.setPen(QColor("#e6e6e6"))
            p.drawText(self.rect().adjusted(8, 6, -8, -6), Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft,
                       self._caption)

    def _draw_person(self, p: QPainter, person: PersonOverlay, px: float) -> None:
        """Draw one person; ``px`` is one screen pixel in image units (for line widths)."""
        if self.mode == "keypoints":
            kp = person.keypoints
            vis = kp[:, 2] >= VISIBILITY_THRESHOLD
            p.setPen(QPen(QColor(255, 255, 255, 200), 2 * px))
            for a, b in BLAZEPOSE_EDGES:
                if vis[a] and vis[b]:
                    p.drawLine(QPointF(*kp[a, :2]), QPointF(*kp[b, :2]))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor("#00e676"))
            for x, y in kp[vis, :2]:
                p.drawEllipse(QPointF(x, y), 3 * px, 3 * px)
        elif self.mode == "skeleton":
            j = person.joints
            for child, parent in enumerate(PARENTS):
                part = int(JOINT_PART[child])
                if parent < 0 or not self.parts.shown(part):
                    continue
                colour = QColor(*(int(c) for c in PART_COLOURS[part]))
                colour.setAlphaF(max(0.25, self.parts.emphasis(part)))
                p.setPen(QPen(colour, 4 * px, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                p.drawLine(QPointF(*j[parent]), QPointF(*j[child]))
        x0, y0, x1, y1 = (float(v) for v in person.box)
        colour = QColor(person_colour_hex(person.track_id))
        pen = QPen(colour, (2.5 if person.selected else 1.5) * px)
        pen.setStyle(Qt.PenStyle.SolidLine if person.selected else Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        font = QFont(p.font())
        font.setPointSizeF(max(1.0, 9 * px))
        font.setBold(True)
        p.setFont(font)
        label = f" person {person.track_id} "
        width, height = p.fontMetrics().horizontalAdvance(label) * 1.0, 16 * px
        image_w = self._image.width() / self._scale if self._image is not None else x1
        lx = min(max(x0, 0.0), max(0.0, image_w - width))          # the label stays on the image
        ly = y0 - height if y0 - height >= 0 else max(y0, 0.0)      # above the box, else just inside it
        rect = QRectF(lx, ly, width, height)
        p.fillRect(rect, colour if person.selected else QColor(30, 30, 30, 200))
        p.setPen(QColor("#ffffff") if person.selected else colour.lighter(150))
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
