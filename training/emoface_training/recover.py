"""Recover a trainable PyTorch checkpoint from an exported TF.js model (the inverse of export).

    python -m emoface_training.recover --out runs/emonet_wide_kd/final.pt     # from models/expression.json

The export folds each batch norm into its convolution, so the graph holds one kernel and bias per
convolution. Recovery puts those back into the architecture named in the metadata and rebuilds each batch
norm so the network computes exactly what the export computes in eval mode, and about the same in train
mode: the norm's statistics are the mean and variance of its convolution's output on real training crops,
its scale undoes that variance and its shift carries the bias. The result is a final.pt, as training writes
it (config, labels, weights, metrics, commit from the metadata), usable as `--teachers` or `--init`: a later
stage of the training chain can then run on a machine that lacks the earlier stages' checkpoints.
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .data import DEFAULT_DATA, LABELS, load_cached
from .export import MODELS_DIR, carries_bias_forward, fold_batch_norm, to_graph
from .models import EmoNet, build_model, normalize
from .train import TRAINING_DIR, save_atomic

#: Training crops whose activations give the rebuilt batch norms their statistics.
CALIBRATION_CROPS = 4096


def read_weights(model_json: Path) -> list[tuple[str, np.ndarray]]:
    """The float32 arrays of a TF.js graph model, in shard order (int32 constants such as axes left out)."""
    model = json.loads(model_json.read_text())
    arrays = []
    for group in model["weightsManifest"]:
        data = b"".join((model_json.parent / path).read_bytes() for path in group["paths"])
        offset = 0
        for entry in group["weights"]:
            dtype = {"float32": "<f4", "int32": "<i4"}[entry["dtype"]]
            count = int(np.prod(entry["shape"], dtype=np.int64))
            array = np.frombuffer(data, dtype, count, offset).reshape(entry["shape"])
            offset += 4 * count
            if entry["dtype"] == "float32":
                arrays.append((entry["name"], array))
    return arrays


def conv_layers(model: EmoNet) -> list[tuple[nn.Conv2d, nn.BatchNorm2d, nn.Module | None]]:
    """Each convolution of an unfolded EmoNet with the batch norm after it and the layer after that norm
    (the convolution's neighbour in the export's folded graph), in the export's order."""
    found = []
    for sequential in (m for m in model.modules() if isinstance(m, nn.Sequential)):
        layers = [*sequential.children(), None, None]
        found += [(a, b, c) for a, b, c in zip(layers, layers[1:], layers[2:])
                  if isinstance(a, nn.Conv2d) and isinstance(b, nn.BatchNorm2d)]
    order = {id(m): i for i, m in enumerate(model.modules())}
    return sorted(found, key=lambda layer: order[id(layer[0])])


def load_graph_weights(model: EmoNet, arrays: list[tuple[str, np.ndarray]]) -> list[torch.Tensor]:
    """Copies the graph's kernels into `model`'s convolutions and linear layer; returns each convolution's
    bias (zero for a depthwise convolution: the export carries its bias into the pointwise one after it)."""
    layers = conv_layers(model)
    convs = [conv for conv, _, _ in layers]
    linear = [m for m in model.head if isinstance(m, nn.Linear)][0]
    carried = [carries_bias_forward(conv, following) for conv, _, following in layers]
    expected = sum(1 if bias_carried else 2 for bias_carried in carried) + 2
    if len(arrays) != expected:
        raise ValueError(f"the graph has {len(arrays)} weight arrays; {type(model).__name__} needs {expected}")
    remaining = iter(arrays)
    biases = []
    with torch.no_grad():
        for conv, bias_carried in zip(convs, carried):
            name, kernel = next(remaining)
            # TF.js: [kh, kw, in, out] for a convolution, [kh, kw, channels, 1] for a depthwise one.
            layout = (3, 2, 0, 1) if conv.groups == 1 else (2, 3, 0, 1)
            weight = torch.from_numpy(kernel.transpose(layout).copy())
            if weight.shape != conv.weight.shape:
                raise ValueError(f"{name}: shape {tuple(weight.shape)}, the architecture has {tuple(conv.weight.shape)}")
            conv.weight.copy_(weight)
            if bias_carried:
                biases.append(torch.zeros(conv.out_channels))
            else:
                biases.append(torch.from_numpy(next(remaining)[1].copy()))
        linear.weight.copy_(torch.from_numpy(next(remaining)[1].T.copy()))
        linear.bias.copy_(torch.from_numpy(next(remaining)[1].copy()))
    return biases


