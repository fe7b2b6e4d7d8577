"""Export a trained checkpoint to ONNX and write its metadata.

    python -m emoface_training.export --checkpoint runs/emonet/final.pt --out ../models/expression.onnx

What ships: models.Shipped (input blur matching the training crops, then the classifier averaged over
the crop and its mirror image) with batch norm folded into the convolutions, weights stored as float16
(half the bytes) and cast to float32 inside the graph, so every runtime computes in float32. Before anything is written the graph passes onnx.checker and
onnxruntime's output on real FER2013 crops matches PyTorch's (same rounded weights) within 1e-4.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from .data import DEFAULT_DATA, LABELS, load_cached
from .models import INPUT_SHAPE, MEAN, STD, Shipped, build_model, count_macs, count_parameters, normalize
from .template import measure_template
from .train import TRAINING_DIR, Config, training_split

OPSET = 17
PARITY_TOLERANCE = 1e-4
#: ITU-R BT.601 luma weights, what PIL's convert("L") uses; FER2013's crops are gray already.
GRAY_WEIGHTS = (0.299, 0.587, 0.114)


def fold_batch_norm(module: nn.Module) -> nn.Module:
    """Fold every BatchNorm2d that directly follows a Conv2d in a Sequential into that conv (eval mode)."""
    for name, child in module.named_children():
        if isinstance(child, nn.Sequential):
            layers = list(child)
            folded = []
            for layer in layers:
                if isinstance(layer, nn.BatchNorm2d) and folded and isinstance(folded[-1], nn.Conv2d):
                    folded[-1] = fuse_conv_bn_eval(folded[-1], layer)
                else:
                    folded.append(fold_batch_norm(layer))
            setattr(module, name, nn.Sequential(*folded))
        else:
            fold_batch_norm(child)
    return module


def round_to_half(module: nn.Module) -> nn.Module:
    """Round every parameter and buffer to the nearest float16 value (kept as float32)."""
    with torch.no_grad():
        for tensor in [*module.parameters(), *module.buffers()]:
            if tensor.dtype == torch.float32:
                tensor.copy_(tensor.half().float())
    return module


def store_initializers_as_half(model: onnx.ModelProto) -> onnx.ModelProto:
    """Replace each float32 initializer by a float16 one plus a Cast back to float32 (values must be
    float16 already: see round_to_half)."""
    graph = model.graph
    kept, casts = [], []
    for initializer in graph.initializer:
        if initializer.data_type != TensorProto.FLOAT:
            kept.append(initializer)
            continue
        values = numpy_helper.to_array(initializer)
        half = values.astype(np.float16)
        if not np.array_equal(half.astype(np.float32), values):
            raise ValueError(f"initializer {initializer.name} is not exactly representable in float16")
        kept.append(numpy_helper.from_array(half, f"{initializer.name}__float16"))
        casts.append(helper.make_node("Cast", [f"{initializer.name}__float16"], [initializer.name],
                                      to=TensorProto.FLOAT, name=f"{initializer.name}__cast"))
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    return model


def to_onnx(classifier: nn.Module, input_blur_sigma: float) -> tuple[bytes, nn.Module]:
    """The shipped graph's bytes and the PyTorch module it was traced from (the parity reference)."""
    reference = round_to_half(Shipped(fold_batch_norm(classifier.eval()), input_blur_sigma)).eval()
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(reference, torch.zeros(1, *INPUT_SHAPE), buffer, input_names=["input"],
                          output_names=["probabilities"], opset_version=OPSET, dynamo=False,
                          dynamic_axes={"input": {0: "batch"}, "probabilities": {0: "batch"}})
    model = store_initializers_as_half(onnx.load_from_string(buffer.getvalue()))
    model.doc_string = "emoface expression classifier: flip-averaged probabilities over " + ", ".join(LABELS)
    onnx.checker.check_model(model, full_check=True)
    return model.SerializeToString(), reference


def check_parity(onnx_bytes: bytes, reference: nn.Module, crops: np.ndarray) -> float:
    """Max |onnxruntime − PyTorch| over real crops in batches of 1, 7 and 256; raises if ≥ tolerance."""
    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    worst = 0.0
    for size in (1, 7, 256):
        x = normalize(torch.from_numpy(crops[:size]).unsqueeze(1))
        with torch.no_grad():
            expected = reference(x).numpy()
        actual = session.run(None, {"input": x.numpy()})[0]
        if actual.shape != (size, len(LABELS)):
            raise AssertionError(f"onnxruntime output shape {actual.shape}, expected {(size, len(LABELS))}")
        worst = max(worst, float(np.abs(actual - expected).max()))
    if not worst < PARITY_TOLERANCE:
        raise AssertionError(f"onnxruntime and PyTorch differ by {worst:.2e} (≥ {PARITY_TOLERANCE})")
    return worst


