#!/usr/bin/env bash
# Remakes face_detection_short_range.tflite (see README.md): checks the npm package's model by hash,
# adds MediaPipe Tasks metadata with tflite-support in a throwaway venv, updates model.json's hashes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
source_file="$root/node_modules/@mediapipe/face_detection/face_detection_short_range.tflite"
expected="$(node -p "require('$here/model.json').source.sha256")"
actual="$(sha256sum "$source_file" | cut -d' ' -f1)"
if [ "$actual" != "$expected" ]; then
  echo "make.sh: $source_file has sha256 $actual, expected $expected (npm install @mediapipe/face_detection@$(node -p "require('$here/model.json').source.version"))" >&2
  exit 1
fi
venv="$(mktemp -d)/venv"
trap 'rm -rf "$(dirname "$venv")"' EXIT
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
