// `node scripts/blendshapes.mjs <photo or folder>… --out file.json [--source "where the photos are from"]`:
// what the shipped face landmarker (models/face-landmarker/, through MediaPipe's wasm in headless
// Chromium, as the analyser runs it) reads of each photo's face: its 52 blendshape scores and the head's
// yaw, pitch and roll. Writes the readings, with this command and the photos' source, for the gesture
// tests (tests/fixtures/blendshapes.json), and prints the share of the faces read on which each gesture's
// condition holds (one reading, as a still shows it: src/pipeline/gestures/gestureReader.ts), the share
// that stirs (comes near a gesture: the landmarker then reads at its attentive pace), and the median time
// of a reading.
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { runnerImport } from 'vite';
import { openBuiltPage } from './builtPage.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const IMAGE = /\.(jpe?g|png|webp|bmp)$/i;
const { values: options, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' }, source: { type: 'string', default: '' } } });
if (positionals.length === 0 || !options.out) {
  console.error('usage: node scripts/blendshapes.mjs <photo or folder>… --out file.json [--source "…"]');
  process.exit(2);
}

/** Every photo named, folders walked, sorted. */
const photos = positionals.flatMap(function walk(path) {
  const full = resolve(path);
  if (statSync(full).isDirectory()) return readdirSync(full).sort().flatMap((name) => walk(join(full, name)));
  return IMAGE.test(full) ? [full] : [];
});

const round = (value) => Math.round(value * 1000) / 1000;
const { page, close } = await openBuiltPage({
  root: join(ROOT, 'scripts', 'blendshapes'), models: join(ROOT, 'models'), name: 'blendshapes', files: {
    '/wasm/mediapipe/': join(ROOT, 'node_modules', '@mediapipe', 'tasks-vision', 'wasm'),
    '/models/': join(ROOT, 'models'),
  },
});
try {
  await page.evaluate(() => window.emofaceBlendshapes.then(() => undefined));
  const readings = [];
  const times = [];
  for (const photo of photos) {
    const { data, info } = await sharp(photo).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const { reading, ms } = await page.evaluate(async ([b64, w, h]) => (await window.emofaceBlendshapes)(b64, w, h), [data.toString('base64'), info.width, info.height]);
    times.push(ms);
    const name = `${basename(dirname(photo))}/${basename(photo)}`;
    if (!reading) {
      console.log(`${name}: no face`);
      continue;
    }
    readings.push({
      photo: name, yaw: round(reading.yaw), pitch: round(reading.pitch), roll: round(reading.roll),
      blendshapes: Object.fromEntries(Object.entries(reading.blendshapes).filter(([key]) => key !== '_neutral').map(([key, score]) => [key, round(score)])),
    });
  }
  // Paths in the repository or beside it (../shared) relative to it, others (Debian's photos) as they are.
  const shown = (path) => (relative(ROOT, resolve(path)).startsWith('../..') ? resolve(path) : relative(ROOT, resolve(path)));
  const command = `node scripts/blendshapes.mjs ${positionals.map(shown).join(' ')} --out ${shown(options.out)}${options.source ? ` --source ${JSON.stringify(options.source)}` : ''}`;
  writeFileSync(options.out, `${JSON.stringify({ command, source: options.source, model: 'models/face-landmarker/model.json', readings }, null, 1)}\n`);
  console.log(`${readings.length} of ${photos.length} photos read; wrote ${options.out}`);
  const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? NaN;
  console.log(`a reading took ${median.toFixed(1)} ms (median of ${times.length})`);
  const { module: rules } = await runnerImport(join(ROOT, 'src', 'pipeline', 'gestures', 'gestureReader.ts'), { configFile: false, logLevel: 'warn' });
  const held = readings.map((reading) => rules.conditions(reading.blendshapes));
  for (const gesture of ['eyesClosed', 'wink', 'kiss', 'mouthOpen', 'cheeksPuffed', 'browRaised']) {
    const share = readings.length ? (100 * held.filter((set) => set.has(gesture)).length) / readings.length : 0;
    console.log(`${gesture}: its condition holds on ${share.toFixed(1)} % of the faces read`);
  }
  const stirring = readings.length ? (100 * readings.filter((reading) => rules.stirring(reading.blendshapes)).length) / readings.length : 0;
  console.log(`stirring (read at the attentive pace, DEFAULTS.gestures): ${stirring.toFixed(1)} % of the faces read`);
} finally {
  await close();
}
