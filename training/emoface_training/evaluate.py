"""Evaluate the exported TF.js model on FER2013 PublicTest and write models/REPORT.md.

    python -m emoface_training.evaluate        # the shipped model; records its metrics in expression.json

Evaluates what ships: models/expression.json and the TF.js files it names, run by TF.js's wasm backend
in Node (scripts/tfjs-predict.mjs), preprocessed as the metadata says. The extension's whole pipeline in
Chromium (detection, alignment, this model) is evaluated by `npm run eval`.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from .data import DEFAULT_DATA, LABELS, load_cached  # noqa: E402
from .datasets import CKPLUS, SFEW, write_held_out  # noqa: E402
from .export import LOGGED_PUBLIC_TEST, MODELS_DIR, write_atomic  # noqa: E402
from .models import build_model, count_macs, count_parameters, equalize_histogram  # noqa: E402
from .train import TRAINING_DIR, predict, train_command  # noqa: E402

#: The mini-Xception paper's five labels (Yi, Hong & Park use the same five).
FIVE_LABELS = ("angry", "happy", "neutral", "sad", "surprise")
NODE_PREDICT = TRAINING_DIR / "scripts" / "tfjs-predict.mjs"
EVAL_SCRIPT = TRAINING_DIR.parent / "scripts" / "eval.mjs"
BENCH_RESULTS = TRAINING_DIR.parent / "bench" / "results"


def classify(models_dir: Path, crops: np.ndarray) -> np.ndarray:
    """Probabilities [N, labels] from the exported model on TF.js wasm in Node, for uint8 crops [N, H, W]
    (equalized here first when the metadata asks for it; Node does the rest of the normalisation)."""
    crops = np.ascontiguousarray(crops, dtype=np.uint8)
    meta = json.loads((models_dir / "expression.json").read_text())
    if meta["input"]["normalization"].get("equalizeHistogram"):
        crops = equalize_histogram(torch.from_numpy(crops)).numpy()
    with tempfile.TemporaryDirectory() as folder:
        crops_path, out_path = Path(folder) / "crops.bin", Path(folder) / "out.bin"
        crops_path.write_bytes(crops.tobytes())
        run = subprocess.run(["node", str(NODE_PREDICT), str(models_dir), str(crops_path), str(out_path)],
                             capture_output=True, text=True, cwd=TRAINING_DIR)
        if run.returncode != 0:
            raise RuntimeError(f"TF.js prediction failed:\n{run.stderr[-2000:]}")
        return np.frombuffer(out_path.read_bytes(), dtype="<f4").reshape(len(crops), len(LABELS)).copy()


def metrics(probabilities: np.ndarray, labels: np.ndarray) -> dict:
    """Accuracy, per-label precision/recall/F1 and the confusion matrix (rows true, columns predicted)."""
    predicted = probabilities.argmax(1)
    confusion = np.zeros((len(LABELS), len(LABELS)), dtype=int)
    np.add.at(confusion, (labels, predicted), 1)
    per_label = {}
    for i, label in enumerate(LABELS):
        tp = confusion[i, i]
        precision = tp / max(1, confusion[:, i].sum())
        recall = tp / max(1, confusion[i].sum())
        per_label[label] = {"precision": round(float(precision), 4), "recall": round(float(recall), 4),
                            "f1": round(float(2 * precision * recall / max(1e-9, precision + recall)), 4),
                            "support": int(confusion[i].sum())}
    return {"accuracy": round(float((predicted == labels).mean()), 4), "n": int(len(labels)), "perLabel": per_label,
            "confusion": confusion.tolist(), "labels": list(LABELS)}


def five_label_accuracy(probabilities: np.ndarray, labels: np.ndarray) -> dict:
    """The paper's setting: images of the five labels only, the answer the most probable of the five."""
    keep = [LABELS.index(label) for label in FIVE_LABELS]
    mask = np.isin(labels, keep)
    predicted = np.array(keep)[probabilities[mask][:, keep].argmax(1)]
    return {"accuracy": round(float((predicted == labels[mask]).mean()), 4), "n": int(mask.sum()), "labels": list(FIVE_LABELS)}


