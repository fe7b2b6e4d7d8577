"""The candidate architectures side by side: how fast each runs where it ships (TF.js's wasm backend,
one thread) and, with --train-epochs, how well the chosen ones learn in a short run of the same recipe.

    python -m emoface_training.candidates                      # speed only
    python -m emoface_training.candidates --train-epochs 10 --train emonet_pooled,emonet_dw,emonet_wide

Writes ../models/candidates.json and prints a table. For speed each EmoNet variant gets seeded random
weights (speed does not depend on them), goes through the real export (folding, a graph model of fused
ops, parity with PyTorch on real crops) and bench/expressionModel.mjs. Short runs train with the default
Config (the shipped recipe) into runs/candidates/<name>-<epochs>ep/ and score PublicTest at the end.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

from .data import DEFAULT_DATA, load_cached
from .export import MODELS_DIR, PARITY_CROPS, export_tfjs, metadata, write_atomic
from .models import ARCHITECTURES, EmoNet, build_model
from .train import TRAINING_DIR, Config, balanced_limit, train

BENCH = TRAINING_DIR.parent / "bench" / "expressionModel.mjs"
CANDIDATES = MODELS_DIR / "candidates.json"


def measure(name: str, crops: np.ndarray, train_counts: np.ndarray) -> dict:
    torch.manual_seed(0)
    model = build_model(name)
    with tempfile.TemporaryDirectory() as folder:
        report = export_tfjs(model, crops, Path(folder) / "expression")
        checkpoint = {"config": dataclasses.asdict(Config(model=name, epochs=0, threads=1)), "metrics": {"train_seconds": 0.0}}
        meta = metadata(checkpoint, Path(folder) / "expression", report, train_counts)
        (Path(folder) / "expression.json").write_text(json.dumps(meta))
        run = subprocess.run(["node", str(BENCH), folder, "--runs", "100", "--no-save"], capture_output=True, text=True, check=True)
    result = json.loads([line for line in run.stdout.splitlines() if line.startswith("{")][-1])
    return {"architecture": name, "parameters": meta["model"]["parameters"], "macsPerFace": meta["model"]["macsPerFace"],
            "bytes": meta["model"]["bytes"], "msPerFace": result["msPerFace"]}


def short_training(name: str, epochs: int, threads: int) -> dict:
    """PublicTest accuracy of `name` after `epochs` epochs of the shipped recipe (a finished run is reused)."""
    out = TRAINING_DIR / "runs" / "candidates" / f"{name}-{epochs}ep"
    final_path = out / "final.pt"
    if final_path.exists():
        final = torch.load(final_path, map_location="cpu", weights_only=False)
    else:
        final = train(Config(model=name, out=str(out), epochs=epochs, threads=threads, eval_every=epochs))
    metrics = final["metrics"]
    return {"epochs": epochs, "publicTestAccuracy": round(metrics["test_accuracy"], 4), "trainSeconds": metrics["train_seconds"],
            "threads": threads}


def main() -> None:
    parser = argparse.ArgumentParser(prog="emoface_training.candidates", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train-epochs", type=int, default=0, help="also train each candidate this many epochs (0: speed only)")
    parser.add_argument("--train", default="emonet_pooled,emonet_dw,emonet_wide",
                        help="comma-separated candidates to short-train (default: those that met the speed targets on an idle machine)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads of the short runs")
    args = parser.parse_args()
    test = load_cached(DEFAULT_DATA, "test", TRAINING_DIR / ".cache")
    crops = balanced_limit(test, PARITY_CROPS, np.random.default_rng(0)).images
    counts = load_cached(DEFAULT_DATA, "train", TRAINING_DIR / ".cache").counts()
    names = [name for name, spec in ARCHITECTURES.items() if spec["cls"] is EmoNet]
    rows = [measure(name, crops, counts) for name in names]
    previous = json.loads(CANDIDATES.read_text()) if CANDIDATES.is_file() else []
    for row in rows:
        if args.train_epochs > 0:
            chosen = row["architecture"] in args.train.split(",")
            row["shortTraining"] = short_training(row["architecture"], args.train_epochs, args.threads) if chosen else None
        else:  # speed only: the short runs of the last --train-epochs run stay
            row["shortTraining"] = next((p.get("shortTraining") for p in previous if p["architecture"] == row["architecture"]), None)
    write_atomic(CANDIDATES, (json.dumps(rows, indent=2) + "\n").encode())
    for row in rows:
        print(f"{row['architecture']:>14}  {row['parameters']:>8,} params  {row['macsPerFace'] / 1e6:5.1f} MMACs  "
              f"{row['msPerFace']['batch1']:.2f} ms/face (batch 1)  {row['msPerFace']['batch3']:.2f} ms/face (batch 3)"
              + (f"  {100 * row['shortTraining']['publicTestAccuracy']:.2f} % after {row['shortTraining']['epochs']} epochs"
                 if row.get("shortTraining") else ""), file=sys.stderr)


if __name__ == "__main__":
    main()
