"""MediaPipe BlazeFace in Python, just enough to measure where FER2013's crops put the eyes and mouth.

The product's detector lives in packages/core (TypeScript); this is its measuring twin for the
training side. Models: vendor/blazeface/ (placed there by `npm install`, see scripts/fetch-blazeface.mjs).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort

VENDOR = Path(__file__).resolve().parents[2] / "vendor" / "blazeface"
FRONT_MODEL = VENDOR / "face_detection_front_128x128.onnx"

#: Keypoint order of BlazeFace's 6 keypoints (the subject's right eye comes first).
KEYPOINTS = ("right_eye", "left_eye", "nose_tip", "mouth", "right_ear", "left_ear")

#: Anchor layout shared by both models: (cells per row, anchors per cell) for the two outputs.
ANCHOR_GRID = ((16, 2), (8, 6))


def anchors() -> np.ndarray:
    """Anchor centres [896, 2] in 0..1, cell-major, as MediaPipe's SsdAnchorsCalculator with fixed sizes."""
    out = []
    for cells, per_cell in ANCHOR_GRID:
        ys, xs = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
        centres = np.stack([(xs + 0.5) / cells, (ys + 0.5) / cells], axis=-1).reshape(-1, 1, 2)
        out.append(np.repeat(centres, per_cell, axis=1).reshape(-1, 2))
    return np.concatenate(out).astype(np.float32)


@dataclass(frozen=True)
class Face:
    score: float
    box: np.ndarray  # [4] x_center, y_center, width, height in 0..1 of the input
    keypoints: np.ndarray  # [6, 2] x, y in 0..1 of the input


class BlazeFace:
    """The 128×128 front model on onnxruntime, returning the single best face of a square image."""

    def __init__(self, model: Path = FRONT_MODEL, value_range: tuple[float, float] = (-1.0, 1.0)):
        if not model.exists():
            raise FileNotFoundError(f"{model}: missing; run `npm install` at the repository root first")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        self.session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self.size = self.session.get_inputs()[0].shape[1]
        self.value_range = value_range
        self.anchors = anchors()

    def best_face(self, rgb: np.ndarray) -> Face:
        """rgb: uint8 [size, size, 3]. Returns the highest-scoring anchor's decoded face."""
        low, high = self.value_range
        x = rgb.astype(np.float32)[None] * ((high - low) / 255) + low
        scores_a, scores_b, boxes_a, boxes_b = self.session.run(None, {self.session.get_inputs()[0].name: x})
        scores = np.concatenate([scores_a[0, :, 0], scores_b[0, :, 0]])
        raw = np.concatenate([boxes_a[0], boxes_b[0]]) / self.size  # [896, 16]
        best = int(np.argmax(scores))
        centre = self.anchors[best]
        box = np.concatenate([raw[best, :2] + centre, raw[best, 2:4]])
        keypoints = raw[best, 4:].reshape(6, 2) + centre
        score = float(1 / (1 + np.exp(-np.clip(scores[best], -100, 100))))
        return Face(score, box, keypoints)
