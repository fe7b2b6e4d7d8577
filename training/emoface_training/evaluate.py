"""Evaluate exported ONNX models on FER2013 PublicTest and write models/REPORT.md.

    python -m emoface_training.evaluate            # shipped model + baseline, updates expression.json

Evaluates what ships: the .onnx file through onnxruntime, preprocessed as its .json says.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
import torch  # noqa: E402

from .data import DEFAULT_DATA, Split, load_cached  # noqa: E402
from .export import write_atomic  # noqa: E402
from .models import build_model  # noqa: E402
from .sharpness import estimate_blur  # noqa: E402
from .train import TRAINING_DIR, predict  # noqa: E402

#: Input blurs (sigma, px) at which the report shows the trained model's accuracy.
SENSITIVITY_SIGMAS = (0.0, 1.5, 2.5, 3.0, 3.5, 4.5)

MODELS_DIR = TRAINING_DIR.parent / "models"


def load_metadata(onnx_path: Path) -> dict:
    meta_path = onnx_path.with_suffix(".json")
    if not meta_path.is_file():
        raise FileNotFoundError(f"{meta_path}: missing (it is written by the export step)")
    return json.loads(meta_path.read_text())


def preprocess(crops: np.ndarray, meta: dict) -> np.ndarray:
    """uint8 gray crops [N, H, W] → the model's input [N, 1, H, W], as the metadata prescribes."""
    norm = meta["input"]["normalization"]
    return ((crops.astype(np.float32) / 255 - norm["mean"]) / norm["std"])[:, None]


def session(onnx_path: Path, threads: int = 1) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])


