// What the Node and browser benchmarks share: the result of a scene, the machine, and the chart.
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = join(here, '..');
/** Frames run and not timed before each scene: JIT and WASM tiers settle (the browser needs more than 5). */
export const WARM_UP = 15;

/** A scene's result: what it is, faces found, per-stage median/p95 and frames per second (1000 / median total). */
export function sceneResult(scene, { facesFound, stagesMs }) {
  return { scene: scene.name, width: scene.width, height: scene.height, facesInScene: scene.faces, facesFound, stagesMs,
    fps: +(1000 / stagesMs.total.median).toFixed(1) };
}

/** This machine and the commit measured. */
export function machine() {
  return { cpus: cpus().length, model: cpus()[0]?.model, node: process.version,
    commit: execSync('git rev-parse --short HEAD', { cwd: REPO }).toString().trim() };
}

/** emoface ÷ face-api.js frames per second, scene by scene. */
export function ratios(emoface, faceApi) {
  return emoface.map((e, i) => ({ scene: `${e.scene} ${e.width}×${e.height}`, fpsRatio: +(e.fps / faceApi[i].fps).toFixed(2) }));
}

/** A horizontal bar chart (SVG) of emoface's and face-api.js's frames per second, scene by scene. */
export function fpsChart(title, emoface, faceApi) {
  const width = 760, barHeight = 16, gap = 10, left = 230;
  const max = Math.max(...emoface.map((e) => e.fps), ...faceApi.map((f) => f.fps));
  const scale = (v) => ((width - left - 70) * v) / max;
  const items = emoface.map((e, i) => {
    const f = faceApi[i];
    const y = 40 + i * (2 * barHeight + gap);
    return `<text x="${left - 8}" y="${y + barHeight + 4}" text-anchor="end">${e.scene} ${e.width}×${e.height}</text>`
      + `<rect x="${left}" y="${y}" width="${scale(e.fps)}" height="${barHeight}" fill="#f59e0b"/><text x="${left + scale(e.fps) + 4}" y="${y + 12}">${e.fps} fps</text>`
      + `<rect x="${left}" y="${y + barHeight}" width="${scale(f.fps)}" height="${barHeight}" fill="#64748b"/><text x="${left + scale(f.fps) + 4}" y="${y + barHeight + 12}">${f.fps} fps</text>`;
  }).join('');
  const height = 50 + emoface.length * (2 * barHeight + gap);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`
    + `<rect width="100%" height="100%" fill="#fff"/><text x="10" y="20" font-size="14" font-weight="bold">${title} — `
    + `<tspan fill="#f59e0b">emoface</tspan> vs <tspan fill="#64748b">face-api.js</tspan></text>${items}</svg>\n`;
}

/** Writes bench/results/<name>-<date>.json and, given one, bench/results/<chartName>; returns the JSON's path. */
export function writeResults(name, report, charts = {}) {
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${report.date.slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  for (const [chartName, svg] of Object.entries(charts)) writeFileSync(join(dir, chartName), svg);
  return file;
}

/** One console line per scene: emoface (front, back) and face-api.js frames per second and the ratio. */
export function printScenes(emoface, emofaceBack, faceApi) {
  const r = ratios(emoface, faceApi);
  for (const [i, e] of emoface.entries()) {
    const [f, b] = [faceApi[i], emofaceBack[i]];
    console.log(`${`${e.scene} ${e.width}×${e.height}`.padEnd(20)} emoface front ${String(e.fps).padStart(6)} fps (${e.facesFound}/${e.facesInScene} faces)  `
      + `back ${String(b.fps).padStart(6)} fps (${b.facesFound})   face-api ${String(f.fps).padStart(6)} fps (${f.facesFound})   ×${r[i].fpsRatio}`);
  }
}

/** Grouped bars (SVG) of per-label recall on FER2013 PublicTest: emoface vs face-api.js, accuracy in the title. */
export function recallChart({ emoface, faceApi }) {
  const labels = Object.keys(emoface.recall);
  const width = 760, height = 300, left = 50, bottom = 250, group = (width - left - 20) / labels.length, bar = group * 0.35;
  const y = (v) => bottom - 200 * v;
  const bars = labels.map((label, i) => {
    const x = left + i * group + group * 0.15;
    const [e, f] = [emoface.recall[label], faceApi.recall[label]];
    return `<rect x="${x}" y="${y(e)}" width="${bar}" height="${200 * e}" fill="#f59e0b"/><text x="${x + bar / 2}" y="${y(e) - 3}" text-anchor="middle" font-size="10">${e.toFixed(2)}</text>`
      + `<rect x="${x + bar}" y="${y(f)}" width="${bar}" height="${200 * f}" fill="#64748b"/><text x="${x + 1.5 * bar}" y="${y(f) - 3}" text-anchor="middle" font-size="10">${f.toFixed(2)}</text>`
      + `<text x="${x + bar}" y="${bottom + 16}" text-anchor="middle">${label}</text>`;
  }).join('');
  const axis = [0, 0.5, 1].map((v) => `<line x1="${left}" x2="${width - 20}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`).join('');
  const pct = (v) => `${(100 * v).toFixed(2)}%`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`
    + `<rect width="100%" height="100%" fill="#fff"/><text x="10" y="20" font-size="14" font-weight="bold">Recall per label, FER2013 PublicTest — `
    + `<tspan fill="#f59e0b">emoface ${pct(emoface.accuracy)}</tspan> vs <tspan fill="#64748b">face-api.js ${pct(faceApi.accuracy)}</tspan> accuracy</text>`
    + `${axis}${bars}</svg>\n`;
}
