// `npm run bench [-- --seconds 10] [--scenes 640x480:1,…] [--busy N] [--gestures] [--repeats N] [--out file.json]`: what a call costs with
// emoface, in Debian's Chromium with the built extension, through a real loopback WebRTC call from a fake
// camera of real faces. For each scene, width×height:faces[:motion] at 30 fps (by default 640×480 and
// 1280×720 with one face and with three, and 1280×720 with one face that moves across the frame; motion
// as demo/fakeCamera.mjs makes it, 'drift' unless given), or `room` (demo/roomScene.mjs: six small faces
// at 1280×720, one walking in; also how many of them the other side sees covered, and how soon the new
// one), it measures over --seconds:
//   the frames per second the remote side receives, and the camera's;
//   the page's time to draw the emoji on a frame and its whole time per frame, the analysis rate and
//   interval, the share of seconds the analysis yielded to the call, the offscreen stages' ms, the age of
//   the results each frame is drawn with (on all frames, and on frames whose face moves), how far the
//   emoji sits from the face, and the share of frames with an emoji (the hook's and the analyser's own
//   numbers, via the popup's status);
//   the CPU time of the page's and the extension's renderer processes, and of all of Chromium,
// and the same call with emoface switched off, from which the remote fps on / off and the CPU emoface
// adds. `--busy N` keeps N other processes spinning through every call (on and off alike); `--gestures`
// switches gestures on (the face landmarker's ms per face read is the stages' `gestures`). `--repeats N`
// measures each scene's pair of calls (on, then off) N times: the CPU added and the fps on / off are the
// medians over the pairs (each pair's, and its processes' CPU, are kept in `repeats`), the other numbers
// the pair's whose CPU added is that median; on this machine pairs taken back to back differed by up to
// 14 points of CPU added. Prints a table; writes --out (default bench/results/call-<date>.json).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../demo/browser.mjs';
import { FACE_PHOTOS, makeFaceVideo, makeRoomVideo, MOTIONS, MOVE } from '../demo/fakeCamera.mjs';
import { coverageByFace, entryDelays, lookAtRemote } from '../demo/roomCoverage.mjs';
import { ROOM } from '../demo/roomScene.mjs';
import { startCallServer } from '../demo/server.mjs';
import { build } from '../scripts/build.mjs';
import { startBusy } from './busy.mjs';
import { benchFirefox } from './firefox.mjs';
import { chromiumProcesses } from './chromiumProcesses.mjs';
import { median } from './median.mjs';
import { round, summariseStreams } from './streamSummary.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({ options: {
  seconds: { type: 'string', default: '10' },
  scenes: { type: 'string', default: '640x480:1,640x480:3,1280x720:1,1280x720:3,1280x720:1:move,room' },
  busy: { type: 'string', default: '0' },
  out: { type: 'string' },
  firefox: { type: 'boolean', default: false },
  gestures: { type: 'boolean', default: false },
  repeats: { type: 'string', default: '1' },
} });
const SECONDS = Number(options.seconds);
const REPEATS = Number(options.repeats);
if (!(Number.isInteger(REPEATS) && REPEATS >= 1)) throw new Error(`--repeats must be a whole number ≥ 1, got ${options.repeats}`);
/** The CPU of a call's page and extension renderers, % of one core: what emoface's work lands on. */
const rendererCpu = (call) => call.cpuPercent.page + call.cpuPercent.extension;

/**
 * A --scenes entry, `1280x720:1` or `1280x720:1:move`, with the clip its camera plays. A 'move' clip lasts
 * one period of its motion, so that it moves at its intended speed (see makeFaceVideo).
 */
function parseScene(scene) {
  if (scene === 'room') return { width: ROOM.width, height: ROOM.height, faces: 'room', motion: 'room', video: makeRoomVideo() };
  const [size, facesText, motion = 'drift'] = scene.split(':');
  const [width, height] = (size ?? '').split('x').map(Number);
  const faces = Number(facesText);
  if (!(width > 0 && height > 0)) throw new Error(`--scenes: ${scene}: the size must be width×height, as 1280x720`);
  if (!FACE_PHOTOS[faces]) throw new Error(`--scenes: ${scene}: faces must be ${Object.keys(FACE_PHOTOS).join(' or ')}`);
  if (!MOTIONS.includes(motion)) throw new Error(`--scenes: ${scene}: motion must be ${MOTIONS.join(' or ')}`);
  const seconds = motion === 'move' ? MOVE.periodSeconds : 4;
  return { width, height, faces, motion, video: makeFaceVideo({ width, height, fps: 30, seconds, faces, motion }) };
}