@torch.no_grad()
def rebuild_batch_norms(model: EmoNet, biases: list[torch.Tensor], crops: np.ndarray) -> None:
    """Makes each batch norm compute conv(x) + bias in eval mode, with statistics measured on `crops`."""
    layers = conv_layers(model)
    for (_, norm, _), bias in zip(layers, biases):
        # First a pass-through that adds the bias: y = (x − 0) / sqrt(1 − eps + eps) · 1 + bias.
        norm.running_mean.zero_()
        norm.running_var.fill_(1 - norm.eps)
        norm.weight.fill_(1)
        norm.bias.copy_(bias)
    # Per-channel sums of each convolution's output (before its norm) over every crop, in float64.
    sums = {id(conv): torch.zeros(3, conv.out_channels, dtype=torch.float64) for conv, _, _ in layers}

    def accumulate(module: nn.Module, _inputs, output: torch.Tensor) -> None:
        values = output.double().transpose(0, 1).reshape(output.shape[1], -1)  # [C, N·H·W]
        sums[id(module)] += torch.stack([torch.full((len(values),), values.shape[1], dtype=torch.float64),
                                         values.sum(1), values.square().sum(1)])

    handles = [conv.register_forward_hook(accumulate) for conv, _, _ in layers]
    model.eval()
    for start in range(0, len(crops), 512):
        model(normalize(torch.from_numpy(crops[start:start + 512]).unsqueeze(1)))
    for handle in handles:
        handle.remove()
    for (conv, norm, _), bias in zip(layers, biases):
        count, total, squares = sums[id(conv)]
        mean = total / count
        variance = (squares / count - mean.square()).clamp(min=0)  # biased, as batch norm's own
        # γ (x − μ) / sqrt(σ² + eps) + β = x + bias  with  γ = sqrt(σ² + eps), β = bias + μ.
        norm.running_mean.copy_(mean)
        norm.running_var.copy_(variance)
        norm.weight.copy_((variance + norm.eps).sqrt())
        norm.bias.copy_(bias + mean)


def calibration_crops(data: str) -> np.ndarray:
    """The training crops the batch norms' statistics come from: a fixed random sample of every label."""
    train = load_cached(data, "train", TRAINING_DIR / ".cache")
    picked = np.random.default_rng(0).permutation(len(train))[:CALIBRATION_CROPS]
    return train.images[np.sort(picked)]


def recover(metadata_path: Path, data: str) -> dict:
    """A final.pt-shaped checkpoint of the model `metadata_path` (an expression.json) describes."""
    meta = json.loads(metadata_path.read_text())
    if tuple(meta["labels"]) != LABELS:
        raise ValueError(f"{metadata_path}: labels {meta['labels']} differ from {LABELS}")
    config = meta["training"]["config"]
    model = build_model(config["model"])
    if not isinstance(model, EmoNet):
        raise ValueError(f"{metadata_path}: only EmoNet architectures are exported, got {config['model']!r}")
    arrays = read_weights(metadata_path.parent / meta["model"]["file"])
    rebuild_batch_norms(model, load_graph_weights(model, arrays), calibration_crops(data))
    check_round_trip(model, arrays)
    evaluated = meta.get("metrics", {})  # written by the evaluation after the export
    accuracy = evaluated["publicTest"]["accuracy"] if "publicTest" in evaluated else None
    return {
        "config": config, "labels": LABELS, "model": model.state_dict(), "history": [],
        "commit": meta["training"]["commit"],
        "metrics": {"test_accuracy": accuracy,
                    "train_seconds": meta["training"]["seconds"], "epochs": config["epochs"],
                    "train_images": meta["training"]["images"], "parameters": meta["model"]["parameters"],
                    "macs": meta["model"]["macsPerFace"]},
        # What the export recorded of the run, for the lineage of a run that learns from this one.
        "record": {"command": meta["training"]["command"], "commit": meta["training"]["commit"],
                   "seconds": meta["training"]["seconds"], "publicTest": accuracy,
                   "publicTestBy": f"{evaluated.get('evaluatedWith', 'not evaluated')}, the exported model",
                   "recoveredFrom": meta["model"]["weights"][0]["sha256"],
                   **{key: meta["training"][key] for key in ("teachers", "init") if key in meta["training"]}},
    }


def check_round_trip(model: EmoNet, arrays: list[tuple[str, np.ndarray]], tolerance: float = 1e-5) -> None:
    """The recovered model, folded again as the export folds it, must give back the graph's own `arrays`."""
    _, folded = to_graph(fold_batch_norm(copy.deepcopy(model).eval()))
    again = [array for _, array in folded if array.dtype == np.float32]
    original = [array for _, array in arrays]
    if len(again) != len(original):
        raise AssertionError(f"the round trip gives {len(again)} arrays, the graph has {len(original)}")
    worst = max(float(np.abs(a - b).max()) / max(1.0, float(np.abs(b).max())) for a, b in zip(again, original))
    if worst > tolerance:
        raise AssertionError(f"the recovered model folds to weights {worst:.1e} off the graph's (> {tolerance})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="emoface_training.recover", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--metadata", type=Path, default=MODELS_DIR / "expression.json",
                        help="an exported model's expression.json")
    parser.add_argument("--out", type=Path, required=True, help="the final.pt to write")
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="FER2013 folder (calibration crops)")
    args = parser.parse_args(argv)
    if not args.metadata.is_file():
        parser.error(f"--metadata {args.metadata}: no such file")
    checkpoint = recover(args.metadata, args.data)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_atomic(checkpoint, args.out)
    print(f"wrote {args.out} from {args.metadata}", file=sys.stderr)


if __name__ == "__main__":
    main()