def plot_confusion(result: dict, path: Path) -> None:
    confusion = np.array(result["confusion"], dtype=float)
    normalised = confusion / confusion.sum(axis=1, keepdims=True)
    figure, axes = plt.subplots(figsize=(5.2, 4.4))
    axes.imshow(normalised, cmap="Blues", vmin=0, vmax=1)
    axes.set_xticks(range(len(LABELS)), LABELS, rotation=45, ha="right")
    axes.set_yticks(range(len(LABELS)), LABELS)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    for (row, column), value in np.ndenumerate(normalised):
        axes.text(column, row, f"{value:.2f}", ha="center", va="center", fontsize=7, color="white" if value > 0.5 else "black")
    axes.set_title(f"PublicTest, accuracy {result['accuracy']:.1%}")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_training(history: list[dict], path: Path) -> None:
    figure, axes = plt.subplots(1, 2, figsize=(8, 3))
    epochs = [h["epoch"] for h in history]
    axes[0].plot(epochs, [h["loss"] for h in history])
    axes[0].set_title("training loss")
    axes[1].plot(epochs, [h["train_accuracy"] for h in history], label="train (augmented)")
    tested = [h for h in history if "test_accuracy" in h]
    axes[1].plot([h["epoch"] for h in tested], [h["test_accuracy"] for h in tested], "o-", label="PublicTest")
    axes[1].set_title("accuracy")
    axes[1].legend()
    for axis in axes:
        axis.set_xlabel("epoch")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def evaluate_baseline(checkpoint: Path, test) -> dict:
    """The mini-Xception baseline's PublicTest scores, in PyTorch (its max-pooling does not export to TF.js here)."""
    trained = torch.load(checkpoint, weights_only=False)
    model = build_model(trained["config"]["model"])
    model.load_state_dict(trained["model"])
    probabilities = predict(model, test.images)
    config = trained["config"]
    return {
        "architecture": config["model"], "parameters": count_parameters(model), "macsPerFace": count_macs(model),
        "publicTest": metrics(probabilities, test.labels)["accuracy"],
        "publicTestFiveLabels": five_label_accuracy(probabilities, test.labels)["accuracy"],
        "evaluatedWith": "PyTorch (not exported)", "epochs": config["epochs"], "seconds": trained["metrics"]["train_seconds"],
        "command": train_command(config),
    }


#: The held-out parts scored beside PublicTest (emoface_training.datasets: CK+ by subject, SFEW by film),
#: each as `npm run eval` reads it: "crops" go straight to the expression model, "photos" through detection
#: and alignment as in the extension (no face found counts as wrong). CK+48's 48×48 crops are crops; SFEW's
#: 143×181 film stills are scored both ways, since face-api.js's detector rarely finds a face in them.
CROSS_DATASET_PARTS = (("ckplus", "crops"), ("sfew", "photos"), ("sfew", "crops"))
#: The parts whose mean is the cross-dataset score, in each way of reading them.
CROSS_DATASET_SCORES = {"as the extension reads them": (("ckplus", "crops"), ("sfew", "photos")),
                        "all as crops": (("ckplus", "crops"), ("sfew", "crops"))}
HELD_OUT_DIR = TRAINING_DIR / ".cache" / "heldout"


def run_eval(folder: Path, photos: bool, models_dir: Path, anchor: str | None = None) -> dict:
    """What `npm run eval` prints for `folder` (emoface's analyser in Chromium, or the anchor)."""
    command = ["node", str(EVAL_SCRIPT), str(folder), "--models", str(models_dir), *(["--detect"] if photos else []),
               *(["--anchor", anchor] if anchor else [])]
    run = subprocess.run(command, capture_output=True, text=True, cwd=TRAINING_DIR.parent)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{run.stderr[-2000:]}")
    return json.loads(run.stdout)


