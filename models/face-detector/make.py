"""Adds the metadata MediaPipe Tasks needs to BlazeFace short range from @mediapipe/face_detection.

tasks-vision's FaceDetector refuses the npm package's model as it is ("Input tensor has type float32:
it requires specifying NormalizationOptions metadata"); this writes the same network with that
metadata: input normalisation (pixel - 127.5) / 127.5, one label ("face").

    python make.py <source.tflite> <out.tflite>
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tflite_support.metadata_writers import object_detector, writer_utils

NORMALIZATION_MEAN = [127.5]
NORMALIZATION_STD = [127.5]


def main(source: str, out: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        labels = Path(folder) / "labels.txt"
        labels.write_text("face\n")
        writer = object_detector.MetadataWriter.create_for_inference(
            writer_utils.load_file(source), NORMALIZATION_MEAN, NORMALIZATION_STD, [str(labels)])
        patched = writer.populate()
    temporary = Path(out + ".tmp")
    writer_utils.save_file(patched, str(temporary))
    temporary.replace(out)


if __name__ == "__main__":
    main(*sys.argv[1:3])
