"""Measure the alignment template: where FER2013's crops put the eyes, nose and mouth.

At run time a face is cut out of a video frame by a similarity transform that sends BlazeFace's
keypoints to these positions, so the crop the model sees is framed like its training crops.
Measured by running BlazeFace over training crops upscaled into a 128×128 frame, then taking
medians over confident detections and mirroring them about the vertical centre line (training
flips crops about it, so the framing the model learned is symmetric).
"""
from __future__ import annotations

import numpy as np
from PIL import Image

from .blazeface import KEYPOINTS, BlazeFace
from .data import Split

FACE_PIXELS = 72  # side of the upscaled crop inside the detector's 128×128 input (most detections)
PAD_VALUE = 128  # mid-gray around it: edge or mirror padding makes streaks that hide the face
MIN_SCORE = 0.6
TEMPLATE_KEYPOINTS = ("right_eye", "left_eye", "nose_tip", "mouth")


def measure_template(split: Split, count: int = 2000, seed: int = 0) -> dict:
    """Template keypoints in 0..1 of the crop (x right, y down) plus how they were measured."""
    detector = BlazeFace(value_range=(-1.0, 1.0))
    index = np.random.default_rng(seed).choice(len(split), min(count, len(split)), replace=False)
    offset = (detector.size - FACE_PIXELS) // 2
    points = []
    for i in index:
        face = Image.fromarray(split.images[i]).resize((FACE_PIXELS, FACE_PIXELS), Image.Resampling.BICUBIC)
        frame = np.pad(np.asarray(face), offset, mode="constant", constant_values=PAD_VALUE)
        found = detector.best_face(np.repeat(frame[:, :, None], 3, axis=2))
        if found.score >= MIN_SCORE:
            points.append((found.keypoints * detector.size - offset) / FACE_PIXELS)
    if len(points) < 50:
        raise RuntimeError(f"only {len(points)} of {len(index)} crops had a face with score ≥ {MIN_SCORE}")
    points = np.stack(points)  # [n, 6, 2]
    median = np.median(points, axis=0)
    spread = np.percentile(points, 75, axis=0) - np.percentile(points, 25, axis=0)
    named = {name: median[KEYPOINTS.index(name)] for name in TEMPLATE_KEYPOINTS}
    symmetric = {
        "right_eye": [0.5 - _half_gap(named), _mean_y(named)],
        "left_eye": [0.5 + _half_gap(named), _mean_y(named)],
        "nose_tip": [0.5, float(named["nose_tip"][1])],
        "mouth": [0.5, float(named["mouth"][1])],
    }
    return {
        "keypoints": {name: [round(v, 4) for v in xy] for name, xy in symmetric.items()},
        "units": "fraction of the crop's width and height, origin top-left; right_eye is the subject's right",
        "measured": {
            "images": int(len(index)), "detected": int(len(points)), "min_score": MIN_SCORE,
            "detector": "BlazeFace front 128x128, input scaled to -1..1",
            "face_pixels_in_128": FACE_PIXELS, "padding": f"constant {PAD_VALUE}",
            "median": {name: [round(float(v), 4) for v in median[KEYPOINTS.index(name)]] for name in TEMPLATE_KEYPOINTS},
            "interquartile_range": {name: [round(float(v), 4) for v in spread[KEYPOINTS.index(name)]]
                                    for name in TEMPLATE_KEYPOINTS},
        },
    }


def _half_gap(named: dict) -> float:
    return float(named["left_eye"][0] - named["right_eye"][0]) / 2


def _mean_y(named: dict) -> float:
    return float(named["left_eye"][1] + named["right_eye"][1]) / 2