def cross_dataset(models_dir: Path, held_out_dir: Path = HELD_OUT_DIR) -> dict:
    """Accuracy of emoface and of face-api.js's pipeline on every held-out part, and the cross-dataset scores."""
    write_held_out(held_out_dir)
    parts = []
    for name, way in CROSS_DATASET_PARTS:
        for model, anchor in (("emoface", None), ("face-api.js", "face-api")):
            result = run_eval(held_out_dir / name, way == "photos", models_dir, anchor)
            parts.append({"dataset": name, "read": way, "model": model, "accuracy": result["accuracy"], "n": result["n"],
                          "noFace": result["noFace"], "fiveLabels": result["fiveLabel"]["accuracy"],
                          "command": f"npm run eval -- {held_out_dir.relative_to(TRAINING_DIR.parent)}/{name}"
                                     f"{' --detect' if way == 'photos' else ''}{' --anchor ' + anchor if anchor else ''}"})
    accuracy = {(p["dataset"], p["read"], p["model"]): p["accuracy"] for p in parts}
    scores = {score: {model: round(float(np.mean([accuracy[(d, r, model)] for d, r in members])), 4)
                      for model in ("emoface", "face-api.js")} for score, members in CROSS_DATASET_SCORES.items()}
    return {"parts": parts, "scores": scores, "heldOut": "every third subject of CK+ and every third film (or series) of SFEW, "
                                                         "by sorted name (emoface_training.datasets.held_out_groups)"}


def short_run(candidate: dict) -> str:
    """A candidate's short training run as a table cell: accuracy (epochs, minutes), or why there is none."""
    if "shortTraining" not in candidate:
        return "–"
    run = candidate["shortTraining"]
    if run is None:
        return "– (not trained)"
    return f"{100 * run['publicTestAccuracy']:.2f}% ({run['epochs']}, {run['trainSeconds'] / 60:.0f})"


def newest_bench(pattern: str, matches) -> tuple[Path, dict] | None:
    """(path, result) of the newest bench/results/<pattern> file whose result `matches`, or None."""
    for path in sorted(BENCH_RESULTS.glob(pattern), reverse=True):
        result = json.loads(path.read_text())
        if matches(result):
            return path, result
    return None


def speed_section(meta: dict) -> list[str]:
    """The shipped model's speed, from the newest benchmark results that ran this very model (by its hash)."""
    sha = meta["model"]["sha256"]
    node = newest_bench("expression-model-*.json", lambda r: r["model"].get("sha256") == sha)
    call = newest_bench("call-*.json", lambda r: r["versions"].get("expressionModel", {}).get("sha256") == sha)
    lines = ["## Speed of the shipped model", ""]
    if node:
        path, result = node
        lines += [f"TF.js wasm, one thread, in Node (`npm run bench:model`, {path.relative_to(TRAINING_DIR.parent)}): "
                  f"**{result['msPerFace']['batch1']:.2f} ms** per face at batch 1, **{result['msPerFace']['batch3']:.2f} ms** "
                  f"per face at batch 3 (median of {result['runs']} runs; targets 5 and 3).", ""]
    if call:
        path, result = call
        scenes = ", ".join(f"{r['width']}×{r['height']} with {r['faces']} face(s) {r['on']['stageMs']['classify']} ms"
                           for r in result["results"] if r["on"].get("stageMs"))
        lines += [f"In the offscreen document during a call (`npm run bench`, {path.relative_to(TRAINING_DIR.parent)}; "
                  f"per batch, including equalization and reading the result back, with the call's own work on the same "
                  f"two cores): {scenes}.", ""]
    if not node and not call:
        lines += ["No benchmark has run this model yet: `npm run bench:model`, `npm run bench`.", ""]
    return lines


