// `npm run eval -- <dir> [--detect] [--models <dir>] [--limit N] [--anchor face-api] [--keypoints <out.json>]`:
// accuracy of emoface's analyser, or of an anchor to compare it with, on a folder <dir>/<label>/* (labels:
// the model's, from <models>/expression.json; other folders are ignored; --limit: the first N files of each).
// Without --detect the images are crops and go straight to the expression model; with --detect they are
// full photos and go through face detection first, and the largest face is scored (no face found counts as
// wrong).
//   emoface's analyser runs in headless Chromium: its own code (scripts/eval/evalPage.ts, built here with
//   vite against --models), on full photos through MediaPipe detection and alignment.
//   --anchor face-api runs face-api.js instead (@vladmandic/face-api with its bundled models), in Node on
//   TF.js's wasm backend, one thread: crops go straight to its faceExpressionNet; photos go through its SSD
//   MobileNet v1 detector (ssdMobilenetv1, default options) and faceExpressionNet on the largest face.
// --keypoints <out.json> (emoface's analyser, with --detect) also writes each image's largest face as the
// analyser sees it: {"<path under dir>": {box, score, keypoints, width, height} | null}, in the pixels of the
// upright (EXIF-rotated) image; the keypoints are those alignFace takes (training/emoface_training/align.py
// cuts the same crops from them).
// --face-height N (emoface's analyser, with --detect) shows each photo as a face N pixels tall would be in a
// 1280×720 camera frame, a meeting room's: the photo scaled down so that its largest face (found at full
// size) is N pixels tall, centred on a grey 1280×720 frame, then analysed as that frame would be.
// --align landmarks (emoface's analyser, with --detect) aligns each face on the face landmarker's irises and
// mouth instead of the detector's eyes and mouth (the detector's where the landmarker finds no face; the
// output's alignedBy counts both): what landmark-based alignment would change in the expression's accuracy.
// It also says how much of each face's oval (the landmarker's) the emoji placed from the detector's box
// covers: ovalCovered, the median and 5th percentile of the share of oval points under the emoji's disc,
// and the share of faces covered whole.
// Prints JSON: accuracy, n, per-label recall, the confusion matrix (rows true, columns predicted, in the
// order of "labels"), images with no face, and fiveLabel: accuracy and n on the images of the five labels of
// 'five' mode (FIVE_LABELS), each predicted as the most probable of those five.
import { openBuiltPage } from './builtPage.mjs';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { runnerImport } from 'vite';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: npm run eval -- <dir of <label>/ folders> [--detect] [--models <dir>] [--limit N per label] [--anchor face-api] [--keypoints <out.json> (with --detect)] [--face-height N (with --detect)] [--align detector|landmarks (with --detect)]';
/** The camera frame --face-height places each scaled photo in (a meeting room's 720p). */
const ROOM_FRAME = { width: 1280, height: 720 };
/** The classifiers --anchor can name, each opened by an async factory (see openAnalyser for what one gives). */
const ANCHORS = { 'face-api': openFaceApi };

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    detect: { type: 'boolean', default: false },
    models: { type: 'string', default: join(ROOT, 'models') },
    limit: { type: 'string', default: '0' },
    anchor: { type: 'string' },
    keypoints: { type: 'string' },
    'face-height': { type: 'string' },
    align: { type: 'string', default: 'detector' },
  },
});
const fail = (message) => {
  console.error(message);
  process.exit(2);
};
if (positionals.length !== 1) fail(USAGE);
const limit = Number(options.limit);
if (!Number.isInteger(limit) || limit < 0) fail(`--limit must be a whole number of images per label (0: all), got ${options.limit}`);
if (options.anchor !== undefined && !Object.hasOwn(ANCHORS, options.anchor)) fail(`--anchor must be one of: ${Object.keys(ANCHORS).join(', ')}; got ${options.anchor}`);
if (options.keypoints !== undefined && (!options.detect || options.anchor !== undefined)) fail("--keypoints needs --detect and emoface's analyser (no --anchor)");
const faceHeight = options['face-height'] === undefined ? null : Number(options['face-height']);
if (faceHeight !== null && (!(faceHeight >= 8 && faceHeight <= ROOM_FRAME.height) || !options.detect || options.anchor !== undefined || options.keypoints !== undefined)) {
  fail(`--face-height must be 8..${ROOM_FRAME.height} pixels, with --detect and emoface's analyser (no --anchor, no --keypoints); got ${options['face-height']}`);
}
if (!['detector', 'landmarks'].includes(options.align)) fail(`--align must be detector or landmarks, got ${options.align}`);
if (options.align !== 'detector' && (!options.detect || options.anchor !== undefined)) fail("--align landmarks needs --detect and emoface's analyser (no --anchor)");
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
    for (const file of limit > 0 ? files.slice(0, limit) : files) out.push([join(folder, file), index]);
  }
  if (out.length === 0) throw new Error(`${data}: no images in any of ${meta.labels.map((l) => `${l}/`).join(', ')}`);
  return out;
}