def classify(onnx_path: Path, crops: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Probabilities [N, labels] from the ONNX model."""
    meta = load_metadata(onnx_path)
    run = session(onnx_path, threads=2)
    name = meta["input"]["name"]
    return np.concatenate([run.run(None, {name: preprocess(crops[i:i + batch_size], meta)})[0]
                           for i in range(0, len(crops), batch_size)])


def scores(labels: list[str], truth: np.ndarray, predicted: np.ndarray) -> dict:
    """Accuracy, per-label precision/recall/F1 and the confusion matrix (rows true, columns predicted)."""
    k = len(labels)
    confusion = np.bincount(truth * k + predicted, minlength=k * k).reshape(k, k)
    per_label = {}
    for i, label in enumerate(labels):
        tp = confusion[i, i]
        precision = tp / max(1, confusion[:, i].sum())
        recall = tp / max(1, confusion[i].sum())
        f1 = 2 * precision * recall / max(1e-12, precision + recall)
        per_label[label] = {"precision": round(float(precision), 4), "recall": round(float(recall), 4),
                            "f1": round(float(f1), 4), "support": int(confusion[i].sum())}
    return {"accuracy": round(float(np.trace(confusion) / confusion.sum()), 4), "n": int(confusion.sum()),
            "perLabel": per_label, "confusion": confusion.tolist()}


def latency_ms(onnx_path: Path, batch: int, runs: int = 300) -> float:
    """Median milliseconds per face, one thread, `batch` faces per run, after warm-up."""
    meta = load_metadata(onnx_path)
    run = session(onnx_path, threads=1)
    x = np.random.default_rng(0).standard_normal((batch, 1, meta["input"]["height"], meta["input"]["width"]),
                                                 dtype=np.float32)
    feeds = {meta["input"]["name"]: x}
    for _ in range(30):
        run.run(None, feeds)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run.run(None, feeds)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000 / batch


def evaluate_model(onnx_path: Path, test: Split) -> dict:
    meta = load_metadata(onnx_path)
    probabilities = classify(onnx_path, test.images)
    result = scores(meta["labels"], test.labels, probabilities.argmax(1))
    result["msPerFace"] = {"batch1": round(latency_ms(onnx_path, 1), 3), "batch8": round(latency_ms(onnx_path, 8), 3),
                           "threads": 1, "runtime": f"onnxruntime {ort.__version__}"}
    return result


def plot_confusion(labels: list[str], confusion: list[list[int]], title: str, path: Path) -> None:
    matrix = np.asarray(confusion, dtype=np.float64)
    rates = matrix / matrix.sum(axis=1, keepdims=True)
    figure, axes = plt.subplots(figsize=(6.4, 5.6))
    image = axes.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    for (row, column), value in np.ndenumerate(matrix):
        axes.text(column, row, f"{rates[row, column]:.2f}\n{int(value)}", ha="center", va="center", fontsize=7,
                  color="white" if rates[row, column] > 0.5 else "black")
    axes.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    axes.set_yticks(range(len(labels)), labels)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(title)
    figure.colorbar(image, ax=axes, fraction=0.046, label="share of the true label")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def plot_history(histories: dict[str, list[dict]], path: Path) -> None:
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(10, 4))
    for name, history in histories.items():
        epochs = [h["epoch"] for h in history]
        loss_axes.plot(epochs, [h["loss"] for h in history], label=name)
        tested = [h for h in history if "test_accuracy" in h]
        accuracy_axes.plot(epochs, [h["train_accuracy"] for h in history], alpha=0.5, label=f"{name} train (augmented)")
        accuracy_axes.plot([h["epoch"] for h in tested], [h["test_accuracy"] for h in tested], marker="o",
                           markersize=3, label=f"{name} PublicTest (EMA)")
    loss_axes.set_xlabel("epoch")
    loss_axes.set_ylabel("training loss")
    accuracy_axes.set_xlabel("epoch")
    accuracy_axes.set_ylabel("accuracy")
    for axes in (loss_axes, accuracy_axes):
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def blur_sensitivity(checkpoint: Path, test: Split) -> dict[float, float]:
    """PublicTest accuracy of a trained checkpoint (PyTorch, float32) for several input blurs."""
    final = torch.load(checkpoint, weights_only=False)
    model = build_model(final["config"]["model"])
    model.load_state_dict(final["model"])
    return {sigma: float((predict(model, test.images, sigma).argmax(1) == test.labels).mean()) for sigma in SENSITIVITY_SIGMAS}


def plot_crops(train: Split, test: Split, path: Path, count: int = 10) -> None:
    """A strip of training crops above a strip of PublicTest crops (same labels, chosen by a fixed seed)."""
    rng = np.random.default_rng(0)
    rows = [np.concatenate(list(split.images[rng.choice(len(split), count, replace=False)]), axis=1) for split in (train, test)]
    figure, axes = plt.subplots(2, 1, figsize=(count * 0.9, 2.2))
    for axes_row, row, title in zip(axes, rows, ("Training crops (as stored)", "PublicTest crops (as stored)")):
        axes_row.imshow(row, cmap="gray", vmin=0, vmax=255)
        axes_row.set_title(title, fontsize=9)
        axes_row.axis("off")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def report(shipped: tuple[dict, dict], baseline: tuple[dict, dict] | None, blur: dict,
           sensitivity: dict[float, float] | None) -> str:
    """models/REPORT.md from (metadata, evaluation) pairs."""
    rows = [("emoface (shipped)", *shipped)] + ([("mini-Xception baseline, trained here", *baseline)] if baseline else [])
    lines = [
        "# Expression model report",
        "",
        "Written by `npm run evaluate` (`python -m emoface_training.evaluate`); every number below comes from",
        "running the exported ONNX files through onnxruntime on this machine. PublicTest is FER2013's",
        "PublicTest split (3,589 crops), the split used to choose models; the PrivateTest split is not used here.",
        "",
        "| model | parameters | MFLOPs / face | ONNX size | ms / face (1 thread, batch 1) | ms / face (batch 8) | PublicTest accuracy |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, meta, result in rows:
        lines.append(f"| {name} | {meta['model']['parameters']:,} | {2 * meta['model']['macsPerFace'] / 1e6:.1f} | "
                     f"{meta['model']['bytes'] / 1e6:.2f} MB | {result['msPerFace']['batch1']:.3f} | "
                     f"{result['msPerFace']['batch8']:.3f} | **{100 * result['accuracy']:.2f}%** |")
    meta, result = shipped
    training = meta["training"]
    lines += [
        "",
        "Both models are trained and exported the same way: batch norm folded, float16 weights, and inside the",
        "graph the input blur (below) and probabilities averaged over the crop and its mirror image (the FLOPs",
        "and times include both passes).",
        "For reference, the published mini-Xception reaches 66% on FER2013 (Arriaga et al. 2017).",
        "",
        f"Shipped model: `{meta['model']['architecture']}`, trained {training['epochs']} epochs on "
        f"{training['images']:,} training crops in {training['seconds'] / 60:.1f} minutes with "
        f"{training['threads']} threads ({training['machine']}), commit `{training['commit'][:12]}`.",
        "",
        "## The training crops are blurred",
        "",
        "![training crops above, PublicTest crops below](crops.png)",
        "",
        "Every Training crop of this FER2013 copy is blurred; the PublicTest crops, like live camera crops, are",
        f"sharp. The median Laplacian energy of a Training crop is {blur['trainMedianLaplacian']}, of a PublicTest",
        f"crop {blur['testMedianLaplacian']}; a Gaussian blur of sigma **{blur['sigma']} px** brings the PublicTest",
        "crops to the Training crops' level (`python -m emoface_training.sharpness`). A model that learned from",
        "blurred faces and is shown sharp ones sees features it never saw, so the shipped graph blurs its input",
        "by that sigma before classifying (`models.Shipped`). The information the blur removed from the",
        "training data is not coming back: that bounds the accuracy any model trained on this copy can reach.",
        "",
    ]
    if sensitivity:
        lines += [
            "PublicTest accuracy of the shipped weights (PyTorch, before float16 export) by input blur:",
            "",
            "| input blur sigma (px) | " + " | ".join(f"{s:g}" for s in sensitivity) + " |",
            "| --- | " + " | ".join("---:" for _ in sensitivity) + " |",
            "| PublicTest accuracy | " + " | ".join(f"{100 * a:.2f}%" for a in sensitivity.values()) + " |",
            "",
        ]
    lines += [
        "## Per label (shipped model, PublicTest)",
        "",
        "| label | precision | recall | F1 | images |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, values in result["perLabel"].items():
        lines.append(f"| {label} | {values['precision']:.3f} | {values['recall']:.3f} | {values['f1']:.3f} | "
                     f"{values['support']} |")
    lines += [
        "",
        "![confusion matrix of the shipped model](confusion.png)",
        "",
    ]
    if (MODELS_DIR / "training.png").exists():
        lines += ["![training curves](training.png)", ""]
    lines += [
        "## Reproduce",
        "",
        "```sh",
        "npm install          # BlazeFace for the alignment template",
        "npm run train        # trains both models, exports them, then runs the evaluation",
        "npm run evaluate     # only this report, from the committed ONNX files",
        "```",
        "",
        "`npm run train` runs `training/scripts/train-all.sh`, that is, in `training/` with its virtual environment:",
        "",
        "```sh",
        *[line.removeprefix("run ") for line in (TRAINING_DIR / "scripts" / "train-all.sh").read_text().splitlines()
          if line.startswith("run ")],
        "```",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="emoface_training.evaluate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=MODELS_DIR / "expression.onnx")
    parser.add_argument("--baseline", type=Path, default=MODELS_DIR / "baseline" / "mini_xception.onnx")
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="FER2013 folder or csv")
    parser.add_argument("--runs", type=Path, default=TRAINING_DIR / "runs",
                        help="training runs, for the training-curve plot when present")
    args = parser.parse_args(argv)
    if not args.model.is_file():
        parser.error(f"{args.model}: no such model")
    torch.set_num_threads(2)
    test = load_cached(args.data, "test", TRAINING_DIR / ".cache")
    train = load_cached(args.data, "train", TRAINING_DIR / ".cache")
    blur = estimate_blur(train.images, test.images)
    plot_crops(train, test, args.model.parent / "crops.png")
    shipped_meta = load_metadata(args.model)
    shipped_run = shipped_meta["model"]["architecture"]  # train-all.sh trains each model in runs/<architecture>
    checkpoint = args.runs / shipped_run / "final.pt"
    sensitivity = blur_sensitivity(checkpoint, test) if checkpoint.is_file() else None

    shipped_result = evaluate_model(args.model, test)
    shipped_meta["metrics"] = {"publicTest": shipped_result}
    write_atomic(args.model.with_suffix(".json"), (json.dumps(shipped_meta, indent=2) + "\n").encode())
    plot_confusion(shipped_meta["labels"], shipped_result["confusion"],
                   f"emoface on FER2013 PublicTest: {100 * shipped_result['accuracy']:.2f}%",
                   args.model.parent / "confusion.png")

    baseline = None
    if args.baseline.is_file():
        baseline_meta = load_metadata(args.baseline)
        baseline_result = evaluate_model(args.baseline, test)
        baseline_meta["metrics"] = {"publicTest": baseline_result}
        write_atomic(args.baseline.with_suffix(".json"), (json.dumps(baseline_meta, indent=2) + "\n").encode())
        baseline = (baseline_meta, baseline_result)
    else:
        print(f"{args.baseline}: not found, report without the baseline", file=sys.stderr)

    histories = {}
    for name in (shipped_run, "mini_xception"):
        final = args.runs / name / "final.pt"
        if final.is_file():
            histories[name] = torch.load(final, weights_only=False)["history"]
    if histories:
        plot_history(histories, args.model.parent / "training.png")
    write_atomic(args.model.parent / "REPORT.md",
                 report((shipped_meta, shipped_result), baseline, blur, sensitivity).encode())
    print(json.dumps({"accuracy": shipped_result["accuracy"], "msPerFace": shipped_result["msPerFace"],
                      "baseline": baseline[1]["accuracy"] if baseline else None}))


if __name__ == "__main__":
    main()