def epoch_time(history: list[dict] | None) -> str:
    """The median epoch's seconds, from a run's history (its `seconds` are cumulative), as a note."""
    if not history:
        return ""
    ends = [0.0, *(h["seconds"] for h in history)]
    median = float(np.median(np.diff(ends)))
    return f"; median epoch {median:.0f} s (the total is wall time, including any time the machine was shared)"


def lineage_lines(run: dict, depth: int = 0) -> tuple[list[str], dict[str, float | None]]:
    """A list item per run that `run` learned from (its teachers, the run it started from), their own under
    each, and each run's training seconds by checkpoint (a run met twice counts once; None when its
    checkpoint was not on the exporting machine)."""
    lines, seconds = [], {}
    indent = "  " * depth
    sources = [("teacher", t) for t in run.get("teachers") or []] + ([("started from", run["init"])] if run.get("init") else [])
    for role, t in sources:
        if "command" not in t:
            lines.append(f"{indent}- {role}: `{t['checkpoint']}` (not on the machine that exported this model)")
            seconds[t["checkpoint"]] = None
            continue
        accuracy = f"{t['publicTest']:.2%}" if t.get("publicTest") is not None else "–"
        by = t.get("publicTestBy", LOGGED_PUBLIC_TEST)  # metadata exported before the field existed
        lines.append(f"{indent}- {role}: `{t['command']}`: {t['seconds'] / 60:.0f} minutes, PublicTest {accuracy} ({by}), "
                     f"commit `{t['commit'][:12]}`")
        nested, nested_seconds = lineage_lines(t, depth + 1)
        lines += nested
        seconds |= nested_seconds | {t["checkpoint"]: t["seconds"]}
    return lines, seconds


def lineage_section(training: dict) -> list[str]:
    """For a model distilled or fine-tuned from other runs: what made each of them, and the chain's time."""
    config = training["config"]
    if not training.get("teachers") and not training.get("init"):
        return []
    lines = []
    if training.get("init"):
        lines.append("Fine-tuned: it started from a trained model's weights (`--init`), not from random ones.")
    if training.get("teachers"):
        flip = " of the crop and its mirror image" if config.get("teacher_flip") else ""
        lines.append(f"Distilled: {config.get('distill_weight', 0.5):.0%} of the loss is the divergence from the teachers' "
                     f"mean softened prediction{flip} (`--teachers`).")
    lines += ["The runs it learned from, each trained first by its own command (`npm run train` runs them in order):", ""]
    listed, seconds = lineage_lines(training)
    lines += listed
    if None not in seconds.values():
        total = training["seconds"] + sum(seconds.values())
        lines += ["", f"The whole chain together: {total / 3600:.1f} hours of training (wall time)."]
    return lines + [""]


def cross_dataset_section(cross: dict | None) -> list[str]:
    """REPORT.md's table of emoface and face-api.js on the held-out parts of the other datasets."""
    if not cross:
        return []
    by = {(p["dataset"], p["read"], p["model"]): p for p in cross["parts"]}

    def pair(ours: float, theirs: float) -> str:
        """Both accuracies, the higher in bold."""
        return " | ".join(f"**{v:.2%}**" if v == max(ours, theirs) else f"{v:.2%}" for v in (ours, theirs))

    rows = []
    for dataset, way in CROSS_DATASET_PARTS:
        ours, theirs = by[(dataset, way, "emoface")], by[(dataset, way, "face-api.js")]
        rows.append(f"| {dataset} ({way}) | {ours['n']} | {pair(ours['accuracy'], theirs['accuracy'])} | "
                    f"{pair(ours['fiveLabels'], theirs['fiveLabels'])} | {ours['noFace']} / {theirs['noFace']} |")
    for score, models in cross["scores"].items():
        rows.append(f"| cross-dataset score, {score} | | {pair(models['emoface'], models['face-api.js'])} | | | |")
    return ["## Beyond FER2013", "",
            "The held-out parts of CK+ and SFEW (never trained on: " + cross["heldOut"] + "), through",
            "`npm run eval` (emoface's analyser in Chromium) and `npm run eval -- --anchor face-api` (face-api.js's",
            "detector and expression net, Node), 7 labels and the paper's 5; the cross-dataset score is the mean",
            "over the datasets:", "",
            "| held-out part (read as) | images | emoface, 7 labels | face-api.js, 7 labels | emoface, 5 | face-api.js, 5 | no face found (emoface / face-api.js) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |", *rows, ""]


