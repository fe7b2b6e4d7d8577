// Copies what the page loads at run time into public/assets/, so the app serves it itself and the
// page never asks another host: the expression model, BlazeFace, onnxruntime-web's wasm files and
// the Twemoji artwork of the built-in emoji sets.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMOJI_SETS, twemojiName } from '@emoface/core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const out = join(here, '..', 'public', 'assets');
const require = createRequire(import.meta.url);
// onnxruntime-web exports no ./package.json; its main entry lives in dist/.
const ortDist = dirname(require.resolve('onnxruntime-web'));
const twemoji = dirname(require.resolve('@twemoji/svg/package.json'));

function copy(from, to) {
  if (!existsSync(from)) throw new Error(`${from} is missing (run npm install at the repository root)`);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

rmSync(out, { recursive: true, force: true });
for (const name of ['expression.onnx', 'expression.json']) copy(join(repo, 'models', name), join(out, 'models', name));
for (const name of ['face_detection_front_128x128.onnx', 'face_detection_back_256x256.onnx', 'LICENSE']) {
  copy(join(repo, 'vendor', 'blazeface', name), join(out, 'blazeface', name));
}
for (const name of readdirSync(ortDist).filter((n) => /^ort-wasm-simd-threaded\.(asyncify\.|jsep\.)?(wasm|mjs)$/.test(n))) {
  copy(join(ortDist, name), join(out, 'ort', name));
}
const emoji = new Set(Object.values(EMOJI_SETS).flatMap((set) => Object.values(set.levels).flat()));
for (const e of emoji) {
  const file = `${twemojiName(e)}.svg`;
  copy(join(twemoji, file), join(out, 'emoji', file));
}
copy(join(twemoji, 'license'), join(out, 'emoji', 'LICENSE'));
console.log(`emoface web: assets in ${out}`);
