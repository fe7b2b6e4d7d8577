"""A short real training run on FER2013 crops, then the TF.js export, its parity and the metadata contract."""
import dataclasses
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from emoface_training.data import LABELS, load_split
from emoface_training.evaluate import classify, lineage_section
from emoface_training.export import PARITY_TOLERANCE, export, lineage, run_record
from emoface_training.models import build_model, normalize
from emoface_training.recover import calibration_crops, conv_layers, load_graph_weights, read_weights, rebuild_batch_norms, recover
from emoface_training.train import (Config, distillation_loss, load_checkpoint_model, load_teachers, parse_config, predict,
                                    train, train_command)


def quick_config(fer2013, out) -> Config:
    """700 real crops, 6 epochs, no augmentation: small enough to learn visibly in a few seconds per epoch."""
    no_augmentation = {key: 0.0 for key in Config().augment}
    return Config(model="emonet_dw", data=str(fer2013), out=str(out), epochs=6, limit=700, batch_size=64, lr=0.05,
                  warmup_epochs=1, label_smoothing=0.0, threads=1, eval_every=6, augment=no_augmentation)


@pytest.fixture(scope="module")
def trained(fer2013, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    return quick_config(fer2013, out), train(quick_config(fer2013, out), fresh=True)


def test_loss_goes_down_and_checkpoint_carries_config_labels_metrics(trained):
    config, final = trained
    losses = [h["loss"] for h in final["history"]]
    assert len(losses) == config.epochs
    assert losses[-1] < 0.9 * losses[0], losses
    assert final["config"] == dataclasses.asdict(config)
    assert tuple(final["labels"]) == LABELS
    assert 1 / len(LABELS) < final["metrics"]["test_accuracy"] <= 1  # better than chance on PublicTest
    assert final["metrics"]["train_images"] == 700


def test_interrupted_training_resumes_to_the_same_weights(fer2013, tmp_path, trained):
    config, final = trained
    resumed_config = dataclasses.replace(config, out=str(tmp_path))
    assert train(resumed_config, fresh=True, stop_after=3) is None
    # a checkpoint made before a flag existed resumes as if the flag were at its default
    checkpoint = torch.load(tmp_path / "last.pt", weights_only=False)
    del checkpoint["config"]["teacher_flip"]
    torch.save(checkpoint, tmp_path / "last.pt")
    resumed = train(resumed_config)
    for key, value in final["model"].items():
        torch.testing.assert_close(resumed["model"][key], value, rtol=0, atol=1e-6, msg=key)


def test_a_different_config_does_not_resume_silently(fer2013, tmp_path, trained):
    config, _ = trained
    with pytest.raises(SystemExit, match="different config"):
        train(dataclasses.replace(config, lr=0.01))


def test_distillation_learns_from_a_trained_teacher(fer2013, tmp_path, trained):
    config, _ = trained
    teacher_path = str(Path(config.out) / "final.pt")
    student = dataclasses.replace(config, out=str(tmp_path), epochs=4, eval_every=4, teachers=teacher_path)
    final = train(student, fresh=True)
    losses = [h["loss"] for h in final["history"]]
    assert losses[-1] < 0.9 * losses[0], losses
    assert f"--teachers {teacher_path}" in train_command(final["config"])
    # the export records what made the teacher, and the report names it
    meta = export(Path(student.out) / "final.pt", tmp_path / "models", str(fer2013))
    (teacher_run,) = meta["training"]["teachers"]
    assert teacher_run["command"] == train_command(dataclasses.asdict(config))
    assert teacher_run["publicTest"] == trained[1]["metrics"]["test_accuracy"]
    assert any(teacher_run["command"] in line for line in lineage_section(meta["training"]))
    # a student of this student: its teacher's own teacher is listed under it, and the chain's time adds up
    (student_run,) = lineage({"teachers": str(Path(student.out) / "final.pt")})["teachers"]
    assert student_run["teachers"] == [teacher_run]
    # (the teacher also taught it directly: listed twice, its time counted once; 1 h + 1 h + 2 h)
    first = {**teacher_run, "seconds": 7200.0}
    second = {**student_run, "seconds": 3600.0, "teachers": [first]}
    section = "\n".join(lineage_section({"config": {}, "seconds": 3600.0, "teachers": [second, first]}))
    assert f"\n  - teacher: `{teacher_run['command']}`" in section and f"\n- teacher: `{teacher_run['command']}`" in section
    assert "together: 4.0 hours" in section
    # the term is zero when the model predicts what its teacher does, positive when not
    teacher = load_teachers(teacher_path)[0]
    inputs = torch.randn(8, 1, 48, 48)
    with torch.no_grad():
        agreeing = distillation_loss(teacher(inputs), inputs, [teacher], 2.0)
        other = build_model(config.model).eval()
        disagreeing = distillation_loss(other(inputs), inputs, [teacher], 2.0)
    assert abs(float(agreeing)) < 1e-5 < float(disagreeing)
    # with flip averaging the target is the mean of the crop's and its mirror's softened predictions
    with torch.no_grad():
        mirrored = (torch.softmax(teacher(inputs) / 2.0, dim=1) + torch.softmax(teacher(inputs.flip(3)) / 2.0, dim=1)) / 2
        matching = distillation_loss(2.0 * mirrored.log(), inputs, [teacher], 2.0, flip=True)
        one_view = distillation_loss(teacher(inputs), inputs, [teacher], 2.0, flip=True)
    assert abs(float(matching)) < 1e-5 < float(one_view)


def test_recovering_an_export_gives_back_the_trained_model(trained, fer2013, tmp_path):
    config, _ = trained
    export(Path(config.out) / "final.pt", tmp_path, str(fer2013))
    recovered = recover(tmp_path / "expression.json", str(fer2013))
    assert recovered["config"] == dataclasses.asdict(config) and tuple(recovered["labels"]) == LABELS
    model = build_model(config.model)
    model.load_state_dict(recovered["model"])
    crops = load_split(fer2013, "test").images
    np.testing.assert_allclose(predict(model, crops), predict(load_checkpoint_model(str(Path(config.out) / "final.pt")), crops),
                               atol=1e-4)
    # a run that learns from the recovered checkpoint records what the export recorded of its source
    torch.save(recovered, tmp_path / "recovered.pt")
    record = run_record(str(tmp_path / "recovered.pt"))
    assert record["command"] == train_command(dataclasses.asdict(config)) and record["teachers"] == []
    assert record["recoveredFrom"] == json.loads((tmp_path / "expression.json").read_text())["model"]["weights"][0]["sha256"]
    # in train mode the rebuilt norms see their calibration crops' own statistics: the same output again
    model = build_model(config.model)
    calibration = calibration_crops(str(fer2013))[:512]  # one batch: rebuild_batch_norms runs 512 at a time
    rebuild_batch_norms(model, load_graph_weights(model, read_weights(tmp_path / "expression" / "model.json")), calibration)
    inputs = normalize(torch.from_numpy(calibration).unsqueeze(1))
    with torch.no_grad():
        evaluated = torch.softmax(model.eval()(inputs), dim=1)
        for _, norm, _ in conv_layers(model):
            norm.train()
        torch.testing.assert_close(torch.softmax(model(inputs), dim=1), evaluated, rtol=0, atol=1e-4)
    # a graph of another architecture is refused, naming the mismatch
    with pytest.raises(ValueError, match="weight arrays|shape"):
        load_graph_weights(build_model("emonet_wide"), read_weights(tmp_path / "expression" / "model.json"))


def test_fine_tuning_starts_from_the_trained_weights(trained, fer2013, tmp_path):
    config, final = trained
    start = str(Path(config.out) / "final.pt")
    tuned = dataclasses.replace(config, out=str(tmp_path / "tuned"), epochs=1, eval_every=1, lr=0.0, init=start)
    result = train(tuned, fresh=True)  # a learning rate of zero: the weights stay what they were (not the norms' statistics)
    for key, _ in build_model(config.model).named_parameters():
        torch.testing.assert_close(result["model"][key], final["model"][key], msg=key)
    assert f"--init {start}" in train_command(result["config"])
    meta = export(tmp_path / "tuned" / "final.pt", tmp_path / "models", str(fer2013))
    assert meta["training"]["init"]["command"] == train_command(dataclasses.asdict(config))
    assert any(line.startswith(f"- started from: `{train_command(dataclasses.asdict(config))}`")
               for line in lineage_section(meta["training"]))
    with pytest.raises(SystemExit, match="holds 'emonet_dw', not 'emonet_wide'"):
        train(dataclasses.replace(tuned, model="emonet_wide", out=str(tmp_path / "other")), fresh=True)


def test_two_processes_under_torchrun_train_as_one(fer2013, tmp_path):
    """torchrun with 2 processes (DDP, gloo) against 1 process, same config: each process takes half of every
    batch, so the runs differ only by batch-norm statistics per half and dropout."""
    config = quick_config(fer2013, tmp_path)
    runs = {}
    for processes in (1, 2):
        out = tmp_path / f"p{processes}"
        flags = train_command(dataclasses.asdict(dataclasses.replace(config, out=str(out)))).split()[3:]
        launcher = ["-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={processes}"] if processes > 1 else []
        run = subprocess.run([sys.executable, *launcher, "-m", "emoface_training.train", *flags, "--fresh"],
                             capture_output=True, text=True, cwd=Path(__file__).parents[1], timeout=600)
        assert run.returncode == 0, run.stderr[-3000:]
        runs[processes] = torch.load(out / "final.pt", weights_only=False)
        assert len((out / "log.jsonl").read_text().splitlines()) == config.epochs  # one writer
    one, two = runs[1], runs[2]
    assert two["metrics"]["train_images"] == one["metrics"]["train_images"]
    # Each process took its half of every batch: together they saw each epoch's images once.
    assert [h["images"] for h in two["history"]] == [h["images"] for h in one["history"]]
    losses = {n: [round(h["loss"], 3) for h in run["history"]] for n, run in runs.items()}
    # Per-process batch norms make the halves' statistics noisier: the curves agree to about 0.15 (seen: ≤ 0.15).
    assert np.abs(np.subtract(losses[2], losses[1])).max() < 0.25, losses
    assert losses[2][-1] < 0.5 * losses[2][0], losses  # it learned
    accuracy = {n: [h["train_accuracy"] for h in run["history"]] for n, run in runs.items()}
    assert np.abs(np.subtract(accuracy[2], accuracy[1])).max() < 0.15, accuracy


def test_flags_are_checked():
    config, fresh, stop = parse_config(["--epochs", "3", "--augment", "flip=0", "--fresh", "--teacher-flip"])
    assert config.epochs == 3 and config.augment["flip"] == 0 and fresh and stop == 0 and config.teacher_flip
    assert "--teacher-flip" in train_command(dataclasses.asdict(config))
    assert not parse_config([])[0].teacher_flip
    for bad in (["--epochs", "many"], ["--augment", "wobble=1"], ["--batch-size", "0"]):
        with pytest.raises(SystemExit):
            parse_config(bad)


def test_export_writes_a_tfjs_model_with_parity_and_metadata(trained, fer2013, tmp_path):
    config, _ = trained
    meta = export(Path(config.out) / "final.pt", tmp_path, str(fer2013))
    written = json.loads((tmp_path / "expression.json").read_text())
    assert written == meta
    assert written["labels"] == list(LABELS)
    assert written["model"]["format"] == "tfjs-graph-model"
    assert written["input"]["layout"] == "NHWC" and written["input"]["width"] == written["input"]["height"] == 48
    assert written["input"]["channels"] == 1 and set(written["input"]["normalization"]) >= {"mean", "std", "equalizeHistogram"}
    assert written["export"]["parityMaxAbsDiff"] < PARITY_TOLERANCE and written["export"]["parityCrops"] >= 200
    assert written["training"]["images"] == 700 and sum(written["training"]["imagesPerLabel"].values()) == 700
    for entry in [{"file": written["model"]["file"], "sha256": written["model"]["sha256"]}, *written["model"]["weights"]]:
        path = tmp_path / entry["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
    topology = json.loads((tmp_path / written["model"]["file"]).read_text())
    assert topology["format"] == "graph-model"
    ops = {node["op"] for node in topology["modelTopology"]["node"]}
    assert {"_FusedConv2D", "_FusedMatMul", "Softmax"} <= ops and not {"BiasAdd", "Conv2D", "FusedBatchNormV3"} & ops  # fused, folded
    assert not [p for p in tmp_path.rglob("*.tmp")]
    points = written["alignment"]["keypoints"]
    assert 0.2 < points["right_eye"][0] < 0.45 < 0.55 < points["left_eye"][0] < 0.8  # eyes either side
    assert points["right_eye"][1] < points["nose_tip"][1] < points["mouth"][1] < 1  # eyes, nose, mouth downwards

    # probabilities; the same answer for a face alone or in a batch; PyTorch's answer
    crops = load_split(fer2013, "test").images[:5]
    batch = classify(tmp_path, crops)
    single = classify(tmp_path, crops[2:3])
    assert batch.shape == (5, len(LABELS))
    np.testing.assert_allclose(batch.sum(axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(single[0], batch[2], atol=1e-5)


def test_export_refuses_to_write_when_tfjs_and_pytorch_disagree(trained, fer2013, tmp_path, monkeypatch):
    config, _ = trained
    import emoface_training.export as exporting
    original = exporting.to_graph

    def broken(classifier):
        model, weights = original(classifier)  # what a wrong layout or a missed fold would look like:
        return model, [(name, array * 1.01 if array.dtype == np.float32 else array) for name, array in weights]
    monkeypatch.setattr(exporting, "to_graph", broken)
    with pytest.raises(AssertionError, match="differ"):
        export(Path(config.out) / "final.pt", tmp_path, str(fer2013))
    assert not (tmp_path / "expression.json").exists() and not (tmp_path / "expression" / "model.json").exists()
