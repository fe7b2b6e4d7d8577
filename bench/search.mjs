// `npm run bench:search [-- --repeats 3] [--out file.json]`: how well, and at what cost, MediaPipe's face
// detectors find small faces, the measurements behind DEFAULTS.search and DEFAULTS.follow. The detectors run
// as the analyser runs them (its FaceFinder: CPU, VIDEO mode, DEFAULTS.detector's score 0.5 and suppression
// 0.3), in headless Chromium (bench/search/searchPage.ts, built here with vite), on real group photos
// (@vladmandic/face-api's demo/sample1..6.jpg; ground truth: demo/roomScene.mjs's faces and
// bench/search/otherFaces.mjs's).
//   Search: each photo scaled so that its median face is H pixels tall (H = 30, 40, 60, 90), centred on a
//   grey 1280×720 frame (cropped if larger; faces not wholly inside the frame are not counted, and a
//   detection of one is no false positive). For each strategy of the page (close range on the whole frame at
//   320×180 and 640×360, full range on the whole frame, full range on tiles of 720, 480 (the extension's)
//   and 360 frame pixels, close range on tiles of 320, and the extension's whole search): recall (a face is
//   found by a detection whose box centre lies in the face's box grown 1.5× about its centre, or whose IoU
//   with it is above 0.3; each detection finds one face; tiles' detections merged first, as the analyser
//   merges them), false positives (detections that find no face; one that finds a face already found is
//   neither), and the median ms of a search's detector calls (FaceFinder.detect, which copies a tile out of
//   its view, as in the analyser; not the painting of the view) over every photo and repeat.
//   Follow: each face, from its photo scaled so that the face is H pixels tall (H = 40, 90), in a square of
//   s × its size (s = 1.6, 2, 3) scaled to a cell of c pixels, cells packed k × k in mosaics (1×1 and 2×2 of
//   128, 3×3 of 96 and of 64; the close-range detector, and the full-range one on the 3×3 mosaics), one
//   detector call per mosaic (every mosaic full: the last takes faces from the start of the list again):
//   recall per cell (a detection whose centre lies in the middle 40 % of the cell, that is within 0.2 c of
//   where the face's centre is drawn), detections in no cell's middle, and the median ms per call.
// `--list-faces` instead prints the faces the full-range detector finds (score ≥ 0.65) on 800-pixel tiles of
// each full-size photo, marking those demo/roomScene.mjs lists: how bench/search/otherFaces.mjs was measured.
// Prints tables; writes --out (default bench/results/search-<date>.json).
import { openBuiltPage } from '../scripts/builtPage.mjs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { runnerImport } from 'vite';
import { ROOM } from '../demo/roomScene.mjs';
import { median } from './median.mjs';
import { OTHER_FACES } from './search/otherFaces.mjs';
import { round } from './streamSummary.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const FACE_API_DEMO = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
const PHOTOS = ['sample1.jpg', 'sample2.jpg', 'sample3.jpg', 'sample4.jpg', 'sample5.jpg', 'sample6.jpg'];

/** The camera frame a search looks at: a meeting room's 720p, the photo on mid grey around it. */
const FRAME = { width: 1280, height: 720, grey: 128 };
/** Median face heights of the search frames, pixels at 1280×720: from a face at the back of a room to one near. */
const SEARCH_FACE_PX = [30, 40, 60, 90];
/** A detection finds a face when its centre lies in the face's box grown this many times about its centre… */
const MATCH_GROWTH = 1.5;
/** …or when their IoU is above this. */
const MATCH_IOU = 0.3;
/** Face heights of the follow crops' source, pixels: the smallest face searched for, and the largest in a room. */
const FOLLOW_FACE_PX = [40, 90];
/** Sides of a follow crop, in face sizes (DEFAULTS.follow.cropScale is 2). */
const CROP_SCALES = [1.6, 2, 3];
/** Mosaics compared: k × k cells of cellPx, for one call of `range` (the extension's: near, 2 × 2 of 128). */
const MOSAICS = [
  { range: 'near', columns: 1, cellPx: 128 },
  { range: 'near', columns: 2, cellPx: 128 },
  { range: 'near', columns: 3, cellPx: 96 },
  { range: 'near', columns: 3, cellPx: 64 },
  { range: 'far', columns: 3, cellPx: 96 },
  { range: 'far', columns: 3, cellPx: 64 },
];
/** A follow cell's face is found by a detection whose centre is within this share of the cell of where the face's centre is drawn (the middle 40 %). */
const CELL_WINDOW = 0.4;
/** Ground truth of --list-faces: tiles of the full-size photo, pixels (a face 150–270 px tall is 36–65 px of the detector's 192), and the least score kept. */
const LIST_TILE_PX = 800;
const LIST_MIN_SCORE = 0.65;

