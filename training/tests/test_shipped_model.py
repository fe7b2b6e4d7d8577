"""The committed models/expression.onnx still scores what its metadata records on FER2013 PublicTest."""
import json

import numpy as np

from emoface_training.data import LABELS, load_split
from emoface_training.evaluate import MODELS_DIR, classify

SHIPPED = MODELS_DIR / "expression.onnx"


def test_shipped_model_meets_its_recorded_public_test_accuracy(fer2013):
    meta = json.loads(SHIPPED.with_suffix(".json").read_text())
    assert meta["labels"] == list(LABELS)
    recorded = meta["metrics"]["publicTest"]["accuracy"]
    test = load_split(fer2013, "test")
    accuracy = float((classify(SHIPPED, test.images).argmax(1) == test.labels).mean())
    assert accuracy >= recorded - 0.005, f"{SHIPPED} scores {accuracy:.4f} on PublicTest, recorded {recorded:.4f}"


def test_shipped_model_meets_the_size_target():
    assert SHIPPED.stat().st_size <= 1.5e6
    meta = json.loads(SHIPPED.with_suffix(".json").read_text())
    assert meta["model"]["bytes"] == SHIPPED.stat().st_size
    assert np.isclose(sum(meta["training"]["imagesPerLabel"].values()), meta["training"]["images"])
