#!/usr/bin/env bash
# Retrains the shipped expression model and the mini-Xception baseline, exports the model to TF.js
# (models/expression*), measures the candidate architectures' speed, writes the report.
# Resumable: run it again after an interruption and training continues from its last epoch.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run() { "$here/venv.sh" "$@"; }
run python -m emoface_training.train --model emonet_wide --out runs/emonet_wide --epochs 100 --threads 2
run python -m emoface_training.export --checkpoint runs/emonet_wide/final.pt
# One thread: with two, torch 2.13's CPU backward of mini-Xception crashed (segmentation fault) on the full data.
run python -m emoface_training.train --model mini_xception --out runs/mini_xception --epochs 25 --threads 1
run python -m emoface_training.candidates
run python -m emoface_training.evaluate --checkpoint runs/emonet_wide/final.pt