def report(meta: dict, result: dict, five: dict, history: list[dict] | None, baseline: dict | None, candidates: list[dict] | None,
           face_api: dict | None, training_plot: bool = False) -> str:
    """REPORT.md; `training_plot`: models/training.png shows the training of this model."""
    training = meta["training"]
    rows = "\n".join(f"| {label} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |"
                     for label, v in result["perLabel"].items())
    lines = [
        "# Expression model report",
        "",
        "Written by `npm run evaluate` (`python -m emoface_training.evaluate`): every number below comes from the",
        "exported TF.js model (models/expression/) run by TF.js's wasm backend in Node, preprocessed as",
        "models/expression.json says (each crop histogram-equalized, then scaled), on FER2013's PublicTest split",
        "(3,589 crops; the split used to choose).",
        "",
        "| model | parameters | MMACs / face | size | PublicTest, 7 labels | PublicTest, 5 labels (paper) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| `{meta['model']['architecture']}` (shipped) | {meta['model']['parameters']:,} | {meta['model']['macsPerFace'] / 1e6:.1f} | "
        f"{meta['model']['bytes'] / 1e6:.2f} MB | **{result['accuracy']:.2%}** | {five['accuracy']:.2%} |",
        *([f"| `{baseline['architecture']}` baseline, trained here ({baseline['evaluatedWith']}) | {baseline['parameters']:,} | "
           f"{baseline['macsPerFace'] / 1e6:.1f} | – | {baseline['publicTest']:.2%} | {baseline['publicTestFiveLabels']:.2%} |"] if baseline else []),
        *([f"| face-api.js expression net (`npm run eval -- <dir> --anchor face-api`, same crops) | – | – | – | {face_api['accuracy']:.2%} | "
           f"{face_api['fiveLabel']['accuracy']:.2%} |"] if face_api else []),
        "",
        "For reference: mini-Xception reaches 66% on FER2013 (Arriaga et al. 2017); the best single models about 73%.",
        "",
        f"Trained {training['epochs']} epochs on {training['images']:,} sharp training crops in "
        f"{training['seconds'] / 60:.0f} minutes with {training['threads']} thread(s) ({training['machine']}){epoch_time(history)}, "
        f"commit `{training['commit'][:12]}`; `{training['command']}`, full config in expression.json.",
        "",
        *cross_dataset_section(meta["metrics"].get("crossDataset")),
        *lineage_section(training),
        *(["## Choosing the architecture", "",
            "Speed where the model runs — TF.js wasm, one thread, in Node (`python -m emoface_training.candidates`, seeded",
            "random weights through the real export; targets ≤ 5 ms per face at batch 1, ≤ 3 ms at batch 3), and how",
            "well those that met the speed targets on an idle machine learn in a short run of the shipped recipe",
            "(`python -m emoface_training.candidates --train-epochs N`; PublicTest, PyTorch, EMA weights):", "",
            "| architecture | parameters | MMACs / face | ms / face, batch 1 | ms / face, batch 3 | short run: PublicTest (epochs, minutes) |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            *[f"| `{c['architecture']}` | {c['parameters']:,} | {c['macsPerFace'] / 1e6:.1f} | {c['msPerFace']['batch1']:.2f} | "
              f"{c['msPerFace']['batch3']:.2f} | {short_run(c)} |" for c in candidates], ""] if candidates else []),
        *speed_section(meta),
        "## Per label",
        "",
        "| label | precision | recall | F1 | images |",
        "| --- | ---: | ---: | ---: | ---: |",
        rows,
        "",
        "![confusion matrix](confusion.png)",
        "",
    ]
    if training_plot:
        lines += ["![training curves](training.png)", ""]
    lines += [
        "## Reproduce",
        "",
        "```sh",
        "npm install",
        "npm run train       # training/scripts/train-all.sh: train (resumable), export to TF.js, this report",
        "npm run evaluate    # only this report, from the committed model",
        "```",
        "",
        "Training checkpoints every epoch to training/runs/<run>/last.pt and continues from it when run again",
        "with the same flags (after an interruption, run `npm run train` again); a new machine starts over.",
        "A model this repository shipped can stand in for its run on a machine without that run's checkpoint:",
        "`python -m emoface_training.recover --metadata <its expression.json> --out runs/<run>/final.pt` rebuilds",
        "the PyTorch checkpoint from the TF.js export (the same outputs in eval mode), for `--teachers` or `--init`.",
        "",
    ]
    return "\n".join(lines)