def metadata(checkpoint: dict, onnx_bytes: bytes, onnx_name: str, template: dict, parity: float,
             train_counts: np.ndarray) -> dict:
    """The contents of expression.json (see ../shared/DESIGN.md, "Model metadata")."""
    classifier = build_model(checkpoint["config"]["model"])
    config = checkpoint["config"]
    return {
        "format": "emoface-expression-model/1",
        "model": {
            "file": onnx_name, "architecture": config["model"], "parameters": count_parameters(classifier),
            "macsPerFace": 2 * count_macs(classifier), "bytes": len(onnx_bytes),
            "sha256": hashlib.sha256(onnx_bytes).hexdigest(), "opset": OPSET,
            "weights": "float16 stored, cast to float32 in the graph",
            "inGraph": [f"Gaussian blur, sigma {config['input_blur_sigma']} px (the training crops are blurred)",
                        "probabilities averaged over the crop and its mirror image"],
        },
        "labels": list(LABELS),
        "input": {
            "name": "input", "layout": "NCHW", "shape": ["batch", *INPUT_SHAPE],
            "width": INPUT_SHAPE[2], "height": INPUT_SHAPE[1], "channels": INPUT_SHAPE[0], "color": "gray",
            "grayWeights": list(GRAY_WEIGHTS),
            "normalization": {"formula": "(pixel / 255 - mean) / std", "mean": MEAN, "std": STD},
        },
        "output": {"name": "probabilities", "shape": ["batch", len(LABELS)],
                   "kind": "softmax probabilities averaged over the crop and its mirror image"},
        "alignment": template,
        "training": {
            "data": "FER2013 Training split (Kaggle image-folder layout)",
            "images": int(train_counts.sum()),
            "imagesPerLabel": {label: int(n) for label, n in zip(LABELS, train_counts)},
            "commit": checkpoint.get("commit", "unknown"),
            "epochs": config["epochs"], "seconds": checkpoint["metrics"]["train_seconds"],
            "threads": config["threads"], "machine": f"{platform.machine()} {os.cpu_count()} cores",
            "config": config,
            "command": f"python -m emoface_training.train --model {config['model']} --epochs {config['epochs']}",
        },
        "export": {"parityMaxAbsDiff": parity, "tolerance": PARITY_TOLERANCE, "torch": torch.__version__,
                   "onnx": onnx.__version__, "onnxruntime": ort.__version__},
    }


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def export(checkpoint_path: Path, out: Path, data: str) -> dict:
    """Export `checkpoint_path` to `out` (.onnx) and its .json beside it; returns the metadata."""
    checkpoint = torch.load(checkpoint_path, weights_only=False)
    if tuple(checkpoint["labels"]) != LABELS:
        raise ValueError(f"{checkpoint_path}: labels {checkpoint['labels']} differ from {LABELS}")
    classifier = build_model(checkpoint["config"]["model"])
    classifier.load_state_dict(checkpoint["model"])
    test_split = load_cached(data, "test", TRAINING_DIR / ".cache")
    onnx_bytes, reference = to_onnx(classifier, checkpoint["config"]["input_blur_sigma"])
    parity = check_parity(onnx_bytes, reference, test_split.images)
    template = measure_template(load_cached(data, "train", TRAINING_DIR / ".cache"))
    trained_on = training_split(Config(**checkpoint["config"]))
    meta = metadata(checkpoint, onnx_bytes, out.name, template, parity, trained_on.counts())
    write_atomic(out, onnx_bytes)
    write_atomic(out.with_suffix(".json"), (json.dumps(meta, indent=2) + "\n").encode())
    return meta


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="emoface_training.export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", type=Path, default=TRAINING_DIR / "runs" / "emonet" / "final.pt")
    parser.add_argument("--out", type=Path, default=TRAINING_DIR.parent / "models" / "expression.onnx")
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="FER2013 folder or csv (parity crops, template)")
    args = parser.parse_args(argv)
    if not args.checkpoint.is_file():
        parser.error(f"--checkpoint {args.checkpoint}: no such file (train first)")
    if args.out.suffix != ".onnx":
        parser.error(f"--out {args.out}: must end in .onnx")
    meta = export(args.checkpoint, args.out, args.data)
    print(f"wrote {args.out} ({meta['model']['bytes']} bytes, parity {meta['export']['parityMaxAbsDiff']:.1e})",
          file=sys.stderr)


if __name__ == "__main__":
    main()