/** One call of `seconds` on a fresh browser; `on` false: emoface switched off before the call starts. */
async function measure(site, { width, height, video, faces }, on) {
  const room = faces === 'room';
  const browser = await launchBrowser({ extensionDir: join(ROOT, 'dist'), video, port: site.port });
  try {
    await browser.serviceWorker.evaluate((settings) => chrome.storage.sync.set({ settings: { version: 2, ...settings } }), { enabled: on, gestures: options.gestures });
    const page = await browser.context.newPage();
    await page.goto('https://meet.google.com/');
    await page.evaluate((v) => window.emofaceCall.start(v), { width, height, frameRate: 30 });
    if (on) await page.waitForFunction(() => (window.emofaceCall.colorFraction([255, 204, 77]) ?? 0) > 0.01, undefined, { timeout: 20_000, polling: 100 });
    await page.waitForTimeout(2000); // settle
    const status = () => browser.serviceWorker.evaluate(async () => {
      const [tab] = await chrome.tabs.query({ url: 'https://meet.google.com/*' });
      return chrome.tabs.sendMessage(tab.id, { type: 'getStatus' }).catch(() => null);
    });
    const cpuBefore = chromiumProcesses(browser.userDataDir).cpuSeconds;
    const framesBefore = await page.evaluate(() => window.emofaceCall.remoteStats().frames);
    const started = performance.now();
    const seconds = [];
    const looks = [];
    for (let s = 0; s < SECONDS; s++) {
      const secondStarted = performance.now();
      // The room is looked at (emoface on or off alike, so both calls pay for looking) ten times a second.
      while (room && performance.now() - secondStarted < 900) {
        const look = await lookAtRemote(page);
        if (look) looks.push(look);
        await page.waitForTimeout(100);
      }
      await page.waitForTimeout(Math.max(0, 1000 - (performance.now() - secondStarted)));
      seconds.push(await status());
    }
    const elapsed = (performance.now() - started) / 1000;
    const framesAfter = await page.evaluate(() => window.emofaceCall.remoteStats());
    const cpuAfter = chromiumProcesses(browser.userDataDir).cpuSeconds;
    // The hook reports once a second of camera time: a sample that repeats the previous one's second is dropped.
    const streams = seconds.map((s) => s?.streams?.[0]).filter((s, i, all) => s && s.cameraFrames !== all[i - 1]?.cameraFrames);
    const stages = seconds.at(-1)?.stageMs ?? null;
    const drawn = summariseStreams(streams);
    return {
      remoteFps: round((framesAfter.frames - framesBefore) / elapsed),
      remoteSize: `${framesAfter.width}×${framesAfter.height}`,
      cameraFps: streams.length ? round(median(streams.map((s) => s.fpsIn))) : null,
      // With emoface off the hook draws nothing: the same keys, null.
      ...(on ? drawn : Object.fromEntries(Object.keys(drawn).map((key) => [key, null]))),
      stageMs: on ? stages : null,
      ...(room ? { room: roomCoverage(looks) } : {}),
      /** The page's time to relay an analysis frame to the analyser (base64, posting), median ms. */
      relayMs: on ? seconds.at(-1)?.relayMs ?? null : null,
      backend: seconds.at(-1)?.backend ?? null,
      cpuPercent: Object.fromEntries(Object.keys(cpuAfter).map((k) => [k, round(((cpuAfter[k] - cpuBefore[k]) / elapsed) * 100)])),
    };
  } finally {
    await browser.close();
  }
}

/**
 * The room's faces as the other side saw them: the share of samples that covered each face of 40 px or
 * more (the entering face from a second after it came), the least of those, and how long after its cut
 * the entering face was first covered on each pass (ms; null: not within a second).
 */
function roomCoverage(looks) {
  const entryFrames = ROOM.fps;
  const faces = Object.fromEntries([...coverageByFace(looks, entryFrames)].map(([id, face]) => [id, {
    heightPx: Math.round(face.heightPx), coveredPct: round((100 * face.covered) / Math.max(1, face.present)), samples: face.present,
  }]));
  const judged = Object.values(faces).filter((face) => face.heightPx >= 40);
  const entries = entryDelays(looks, entryFrames).map((frames) => (Number.isFinite(frames) ? Math.round((1000 * frames) / ROOM.fps) : null));
  return { samples: looks.length, faces, leastCoveredPct: judged.length ? Math.min(...judged.map((face) => face.coveredPct)) : null, entryMs: entries };
}

if (options.firefox) {
  // The same calls in Firefox ESR (bench/firefox.mjs): the scenes of one and three faces, and a moving head.
  const scenes = (process.argv.includes('--scenes') ? options.scenes.split(',') : ['640x480:1', '1280x720:1', '1280x720:3', '1280x720:1:move']).map(parseScene);
  build('firefox');
  await benchFirefox({ seconds: SECONDS, scenes, out: options.out });
  process.exit(0);
}

