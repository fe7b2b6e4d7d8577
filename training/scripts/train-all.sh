#!/usr/bin/env bash
# Retrains the shipped expression model and the mini-Xception baseline, exports both, writes the report.
# Resumable: run it again after an interruption and each training continues from its last epoch.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run() { "$here/venv.sh" "$@"; }
run python -m emoface_training.train --model emonet --out runs/emonet --epochs 80
run python -m emoface_training.export --checkpoint runs/emonet/final.pt --out ../models/expression.onnx
# One thread: with two, torch 2.13's CPU backward of this model crashes (segmentation fault) on the full data.
run python -m emoface_training.train --model mini_xception --out runs/mini_xception --epochs 30 --threads 1
run python -m emoface_training.export --checkpoint runs/mini_xception/final.pt --out ../models/baseline/mini_xception.onnx
run python -m emoface_training.evaluate
