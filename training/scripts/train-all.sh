#!/usr/bin/env bash
# Retrains the shipped expression model, exports it to TF.js (models/expression*), writes the report.
# Resumable: run it again after an interruption and training continues from its last epoch.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run() { "$here/venv.sh" "$@"; }
run python -m emoface_training.train --model emonet_dw --out runs/emonet_dw --epochs 45 --threads 1
run python -m emoface_training.export --checkpoint runs/emonet_dw/final.pt
run python -m emoface_training.evaluate --checkpoint runs/emonet_dw/final.pt