/**
 * emoface's analyser in headless Chromium: the eval page built from the analyser's sources with this models
 * folder. Like every classifier here it gives `describe` (fields of the printed JSON), `batchSize`,
 * `classify(paths)` → for each image {probabilities in label order, and on photos the largest face's
 * detection with the image's width and height} or null when no face is found, and `close()`.
 */
async function openAnalyser() {
  const { page, close } = await openBuiltPage({
    root: join(ROOT, 'scripts', 'eval'), models, name: 'eval', files: {
      '/wasm/mediapipe/': join(ROOT, 'node_modules', '@mediapipe', 'tasks-vision', 'wasm'),
      '/wasm/tfjs/': join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'),
      '/models/': models,
    },
  });
  try {
    const info = await page.evaluate(async () => {
      const ready = await window.emofaceEval;
      return { backend: ready.backend, crop: ready.crop };
    });
    const largestFace = async (image) => {
      const { data: rgba, info: size } = await image.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      const face = await page.evaluate(async ([b64, w, h, align]) => (await window.emofaceEval).largestFace(b64, w, h, align), [rgba.toString('base64'), size.width, size.height, options.align]);
      return face && { ...face, width: size.width, height: size.height };
    };
    const photo = async (path) => {
      const upright = await sharp(path).rotate().toBuffer();
      const face = await largestFace(sharp(upright));
      return faceHeight === null || !face ? face : largestFace(await inRoomFrame(upright, face));
    };
    /** The photo scaled so that `face` is faceHeight tall (never up), centred on a grey ROOM_FRAME. */
    const inRoomFrame = async (upright, face) => {
      const scale = Math.min(1, faceHeight / face.detection.box.height);
      const width = Math.max(1, Math.round(face.width * scale));
      const height = Math.max(1, Math.round(face.height * scale));
      const scaled = await sharp(upright).resize(width, height).extract({
        left: Math.max(0, Math.round((width - ROOM_FRAME.width) / 2)), top: Math.max(0, Math.round((height - ROOM_FRAME.height) / 2)),
        width: Math.min(width, ROOM_FRAME.width), height: Math.min(height, ROOM_FRAME.height),
      }).toBuffer();
      const { width: w, height: h } = await sharp(scaled).metadata();
      return sharp({ create: { ...ROOM_FRAME, channels: 3, background: { r: 128, g: 128, b: 128 } } })
        .composite([{ input: scaled, left: Math.round((ROOM_FRAME.width - w) / 2), top: Math.round((ROOM_FRAME.height - h) / 2) }]).png();
    };
    const crops = async (paths) => {
      const gray = await Promise.all(paths.map((path) => sharp(path).grayscale().resize(info.crop.width, info.crop.height, { fit: 'fill' }).raw().toBuffer()));
      const probabilities = await page.evaluate(async (b64) => (await window.emofaceEval).classifyCrops(b64), gray.map((c) => c.toString('base64')));
      return probabilities.map((p) => ({ probabilities: p }));
    };
    return {
      describe: { models, backend: info.backend, ...(faceHeight === null ? {} : { faceHeight, frame: ROOM_FRAME }) },
      batchSize: options.detect ? 1 : 64,
      classify: (paths) => (options.detect ? Promise.all(paths.map(photo)) : crops(paths)),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** face-api.js's name for each of emoface's labels (its expression net's outputs). */
const FACE_API_EXPRESSIONS = { angry: 'angry', disgust: 'disgusted', fear: 'fearful', happy: 'happy', neutral: 'neutral', sad: 'sad', surprise: 'surprised' };

/** face-api.js in Node on TF.js's wasm backend (one thread), its models from its package: `--anchor face-api`. */
async function openFaceApi() {
  const require = createRequire(import.meta.url);
  const expressions = meta.labels.map((label) => FACE_API_EXPRESSIONS[label] ?? fail(`--anchor face-api: face-api.js has no expression for the label ${label}`));
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  const modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  faceapi.tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await faceapi.tf.setBackend('wasm');
  const nets = options.detect ? [faceapi.nets.ssdMobilenetv1, faceapi.nets.faceExpressionNet] : [faceapi.nets.faceExpressionNet];
  for (const net of nets) await net.loadFromDisk(modelDir);
  const inLabelOrder = (scores) => expressions.map((name) => scores[name]);
  const predict = async (path) => {
    const decoded = options.detect ? sharp(path).rotate() : sharp(path);
    const { data: rgb, info } = await decoded.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const image = faceapi.tf.tensor3d(new Uint8Array(rgb), [info.height, info.width, 3], 'int32');
    try {
      if (!options.detect) return { probabilities: inLabelOrder(await faceapi.nets.faceExpressionNet.predictExpressions(image)) };
      const faces = await faceapi.detectAllFaces(image, new faceapi.SsdMobilenetv1Options()).withFaceExpressions();
      if (faces.length === 0) return null;
      const largest = faces.reduce((a, b) => (b.detection.box.area > a.detection.box.area ? b : a));
      return { probabilities: inLabelOrder(largest.expressions) };
    } finally {
      image.dispose();
    }
  };
  return {
    describe: { anchor: `face-api.js ${options.detect ? 'ssdMobilenetv1 + ' : ''}faceExpressionNet (@vladmandic/face-api ${faceapi.version})`, backend: faceapi.tf.getBackend() },
    batchSize: 1,
    classify: async ([path]) => [await predict(path)],
    close: async () => nets.forEach((net) => net.dispose()),
  };
}

/** A share to four decimals, as printed. */
const round = (x) => Math.round(x * 10_000) / 10_000;

/**
 * The printed scores of `predictions` (each {probabilities in label order} or null for no face) against
 * `truths` (label indices); `five`: the label indices of fiveLabel.
 */
function score(truths, predictions, five) {
  const argmax = (p, among) => among.reduce((best, i) => (p[i] > p[best] ? i : best));
  const every = meta.labels.map((_, i) => i);
  const confusion = meta.labels.map(() => meta.labels.map(() => 0));
  let noFace = 0;
  let fiveN = 0;
  let fiveCorrect = 0;
  truths.forEach((truth, i) => {
    const p = predictions[i]?.probabilities;
    const inFive = five.includes(truth);
    if (inFive) fiveN++;
    if (!p) {
      noFace++;
      return;
    }
    confusion[truth][argmax(p, every)]++;
    if (inFive && argmax(p, five) === truth) fiveCorrect++;
  });
  const n = truths.length;
  const correct = confusion.reduce((sum, row, i) => sum + row[i], 0);
  const recall = Object.fromEntries(meta.labels.map((label, i) => {
    const total = truths.filter((t) => t === i).length;
    return [label, total ? round(confusion[i][i] / total) : null];
  }));
  return {
    accuracy: round(correct / n), n, recall, labels: meta.labels, confusion, noFace,
    fiveLabel: { accuracy: fiveN ? round(fiveCorrect / fiveN) : null, n: fiveN },
  };
}

// FIVE_LABELS from the extension's own source (TypeScript, loaded through vite).
const { FIVE_LABELS } = (await runnerImport(join(ROOT, 'src', 'pipeline', 'emoji', 'emojiSets.ts'), { configFile: false, logLevel: 'warn' })).module;
const five = FIVE_LABELS.map((label) => meta.labels.indexOf(label));
if (five.includes(-1)) throw new Error(`${models}/expression.json: labels ${meta.labels.join(', ')} lack one of ${FIVE_LABELS.join(', ')}`);
const list = images();
const classifier = await (options.anchor === undefined ? openAnalyser() : ANCHORS[options.anchor]());
try {
  const predictions = [];
  for (let start = 0; start < list.length; start += classifier.batchSize) {
    predictions.push(...(await classifier.classify(list.slice(start, start + classifier.batchSize).map(([path]) => path))));
  }
  if (options.keypoints !== undefined) {
    const faces = list.map(([path], i) => {
      const face = predictions[i];
      return [relative(data, path), face && { ...face.detection, width: face.width, height: face.height }];
    });
    writeFileSync(resolve(options.keypoints), `${JSON.stringify(Object.fromEntries(faces), null, 1)}\n`);
  }
  const covered = predictions.map((face) => face?.ovalCovered).filter((share) => typeof share === 'number').sort((a, b) => a - b);
  const at = (q) => (covered.length ? round(covered[Math.min(covered.length - 1, Math.floor(q * covered.length))]) : null);
  const alignedBy = options.align === 'detector' ? {} : {
    align: options.align,
    alignedBy: Object.fromEntries(['landmarks', 'detector'].map((by) => [by, predictions.filter((face) => face?.alignedBy === by).length])),
    ovalCovered: { n: covered.length, median: at(0.5), p5: at(0.05), whole: covered.length ? round(covered.filter((share) => share === 1).length / covered.length) : null },
  };
  console.log(JSON.stringify({
    data, detect: options.detect, ...classifier.describe, ...score(list.map(([, truth]) => truth), predictions, five), ...alignedBy,
  }, null, 2));
} finally {
  await classifier.close();
}
