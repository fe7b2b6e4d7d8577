"""The committed TF.js model still scores what its metadata records on FER2013 PublicTest, through TF.js."""
import json

from emoface_training.data import LABELS, load_split
from emoface_training.evaluate import classify
from emoface_training.export import MODELS_DIR
from emoface_training.models import build_model
from emoface_training.recover import recover
from emoface_training.train import predict

META = MODELS_DIR / "expression.json"


def test_shipped_model_meets_its_recorded_public_test_accuracy(fer2013):
    meta = json.loads(META.read_text())
    assert meta["labels"] == list(LABELS)
    recorded = meta["metrics"]["publicTest"]["accuracy"]
    test = load_split(fer2013, "test")
    accuracy = float((classify(MODELS_DIR, test.images).argmax(1) == test.labels).mean())
    assert accuracy >= recorded - 0.005, f"the shipped model scores {accuracy:.4f} on PublicTest, recorded {recorded:.4f}"


def test_shipped_model_meets_the_size_target():
    meta = json.loads(META.read_text())
    files = [MODELS_DIR / meta["model"]["file"], *(MODELS_DIR / w["file"] for w in meta["model"]["weights"])]
    assert sum(f.stat().st_size for f in files) == meta["model"]["bytes"] <= 4e6
    assert sum(meta["training"]["imagesPerLabel"].values()) == meta["training"]["images"]


def test_the_shipped_model_recovers_into_pytorch_with_its_accuracy(fer2013):
    """What `python -m emoface_training.recover` gives a later training stage (as --teachers or --init)."""
    meta = json.loads(META.read_text())
    recovered = recover(META, str(fer2013))
    model = build_model(recovered["config"]["model"])
    model.load_state_dict(recovered["model"])
    test = load_split(fer2013, "test")
    accuracy = float((predict(model, test.images).argmax(1) == test.labels).mean())
    assert abs(accuracy - meta["metrics"]["publicTest"]["accuracy"]) <= 0.002, accuracy
