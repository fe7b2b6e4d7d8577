"""Face alignment in numpy: the Python twin of src/pipeline/align/alignFace.ts.

Used to check that the TypeScript pipeline cuts the same crop from a frame as this reference does
(tests/unit/align.test.ts), and to crop full photos in Python. Same maths: least-squares similarity from
the eye and mouth keypoints to the template, k×k bilinear samples per crop pixel (k = frame pixels per
crop pixel, at most 8), edge pixels repeated, gray by the given weights, rounded half up.

    python -m emoface_training.align --image photo.png --keypoints '{"rightEye": [x, y], ...}' --metadata ../models/expression.json
    ... --equalized     # the crop as the model takes it: histogram-equalized (models.equalize_histogram)
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
from PIL import Image

MAX_SAMPLES_PER_AXIS = 8


def fit_similarity(source: np.ndarray, target: np.ndarray) -> tuple[float, float, float, float]:
    """(a, b, tx, ty) of p ↦ [a −b; b a]·p + t that maps source [n, 2] onto target [n, 2] in least squares."""
    ms, mt = source.mean(axis=0), target.mean(axis=0)
    s, t = source - ms, target - mt
    norm = float((s ** 2).sum())
    a = float((s * t).sum()) / norm
    b = float((s[:, 0] * t[:, 1] - s[:, 1] * t[:, 0]).sum()) / norm
    return a, b, float(mt[0] - (a * ms[0] - b * ms[1])), float(mt[1] - (b * ms[0] + a * ms[1]))


def align_face(rgb: np.ndarray, keypoints: dict[str, tuple[float, float]], template: dict[str, list[float]],
               width: int, height: int, gray_weights: tuple[float, float, float]) -> np.ndarray:
    """uint8 gray crop [height, width] of the face whose keypoints (frame pixels) are given."""
    source = np.array([keypoints["rightEye"], keypoints["leftEye"], keypoints["mouth"]], dtype=np.float64)
    target = np.array([template["right_eye"], template["left_eye"], template["mouth"]], dtype=np.float64) * [width, height]
    a, b, tx, ty = fit_similarity(source, target)
    d = a * a + b * b
    ia, ib = a / d, -b / d  # inverse: crop → frame
    itx, ity = -(ia * tx - ib * ty), -(ib * tx + ia * ty)
    k = max(1, min(MAX_SAMPLES_PER_AXIS, math.ceil(math.hypot(ia, ib) - 1e-9)))
    gray = rgb[..., :3].astype(np.float64) @ np.asarray(gray_weights, dtype=np.float64)
    frame_h, frame_w = gray.shape
    offsets = (np.arange(k) + 0.5) / k
    u = (np.arange(width)[:, None] + offsets[None, :]).reshape(-1)  # [width·k]
    v = (np.arange(height)[:, None] + offsets[None, :]).reshape(-1)  # [height·k]
    cx, cy = np.meshgrid(u, v)  # [height·k, width·k]
    x = np.clip(ia * cx - ib * cy + itx - 0.5, 0, frame_w - 1)
    y = np.clip(ib * cx + ia * cy + ity - 0.5, 0, frame_h - 1)
    x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
    x1, y1 = np.minimum(x0 + 1, frame_w - 1), np.minimum(y0 + 1, frame_h - 1)
    dx, dy = x - x0, y - y0
    samples = ((gray[y0, x0] * (1 - dx) + gray[y0, x1] * dx) * (1 - dy)
               + (gray[y1, x0] * (1 - dx) + gray[y1, x1] * dx) * dy)
    means = samples.reshape(height, k, width, k).mean(axis=(1, 3))
    return np.minimum(255, np.floor(means + 0.5)).astype(np.uint8)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="emoface_training.align", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image", type=Path, required=True)
    parser.add_argument("--keypoints", required=True, help="JSON {rightEye: [x, y], leftEye: [x, y], mouth: [x, y]}")
    parser.add_argument("--metadata", type=Path, default=Path(__file__).resolve().parents[2] / "models" / "expression.json")
    parser.add_argument("--equalized", action="store_true", help="print the crop histogram-equalized, as the model takes it")
    args = parser.parse_args(argv)
    meta = json.loads(args.metadata.read_text())
    with Image.open(args.image) as image:
        rgb = np.asarray(image.convert("RGB"))
    crop = align_face(rgb, json.loads(args.keypoints), meta["alignment"]["keypoints"], meta["input"]["width"],
                      meta["input"]["height"], tuple(meta["input"]["grayWeights"]))
    if args.equalized:
        import torch  # only here: the rest of this module needs numpy alone

        from .models import equalize_histogram
        crop = equalize_histogram(torch.from_numpy(crop[None]))[0].numpy()
    print(json.dumps(crop.ravel().tolist()))


if __name__ == "__main__":
    main()