const { values: options } = parseArgs({ options: {
  repeats: { type: 'string', default: '3' },
  out: { type: 'string' },
  'list-faces': { type: 'boolean', default: false },
} });
const REPEATS = Number(options.repeats);
if (!Number.isInteger(REPEATS) || REPEATS < 1) throw new Error(`--repeats must be a whole number ≥ 1, got ${options.repeats}`);

/** Each photo's faces ({id, box} in its own pixels): demo/roomScene.mjs's, and bench/search/otherFaces.mjs's; `complete`: every photo must have some. */
function groundTruth(complete) {
  return PHOTOS.map((photo) => {
    const listed = ROOM.groups.filter((group) => group.photo === photo).flatMap((group) => group.faces);
    const faces = [...listed, ...(OTHER_FACES[photo] ?? [])];
    if (complete && faces.length === 0) throw new Error(`${photo}: no ground truth in demo/roomScene.mjs or bench/search/otherFaces.mjs`);
    return { photo, path: join(FACE_API_DEMO, photo), faces };
  });
}

/**
 * The search bench's page in headless Chromium: `api(method, ...args)` calls window.emofaceSearch's method;
 * `close()` ends the browser and the server. Serves the page, the MediaPipe wasm and the models, as the
 * extension's files are laid out (vite.config.ts).
 */
