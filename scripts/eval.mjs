// `npm run eval -- <dir> [--detect] [--models <dir>] [--limit N]`: accuracy of emoface's analyser, in
// headless Chromium, on a folder <dir>/<label>/* (labels: the model's; other folders are ignored).
// Without --detect the images are 48×48 crops and go straight to the expression model; with --detect
// they are full photos and go through face detection and alignment first (no face found counts as wrong).
// Prints JSON: accuracy, n, per-label recall, the confusion matrix (rows true, columns predicted, in the
// order of "labels"), images with no face.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { build } from 'vite';
import { findChrome } from '../demo/browser.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: { detect: { type: 'boolean', default: false }, models: { type: 'string', default: join(ROOT, 'models') }, limit: { type: 'string', default: '0' } },
});
if (positionals.length !== 1) {
  console.error('usage: npm run eval -- <dir of <label>/ folders> [--detect] [--models <dir>] [--limit N per label]');
  process.exit(2);
}
const data = resolve(positionals[0]);
const models = resolve(options.models);
const meta = JSON.parse(readFileSync(join(models, 'expression.json'), 'utf8'));
const IMAGE = /\.(jpe?g|png|webp|bmp)$/i;

/** [path, label index] of every image under data/<label>/, sorted, at most --limit per label. */
function images() {
  const out = [];
  for (const [index, label] of meta.labels.entries()) {
    const folder = join(data, label);
    if (!existsSync(folder)) continue;
    const files = readdirSync(folder).filter((f) => IMAGE.test(f)).sort();
    for (const file of Number(options.limit) > 0 ? files.slice(0, Number(options.limit)) : files) out.push([join(folder, file), index]);
  }
  if (out.length === 0) throw new Error(`${data}: no images in any of ${meta.labels.map((l) => `${l}/`).join(', ')}`);
  return out;
}

// The eval page, built from the analyser's sources with this models folder.
const outDir = mkdtempSync(join(tmpdir(), 'emoface-eval-'));
await build({
  root: join(ROOT, 'scripts', 'eval'), logLevel: 'warn', configFile: false,
  resolve: { alias: { 'emoface-models': models } },
  build: { outDir, emptyOutDir: true, target: 'chrome116', chunkSizeWarningLimit: 4096 },
});
const FILES = {
  '/wasm/mediapipe/': join(ROOT, 'node_modules', '@mediapipe', 'tasks-vision', 'wasm'),
  '/wasm/tfjs/': join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'),
  '/models/': models,
  '/': outDir,
};
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
const server = createServer((request, response) => {
  const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
  const [prefix, folder] = Object.entries(FILES).find(([p]) => path.startsWith(p));
  const file = join(folder, path.slice(prefix.length) || 'index.html');
  if (!file.startsWith(folder) || !existsSync(file) || !statSync(file).isFile()) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const browser = await chromium.launch({
  executablePath: findChrome(), args: ['--headless=new', '--disable-gpu', '--no-first-run', '--disable-background-networking', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
});
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
  const info = await page.evaluate(async () => {
    const ready = await window.emofaceEval;
    return { backend: ready.backend, labels: ready.labels, crop: ready.crop };
  });
  const list = images();
  const confusion = meta.labels.map(() => meta.labels.map(() => 0));
  let noFace = 0;
  const BATCH = options.detect ? 1 : 64;
  for (let start = 0; start < list.length; start += BATCH) {
    const batch = list.slice(start, start + BATCH);
    let predictions;
    if (options.detect) {
      const [path] = batch[0];
      const { data: rgba, info: size } = await sharp(path).rotate().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      const p = await page.evaluate(async ([b64, w, h]) => (await window.emofaceEval).classifyPhoto(b64, w, h), [rgba.toString('base64'), size.width, size.height]);
      predictions = [p];
    } else {
      const crops = await Promise.all(batch.map(([path]) => sharp(path).grayscale().resize(info.crop.width, info.crop.height, { fit: 'fill' }).raw().toBuffer()));
      predictions = await page.evaluate(async (b64) => (await window.emofaceEval).classifyCrops(b64), crops.map((c) => c.toString('base64')));
    }
    batch.forEach(([, truth], i) => {
      const p = predictions[i];
      if (!p) {
        noFace++;
        return;
      }
      confusion[truth][p.indexOf(Math.max(...p))]++;
    });
  }
  const n = list.length;
  const correct = confusion.reduce((sum, row, i) => sum + row[i], 0);
  const recall = Object.fromEntries(meta.labels.map((label, i) => {
    const total = list.filter(([, t]) => t === i).length;
    return [label, total ? Math.round((confusion[i][i] / total) * 10_000) / 10_000 : null];
  }));
  console.log(JSON.stringify({
    data, detect: options.detect, models, backend: info.backend, accuracy: Math.round((correct / n) * 10_000) / 10_000, n,
    recall, labels: meta.labels, confusion, noFace,
  }, null, 2));
} finally {
  await browser.close();
  server.close();
  rmSync(outDir, { recursive: true, force: true });
}
