"""How fast each candidate architecture runs where it ships: TF.js's wasm backend, one thread.

    python -m emoface_training.candidates        # writes ../models/candidates.json, printed as a table

Each EmoNet variant gets seeded random weights (speed does not depend on them), goes through the real
export (folding, a graph model of fused ops, parity with PyTorch on real crops) and bench/expressionModel.mjs.
"""
from __future__ import annotations

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
from .train import TRAINING_DIR, balanced_limit

BENCH = TRAINING_DIR.parent / "bench" / "expressionModel.mjs"


def measure(name: str, crops: np.ndarray, train_counts: np.ndarray) -> dict:
    torch.manual_seed(0)
    model = build_model(name)
    with tempfile.TemporaryDirectory() as folder:
        report = export_tfjs(model, crops, Path(folder) / "expression")
        checkpoint = {"config": {"model": name, "epochs": 0, "threads": 1}, "metrics": {"train_seconds": 0.0}}
        meta = metadata(checkpoint, Path(folder) / "expression", report, train_counts)
        (Path(folder) / "expression.json").write_text(json.dumps(meta))
        run = subprocess.run(["node", str(BENCH), folder, "--runs", "100", "--no-save"], capture_output=True, text=True, check=True)
    result = json.loads([line for line in run.stdout.splitlines() if line.startswith("{")][-1])
    return {"architecture": name, "parameters": meta["model"]["parameters"], "macsPerFace": meta["model"]["macsPerFace"],
            "bytes": meta["model"]["bytes"], "msPerFace": result["msPerFace"]}


def main() -> None:
    test = load_cached(DEFAULT_DATA, "test", TRAINING_DIR / ".cache")
    crops = balanced_limit(test, PARITY_CROPS, np.random.default_rng(0)).images
    counts = load_cached(DEFAULT_DATA, "train", TRAINING_DIR / ".cache").counts()
    names = [name for name, spec in ARCHITECTURES.items() if spec["cls"] is EmoNet]
    rows = [measure(name, crops, counts) for name in names]
    write_atomic(MODELS_DIR / "candidates.json", (json.dumps(rows, indent=2) + "\n").encode())
    for row in rows:
        print(f"{row['architecture']:>14}  {row['parameters']:>8,} params  {row['macsPerFace'] / 1e6:5.1f} MMACs  "
              f"{row['msPerFace']['batch1']:.2f} ms/face (batch 1)  {row['msPerFace']['batch3']:.2f} ms/face (batch 3)", file=sys.stderr)


if __name__ == "__main__":
    main()