if (!existsSync(join(ROOT, 'dist', 'manifest.json'))) throw new Error('dist/ is not built: npm run bench builds it');
// Every clip is made (or found cached) before the load starts.
const scenes = options.scenes.split(',').map(parseScene);
const busy = startBusy(Number(options.busy));
const site = await startCallServer();
const results = [];
try {
  for (const { video, ...scene } of scenes) {
    const pairs = [];
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const on = await measure(site, { ...scene, video }, true);
      const off = await measure(site, { ...scene, video }, false);
      pairs.push({
        fpsRatio: off.remoteFps > 0 ? round(on.remoteFps / off.remoteFps, 2) : null,
        /** (page + extension renderers' CPU on) − (the same off), % of one core. */
        cpuAddedPercent: round(rendererCpu(on) - rendererCpu(off)), on, off,
      });
      if (REPEATS > 1) console.log(`${sceneName(scene)}, pair ${repeat + 1} of ${REPEATS}: CPU added ${pairs.at(-1).cpuAddedPercent} %, fps on/off ${pairs.at(-1).fpsRatio}`);
    }
    const cpuAddedPercent = median(pairs.map((pair) => pair.cpuAddedPercent));
    const { on, off } = pairs.find((pair) => pair.cpuAddedPercent === cpuAddedPercent);
    const result = {
      ...scene, fpsRatio: median(pairs.map((pair) => pair.fpsRatio)), cpuAddedPercent, on, off,
      ...(REPEATS > 1 ? { repeats: pairs.map((pair) => ({ cpuAddedPercent: pair.cpuAddedPercent, fpsRatio: pair.fpsRatio, cpuPercent: { on: pair.on.cpuPercent, off: pair.off.cpuPercent } })) } : {}),
    };
    results.push(result);
    console.log(`${sceneName(result)}: remote ${on.remoteFps} fps (off ${off.remoteFps}, on/off ${result.fpsRatio}), camera ${on.cameraFps}, `
      + `composite ${on.compositeMs} ms (frame ${on.frameMs}), analysis ${on.analysesPerSecond}/s every ${on.analysisIntervalMs} ms (yielding ${on.yieldingPct} % of seconds), `
      + `age ${on.resultAgeMs} ms (moving ${on.movingAgeMs}), reply ${on.replyMs} ms, placement error ${on.placementErrorPct} % (p95 of max ${on.placementErrorP95Pct}), emoji on ${on.emojiShownPct} % of frames, copy ${on.copyMs} ms, analysis copy ${on.analysisCopyMs} ms, relay ${on.relayMs} ms, `
      + `stages ${JSON.stringify(on.stageMs)}, ${on.room ? `room ${JSON.stringify(on.room)}, ` : ''}CPU added ${result.cpuAddedPercent} %, on ${JSON.stringify(on.cpuPercent)} off ${JSON.stringify(off.cpuPercent)}`);
  }
} finally {
  busy.stop();
  await site.close();
}

/** `1280×720 1f`, with the motion when it is not the default. */
function sceneName({ width, height, faces, motion }) {
  if (faces === 'room') return `${width}×${height} room`;
  return `${width}×${height} ${faces}f${motion === 'drift' ? '' : ` ${motion}`}`;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'dist', 'manifest.json'), 'utf8'));
/** The expression model built in (npm run bench builds first): architecture and model.json hash, which models/REPORT.md matches on. */
function expressionModel() {
  const { model } = JSON.parse(readFileSync(join(ROOT, 'models', 'expression.json'), 'utf8'));
  return { architecture: model.architecture, sha256: model.sha256 };
}
const chromium = (() => { try { return execFileSync('chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return 'unknown'; } })();
const report = {
  date: new Date().toISOString(), command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), seconds: SECONDS, busy: busy.count,
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.arch()}`, load: os.loadavg() },
  versions: { emoface: manifest.version, chromium, node: process.version, expressionModel: expressionModel() },
  results,
};
console.table(results.map((r) => ({
  scene: sceneName(r), 'remote fps (off)': `${r.on.remoteFps} (${r.off.remoteFps})`, 'on/off': r.fpsRatio, 'camera fps': r.on.cameraFps,
  'composite ms (frame)': `${r.on.compositeMs} (${r.on.frameMs})`, 'analyses/s': r.on.analysesPerSecond, 'interval ms': r.on.analysisIntervalMs,
  'age ms (moving)': `${r.on.resultAgeMs} (${r.on.movingAgeMs})`, 'reply ms': r.on.replyMs, 'placement % (p95 max)': `${r.on.placementErrorPct} (${r.on.placementErrorP95Pct})`,
  'emoji %': r.on.emojiShownPct, 'search/follow/classify ms': `${r.on.stageMs?.search}/${r.on.stageMs?.follow}/${r.on.stageMs?.classify}`,
  'room: least covered % (entry ms)': r.on.room ? `${r.on.room.leastCoveredPct} (${r.on.room.entryMs.join(', ')})` : '', 'CPU added %': r.cpuAddedPercent,
  'page CPU % (off)': `${r.on.cpuPercent.page} (${r.off.cpuPercent.page})`, 'ext CPU %': r.on.cpuPercent.extension, 'all CPU % (off)': `${r.on.cpuPercent.all} (${r.off.cpuPercent.all})`,
})));
const out = resolve(options.out ?? join(ROOT, 'bench', 'results', `call-${report.date.slice(0, 10)}.json`));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote ${out}`);