def evaluate(models_dir: Path, data: str, checkpoint: Path | None, baseline_checkpoint: Path | None = None) -> dict:
    meta_path = models_dir / "expression.json"
    meta = json.loads(meta_path.read_text())
    test = load_cached(data, "test", TRAINING_DIR / ".cache")
    probabilities = classify(models_dir, test.images)
    result = metrics(probabilities, test.labels)
    five = five_label_accuracy(probabilities, test.labels)
    meta["metrics"] = {"publicTest": result, "publicTestFiveLabels": five, "evaluatedWith": "TF.js wasm in Node (training/scripts/tfjs-predict.mjs)"}
    if all(folder.is_dir() for folder in (CKPLUS, SFEW)):
        meta["metrics"]["crossDataset"] = cross_dataset(models_dir)
    write_atomic(meta_path, (json.dumps(meta, indent=2) + "\n").encode())
    plot_confusion(result, models_dir / "confusion.png")
    history = None
    if checkpoint and checkpoint.is_file():
        history = torch.load(checkpoint, weights_only=False)["history"]
        plot_training(history, models_dir / "training.png")
    baseline_path, candidates_path = models_dir / "baseline.json", models_dir / "candidates.json"
    if baseline_checkpoint and baseline_checkpoint.is_file():
        write_atomic(baseline_path, (json.dumps(evaluate_baseline(baseline_checkpoint, test), indent=2) + "\n").encode())
    baseline = json.loads(baseline_path.read_text()) if baseline_path.is_file() else None
    candidates = json.loads(candidates_path.read_text()) if candidates_path.is_file() else None
    # face-api.js's expression net on the same PublicTest crops (TF.js wasm in Node).
    face_api = run_eval(Path(data) / "test", False, models_dir, anchor="face-api")
    write_atomic(models_dir / "faceapi.json", (json.dumps(face_api, indent=2) + "\n").encode())
    # Without the run's checkpoint the plot drawn when this model was made stays (export and evaluate come together).
    plot = history is not None or (models_dir / "training.png").is_file()
    write_atomic(models_dir / "REPORT.md", report(meta, result, five, history, baseline, candidates, face_api, plot).encode())
    return meta["metrics"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="emoface_training.evaluate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=Path, default=MODELS_DIR)
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--checkpoint", type=Path, default=TRAINING_DIR / "runs" / "emonet_wide_kd" / "final.pt",
                        help="its training history is plotted when present")
    parser.add_argument("--baseline", type=Path, default=TRAINING_DIR / "runs" / "mini_xception" / "final.pt",
                        help="the mini-Xception baseline, scored when present (written to baseline.json)")
    args = parser.parse_args(argv)
    result = evaluate(args.models, args.data, args.checkpoint, args.baseline)
    print(json.dumps({"accuracy": result["publicTest"]["accuracy"], "fiveLabels": result["publicTestFiveLabels"]["accuracy"]}))


if __name__ == "__main__":
    main()