async function openPage() {
  const { page, browser, close } = await openBuiltPage({
    root: join(ROOT, 'bench', 'search'), models: join(ROOT, 'models'), name: 'search', files: {
      '/wasm/mediapipe/': join(ROOT, 'node_modules', '@mediapipe', 'tasks-vision', 'wasm'),
      '/models/': join(ROOT, 'models'),
    },
  });
  try {
    const strategies = await page.evaluate(async () => (await window.emofaceSearch).strategies);
    const api = (method, ...args) => page.evaluate(async ([m, a]) => (await window.emofaceSearch)[m](...a), [method, args]);
    return { api, strategies, chromiumVersion: browser.version(), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A PNG, base64, of `image` (a sharp pipeline). */
const pngOf = async (image) => (await image.png().toBuffer()).toString('base64');

/**
 * `photo` as a search frame: scaled so that its median face is `facePx` tall, centred on the grey FRAME
 * (cropped when larger). Its faces in the frame's pixels, each `counted` when wholly inside it.
 */
async function searchFrame({ path, faces }, facePx) {
  const { width, height } = await sharp(path).metadata();
  const scale = facePx / median(faces.map((f) => f.box.height));
  const [w, h] = [Math.round(width * scale), Math.round(height * scale)];
  const crop = { left: Math.max(0, Math.round((w - FRAME.width) / 2)), top: Math.max(0, Math.round((h - FRAME.height) / 2)) };
  const shown = { width: Math.min(w, FRAME.width), height: Math.min(h, FRAME.height) };
  const at = { x: Math.round((FRAME.width - shown.width) / 2), y: Math.round((FRAME.height - shown.height) / 2) };
  const scaled = await sharp(path).rotate().resize(w, h).extract({ ...crop, ...shown }).toBuffer();
  const frame = sharp({ create: { width: FRAME.width, height: FRAME.height, channels: 3, background: { r: FRAME.grey, g: FRAME.grey, b: FRAME.grey } } })
    .composite([{ input: scaled, left: at.x, top: at.y }]);
  const [sx, sy] = [w / width, h / height];
  const inFrame = faces.map(({ id, box }) => {
    const b = { x: box.x * sx - crop.left + at.x, y: box.y * sy - crop.top + at.y, width: box.width * sx, height: box.height * sy };
    return { id, box: b, counted: b.x >= 0 && b.y >= 0 && b.x + b.width <= FRAME.width && b.y + b.height <= FRAME.height };
  });
  return { png: await pngOf(frame), faces: inFrame };
}

// Box arithmetic from the extension's own source (TypeScript, loaded through vite).
const { centreOf, iou } = (await runnerImport(join(ROOT, 'src', 'pipeline', 'math.ts'), { configFile: false, logLevel: 'warn' })).module;
const inside = (p, b) => p.x >= b.x && p.x <= b.x + b.width && p.y >= b.y && p.y <= b.y + b.height;
const grown = (b, k) => ({ x: b.x - ((k - 1) * b.width) / 2, y: b.y - ((k - 1) * b.height) / 2, width: k * b.width, height: k * b.height });
/** Whether detection box `d` finds the face of box `f` (the rule at the top). */
const finds = (d, f) => inside(centreOf(d), grown(f, MATCH_GROWTH)) || iou(d, f) > MATCH_IOU;

/**
 * `found` (detections, {box, score}) against `faces` ({id, box, counted}): the counted faces found, and the
 * detections that find no face at all. Best scores first, each detection takes the face it overlaps most
 * among those not yet found; one that finds only faces already found or not counted is neither.
 */
function scoreSearch(found, faces) {
  const taken = new Set();
  let falsePositives = 0;
  for (const { box } of [...found].sort((a, b) => b.score - a.score)) {
    const open = faces.filter((f) => f.counted && !taken.has(f.id) && finds(box, f.box)).sort((a, b) => iou(box, b.box) - iou(box, a.box));
    if (open.length) taken.add(open[0].id);
    else if (!faces.some((f) => finds(box, f.box))) falsePositives++;
  }
  return { faces: faces.filter((f) => f.counted).length, found: taken.size, falsePositives };
}

/** Every face of `truth` as a follow source: its photo scaled so that the face is `facePx` tall (PNG), and its box there. */
async function followSources(truth, facePx) {
  const sources = [];
  for (const { photo, path, faces } of truth) {
    const { width, height } = await sharp(path).metadata();
    for (const { id, box } of faces) {
      const scale = facePx / box.height;
      const [w, h] = [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
      const [sx, sy] = [w / width, h / height];
      sources.push({ id, photo, png: await pngOf(sharp(path).rotate().resize(w, h)), box: { x: box.x * sx, y: box.y * sy, width: box.width * sx, height: box.height * sy } });
    }
  }
  return sources;
}

/**
 * Which cells of a mosaic run (MosaicRun of searchPage.ts) found their face: a detection's centre within
 * CELL_WINDOW / 2 of the cell's side from where the face's centre is drawn. `faces`: each cell's box in its
 * picture's pixels, with the picture's size. Also the detections that fall in no cell's window.
 */
function scoreMosaic(run, faces, cellPx) {
  const half = (CELL_WINDOW / 2) * cellPx;
  const centres = run.cells.map((cell, i) => {
    const { box, width, height } = faces[i];
    const c = centreOf(box);
    return { x: cell.x + ((c.x / width - cell.source.x) / cell.source.width) * cell.width, y: cell.y + ((c.y / height - cell.source.y) / cell.source.height) * cell.height };
  });
  const near = (d, c) => Math.abs(centreOf(d.box).x - c.x) <= half && Math.abs(centreOf(d.box).y - c.y) <= half;
  return {
    found: centres.map((c) => run.found.some((d) => near(d, c))),
    strays: run.found.filter((d) => !centres.some((c) => near(d, c))).length,
  };
}

/** Lines of an aligned text table. */
function table(header, rows) {
  const widths = header.map((h, i) => Math.max(String(h).length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
const percentOf = (part, whole) => (whole ? `${Math.round((100 * part) / whole)} %` : '–');

/** --list-faces: the faces of each full-size photo, as bench/search/otherFaces.mjs lists them. */
async function listFaces(page, truth) {
  for (const { photo, path } of truth) {
    const { width, height } = await sharp(path).metadata();
    await page.api('load', photo, await pngOf(sharp(path).rotate()));
    const found = (await page.api('listFaces', photo, LIST_TILE_PX)).filter((d) => d.score >= LIST_MIN_SCORE);
    await page.api('unload', photo);
    const listed = ROOM.groups.filter((group) => group.photo === photo).flatMap((group) => group.faces);
    console.log(`${photo} (${width}×${height}): ${found.length} faces of score ≥ ${LIST_MIN_SCORE}`);
    for (const { box, score } of [...found].sort((a, b) => a.box.x - b.box.x)) {
      const rounded = Object.fromEntries(Object.entries(box).map(([k, v]) => [k, Math.round(v)]));
      const known = listed.find((f) => iou(f.box, box) > 0.5);
      console.log(`  ${JSON.stringify(rounded)} score ${score.toFixed(3)}${known ? `  = roomScene ${known.id} (IoU ${iou(known.box, box).toFixed(2)})` : ''}`);
    }
  }
}

/** The search strategies on every photo at every face height. */
async function benchSearch(page, truth) {
  const byStrategy = page.strategies.map((s) => ({ ...s, calls: null, stable: true, medianMs: null, byHeight: [] }));
  const allMs = byStrategy.map(() => []);
  for (const facePx of SEARCH_FACE_PX) {
    const perStrategy = byStrategy.map(() => ({ faces: 0, found: 0, falsePositives: 0, ms: [], perPhoto: [] }));
    for (const photo of truth) {
      const frame = await searchFrame(photo, facePx);
      await page.api('load', 'frame', frame.png);
      const runs = await page.api('search', 'frame', REPEATS);
      runs.forEach((run, i) => {
        const score = scoreSearch(run.found, frame.faces);
        const total = perStrategy[i];
        total.faces += score.faces;
        total.found += score.found;
        total.falsePositives += score.falsePositives;
        total.ms.push(...run.ms);
        total.perPhoto.push({ photo: photo.photo, ...score });
        byStrategy[i].calls = run.calls;
        byStrategy[i].stable &&= run.stable;
      });
    }
    byStrategy.forEach((s, i) => {
      const { ms, ...total } = perStrategy[i];
      allMs[i].push(...ms);
      s.byHeight.push({ facePx, ...total, recall: round(total.found / total.faces, 3), medianMs: round(median(ms), 2) });
    });
  }
  await page.api('unload', 'frame');
  byStrategy.forEach((s, i) => { s.medianMs = round(median(allMs[i]), 2); });
  return byStrategy;
}

/** The follow mosaics of every face at every face height and crop scale. */
async function benchFollow(page, truth) {
  const results = [];
  for (const facePx of FOLLOW_FACE_PX) {
    const sources = await followSources(truth, facePx);
    const sizes = await Promise.all(sources.map((s) => page.api('load', `follow-${s.id}`, s.png)));
    const faces = sources.map((s, i) => ({ picture: `follow-${s.id}`, box: s.box, ...sizes[i] }));
    for (const cropScale of CROP_SCALES) {
      for (const { range, columns, cellPx } of MOSAICS) {
        // Every mosaic full: the last one takes faces from the start again (those count again).
        const perMosaic = columns * columns;
        const mosaics = Array.from({ length: Math.ceil(faces.length / perMosaic) }, (_, m) => Array.from({ length: perMosaic }, (_, i) => faces[(m * perMosaic + i) % faces.length]));
        let cells = 0;
        let found = 0;
        let strays = 0;
        let stable = true;
        let mosaicPx = null;
        const ms = [];
        for (const group of mosaics) {
          const run = await page.api('mosaic', group.map(({ picture, box }) => ({ picture, box })), { cropScale, cellPx, columns, range }, REPEATS);
          const score = scoreMosaic(run, group, cellPx);
          cells += group.length;
          found += score.found.filter(Boolean).length;
          strays += score.strays;
          stable &&= run.stable;
          mosaicPx = `${run.width}×${run.height}`;
          ms.push(...run.ms);
        }
        results.push({
          facePx, cropScale, range, mosaic: `${columns}×${columns}`, cellPx, mosaicPx, mosaics: mosaics.length,
          cells, found, recall: round(found / cells, 3), strays, medianMs: round(median(ms), 2), stable,
        });
      }
    }
    for (const s of sources) await page.api('unload', `follow-${s.id}`);
  }
  return results;
}

const truth = groundTruth(!options['list-faces']);
const load = () => os.loadavg().map((v) => round(v, 2));
const loadBefore = load();
const page = await openPage();
try {
  if (options['list-faces']) {
    await listFaces(page, truth);
  } else {
    const started = performance.now();
    // Warm-up: the first calls of each detector compile and allocate.
    const warm = await searchFrame(truth[0], 60);
    await page.api('load', 'frame', warm.png);
    await page.api('search', 'frame', 2);
    const search = await benchSearch(page, truth);
    const follow = await benchFollow(page, truth);

    console.log(`\nSearch: ${truth.reduce((n, p) => n + p.faces.length, 0)} faces in ${truth.length} photos, each on a ${FRAME.width}×${FRAME.height} frame; found/faces, false positives in brackets`);
    console.log(table(['strategy', 'calls', ...SEARCH_FACE_PX.map((h) => `${h} px`)],
      search.map((s) => [s.name, s.calls, ...s.byHeight.map((b) => `${b.found}/${b.faces} ${percentOf(b.found, b.faces).padStart(5)} (${b.falsePositives})`)])));
    console.log(`\nSearch: median ms of a search's detector calls (${truth.length} photos × ${REPEATS} repeats per height; all: every height)`);
    console.log(table(['strategy', ...SEARCH_FACE_PX.map((h) => `${h} px`), 'all'], search.map((s) => [s.name, ...s.byHeight.map((b) => b.medianMs.toFixed(1)), s.medianMs.toFixed(1)])));
    console.log(`\nFollow: cells whose face was found (found/cells), detections in no cell's middle in brackets, median ms per detector call; crop of s × the face, from the photo scaled so the face is H px tall`);
    const rows = [];
    for (const { range, columns, cellPx } of MOSAICS) {
      for (const cropScale of CROP_SCALES) {
        const at = (facePx) => follow.find((r) => r.facePx === facePx && r.cropScale === cropScale && r.range === range && r.cellPx === cellPx && r.mosaic === `${columns}×${columns}`);
        rows.push([`${range} ${columns}×${columns} of ${cellPx}`, cropScale, ...FOLLOW_FACE_PX.flatMap((h) => {
          const r = at(h);
          return [`${r.found}/${r.cells} ${percentOf(r.found, r.cells).padStart(5)} (${r.strays})`, r.medianMs.toFixed(1)];
        })]);
      }
    }
    console.log(table(['mosaic', 's', ...FOLLOW_FACE_PX.flatMap((h) => [`H ${h}: found`, 'ms'])], rows));
    const unstable = [...search.filter((s) => !s.stable).map((s) => s.name), ...follow.filter((r) => !r.stable).map((r) => `${r.range} ${r.mosaic} of ${r.cellPx}`)];
    if (unstable.length) console.log(`\nDetections differed between repeats in: ${[...new Set(unstable)].join(', ')}`);

    const detector = JSON.parse(readFileSync(join(ROOT, 'models', 'face-detector', 'model.json'), 'utf8'));
    const report = {
      date: new Date().toISOString(),
      command: ['npm run bench:search', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
      seconds: round((performance.now() - started) / 1000),
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.arch()}`, loadBefore, loadAfter: load() },
      versions: {
        chromium: page.chromiumVersion, node: process.version,
        tasksVision: JSON.parse(readFileSync(join(ROOT, 'node_modules', '@mediapipe', 'tasks-vision', 'package.json'), 'utf8')).version,
        detectors: { near: { file: detector.file, sha256: detector.sha256 }, far: { file: detector.fullRange.file, sha256: detector.fullRange.sha256 } },
      },
      truth: {
        photos: truth.map(({ photo, faces }) => ({ photo, faces: faces.length })),
        sources: ['demo/roomScene.mjs', 'bench/search/otherFaces.mjs'],
      },
      rules: { frame: FRAME, matchGrowth: MATCH_GROWTH, matchIou: MATCH_IOU, cellWindow: CELL_WINDOW, repeats: REPEATS, detectorOptions: 'DEFAULTS.detector (score 0.5, suppression IoU 0.3), CPU, VIDEO' },
      search,
      follow,
    };
    const out = resolve(options.out ?? join(ROOT, 'bench', 'results', `search-${report.date.slice(0, 10)}.json`));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\n${report.seconds} s; wrote ${out}`);
  }
} finally {
  await page.close();
}
