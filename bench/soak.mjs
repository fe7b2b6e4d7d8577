// `npm run bench:soak [-- --minutes 60]`: an hour-long call with emoface, in Debian's Chromium with the
// built extension: a real loopback WebRTC call at 1280×720@30 from a fake camera looping a real face
// video. Every minute it records the frames the camera made (its track's own count, so frames dropped
// before emoface read them count as lost) and those emoface handed to the call, the frames the remote
// side received, the JS heap of the page, the offscreen analyser
// and the service worker (DevTools protocol), the RSS of the page and extension processes, the
// analyser's tracker count, and every error. Faults are injected along the way, each followed by a
// check that frames still flow: the offscreen document closed, the service worker stopped, the camera
// track ended and reopened by the page, the settings changed 100 times in a minute. Chromium's net log
// counts every request that leaves the machine from the extension or the call page over the whole call.
// Prints a table and a verdict against the targets; writes bench/results/soak-<date>-<minutes>min.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../demo/browser.mjs';
import { devtools } from '../demo/devtools.mjs';
import { makeFaceVideo } from '../demo/fakeCamera.mjs';
import { netLogFlags, networkRequests, requestsOffTheMachine } from '../demo/netLog.mjs';
import { startCallServer } from '../demo/server.mjs';
import { chromiumProcesses } from './chromiumProcesses.mjs';
import { median } from './median.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({ options: { minutes: { type: 'string', default: '60' }, from: { type: 'string' } } });
const MINUTES = Number(options.minutes);
if (!(MINUTES >= 2)) throw new Error('--minutes must be 2 or more (the first minute is the baseline)');
const MINUTE_MS = 60_000;
/** Targets of the soak (issue "an hour-long call that loses nothing"). */
const TARGETS = { memoryGrowthMiB: 10, deliveredPercent: 97, errors: 0, requestsOffTheMachine: 0 };
/** A problem the popup shows within this long after an injected fault is that fault's, not an error. */
const FAULT_EXPLAINS_MS = 15_000;
/** The faults injected, in order, spread evenly over the call. */
const FAULT_NAMES = ['offscreen document closed', 'service worker stopped', 'camera track ended and reopened by the page', 'settings changed 100 times in a minute'];

// `--from <report.json>`: the summary and verdict of a finished soak, recomputed from its per-minute samples.
if (options.from) {
  const saved = JSON.parse(readFileSync(options.from, 'utf8'));
  const { summary, verdict } = summarize({ ...saved, faultsPlanned: FAULT_NAMES.length });
  writeFileSync(options.from, `${JSON.stringify({ ...saved, summary, verdict }, null, 2)}\n`);
  console.log('summary', JSON.stringify(summary), 'targets', JSON.stringify(TARGETS), 'met', JSON.stringify(verdict));
  process.exit(0);
}

if (!existsSync(join(ROOT, 'dist', 'manifest.json'))) throw new Error('dist/ is not built: npm run bench:soak builds it');
const site = await startCallServer();
const netLog = join(mkdtempSync(join(os.tmpdir(), 'emoface-soak-')), 'netlog.json');
const browser = await launchBrowser({
  extensionDir: join(ROOT, 'dist'), port: site.port, args: netLogFlags(netLog),
  video: makeFaceVideo({ width: 1280, height: 720, fps: 30, seconds: 10, faces: 1 }), // Chromium loops it
});
const chromium = browser.context.browser().version();
const commit = gitCommit(); // the build under test: read now, not when the run ends
const errors = [];
const problems = [];
const faults = [];

const { browser: cdp, target, send } = await devtools(browser.context);
const extensionTarget = (type) => target((t) => t.type === type && t.url.startsWith(`chrome-extension://${browser.extensionId}/`));
/** JS heap in use after a full garbage collection (what is retained, not what awaits collection). */
async function heapMiB(info) {
  if (!info) return null;
  try {
    await send(info, 'HeapProfiler.collectGarbage');
    return Math.round(((await send(info, 'Runtime.getHeapUsage')).usedSize / 2 ** 20) * 10) / 10;
  } catch {
    return null; // the target went away meanwhile
  }
}

// The call, and an extension page that reads the tab's status and writes settings as the popup does
// (it keeps working while the service worker is stopped).
const page = await browser.context.newPage();
page.on('pageerror', (error) => errors.push({ atMs: Date.now(), where: 'page', text: error.message }));
page.on('console', (message) => message.type() === 'error' && errors.push({ atMs: Date.now(), where: 'page console', text: message.text() }));
await page.goto('https://meet.google.com/');
await page.evaluate(() => window.emofaceCall.start({ width: 1280, height: 720, frameRate: 30 }));
const control = await browser.context.newPage();
await control.goto(`chrome-extension://${browser.extensionId}/src/popup/index.html`);
const status = () => control.evaluate(async () => {
  const [tab] = await chrome.tabs.query({ url: 'https://meet.google.com/*' });
  return chrome.tabs.sendMessage(tab.id, { type: 'getStatus' }).catch(() => null);
});
const remoteFrames = () => page.evaluate(() => window.emofaceCall.remoteStats().frames);
await page.waitForFunction(() => (window.emofaceCall.colorFraction([255, 204, 77]) ?? 0) > 0.01, undefined, { timeout: 30_000, polling: 200 });

/** Remote frames per second over the next `ms`. */
async function remoteFps(ms = 3000) {
  const before = await remoteFrames();
  await page.waitForTimeout(ms);
  return ((await remoteFrames()) - before) / (ms / 1000);
}

/** The injected faults, by name: each does its harm and reports whether frames still flow after it. */
const FAULTS = {
  'offscreen document closed': async () => {
    const offscreen = await extensionTarget('background_page');
    if (!offscreen) throw new Error('no offscreen document to close');
    await cdp.send('Target.closeTarget', { targetId: offscreen.targetId });
  },
  'service worker stopped': async () => {
    const popupTarget = await target((t) => t.type === 'page' && t.url.startsWith(`chrome-extension://${browser.extensionId}/`));
    await send(popupTarget, 'ServiceWorker.enable');
    await send(popupTarget, 'ServiceWorker.stopAllWorkers');
    if (await extensionTarget('service_worker')) throw new Error('the service worker is still running');
  },
  'camera track ended and reopened by the page': async () => {
    await page.evaluate(() => window.emofaceCall.stop());
    await page.evaluate(() => window.emofaceCall.start({ width: 1280, height: 720, frameRate: 30 }));
  },
  // Runs on while the frames are checked (it takes most of a minute); awaited before the call ends.
  'settings changed 100 times in a minute': async () => {
    background.push(control.evaluate(async () => {
      const original = (await chrome.storage.sync.get('settings')).settings ?? {};
      for (let i = 0; i < 100; i++) {
        await chrome.storage.sync.set({ settings: { ...original, version: 2, emojiSet: i % 2 ? 'cats' : 'faces', labelMode: i % 3 ? 'seven' : 'five', enabled: i % 10 !== 5 } });
        await new Promise((resolve) => setTimeout(resolve, 550));
      }
      await chrome.storage.sync.set({ settings: original });
    }));
  },
};
const background = [];
const schedule = FAULT_NAMES.map((name, index, all) => ({ name, atMs: Math.round(((index + 1) / (all.length + 1)) * MINUTES * MINUTE_MS) }));

const started = Date.now();
const minutes = [];
const seenStreams = new Map(); // streamId → {cameraFrames, framesOut} at the last sample
let lastRemote = await remoteFrames();
let lastSampleMs = Date.now();
let lastError = null;
for (let minute = 1; minute <= MINUTES; minute++) {
  // Wait out the minute, injecting a fault when its time comes and watching the popup's last problem.
  const endMs = started + minute * MINUTE_MS;
  const rssSamples = [];
  while (Date.now() < endMs) {
    rssSamples.push(chromiumProcesses(browser.userDataDir).rssMiB);
    const due = schedule.find((f) => !f.done && Date.now() - started >= f.atMs);
    if (due) {
      due.done = true;
      const at = Date.now();
      let outcome;
      try {
        await FAULTS[due.name]();
        const fps = await remoteFps();
        outcome = { fault: due.name, minute, fpsAfter: Math.round(fps * 10) / 10, survived: fps >= 20 };
      } catch (error) {
        outcome = { fault: due.name, minute, survived: false, error: String(error) };
      }
      faults.push({ ...outcome, atMs: at - started });
      console.log(`fault: ${due.name} → ${outcome.survived ? `frames flow (${outcome.fpsAfter} fps)` : `NOT survived ${outcome.error ?? outcome.fpsAfter}`}`);
    }
    const now = await status();
    const key = now?.lastError ? JSON.stringify(now.lastError) : null;
    if (key && key !== lastError) problems.push({ atMs: Date.now() - started, problem: now.lastError });
    lastError = key ?? lastError;
    await page.waitForTimeout(Math.min(5000, Math.max(0, endMs - Date.now())));
  }
  const now = await status();
  let cameraFrames = 0;
  let framesOut = 0;
  for (const stream of now?.streams ?? []) {
    const before = seenStreams.get(stream.streamId) ?? { cameraFrames: 0, framesOut: 0 };
    cameraFrames += stream.cameraFrames - before.cameraFrames;
    framesOut += stream.framesOut - before.framesOut;
    seenStreams.set(stream.streamId, { cameraFrames: stream.cameraFrames, framesOut: stream.framesOut });
  }
  const remote = await remoteFrames();
  rssSamples.push(chromiumProcesses(browser.userDataDir).rssMiB);
  const callPage = await target((t) => t.type === 'page' && t.url.startsWith('https://meet.google.com/'));
  const sampledMs = Date.now();
  const row = {
    minute, seconds: Math.round((sampledMs - lastSampleMs) / 100) / 10, cameraFrames, framesToCall: framesOut, remoteFrames: remote - lastRemote,
    heapMiB: { page: await heapMiB(callPage), offscreen: await heapMiB(await extensionTarget('background_page')), serviceWorker: await heapMiB(await extensionTarget('service_worker')) },
    rssMiB: Object.fromEntries(Object.keys(rssSamples[0]).map((k) => [k, Math.round(median(rssSamples.map((sample) => sample[k])))])),
    trackers: now?.analyserTrackers ?? null, streams: now?.streams?.length ?? 0, errors: errors.length,
  };
  lastRemote = remote;
  lastSampleMs = sampledMs;
  minutes.push(row);
  console.log(`minute ${minute} (${row.seconds} s): camera ${row.cameraFrames}, to the call ${row.framesToCall}, remote ${row.remoteFrames}; heap MiB page ${row.heapMiB.page} offscreen ${row.heapMiB.offscreen} `
    + `worker ${row.heapMiB.serviceWorker}; RSS MiB page ${row.rssMiB.page} extension ${row.rssMiB.extension} all ${row.rssMiB.all}; trackers ${row.trackers}; errors ${row.errors}`);
}
await Promise.all(background);
await browser.close(); // the net log is complete once Chromium exits
await site.close();
const offTheMachine = requestsOffTheMachine(networkRequests(netLog), browser.extensionId);
rmSync(dirname(netLog), { recursive: true, force: true });

// Verdict (the share delivered is per stream: the frames of a stream's last seconds before it ends count
// in neither total). Memory: the page and extension processes' RSS (the median of the minute's samples,
// one every 5 s) and the JS heaps after a forced collection (at the minute's end); growth is the least-squares line through those samples
// from minute 1 to the last, so one sample's noise (RSS moves by tens of MiB as Chromium trims and
// grows its caches) neither hides nor fakes a trend.
function summarize({ minutes, faults, problems, errors, faultsPlanned, offTheMachine }) {
  const growth = (value) => round1(slope(minutes.map((m) => [m.minute, value(m)])) * (minutes.at(-1).minute - minutes[0].minute));
  const cameraFrames = minutes.reduce((n, m) => n + m.cameraFrames, 0);
  const unexplained = problems.filter((p) => !faults.some((f) => p.atMs >= f.atMs && p.atMs - f.atMs <= FAULT_EXPLAINS_MS));
  const summary = {
    memoryGrowthMiB: growth((m) => m.rssMiB.page + m.rssMiB.extension),
    heapGrowthMiB: { page: growth((m) => m.heapMiB.page), offscreen: growth((m) => m.heapMiB.offscreen) },
    deliveredPercent: round1((100 * minutes.reduce((n, m) => n + m.framesToCall, 0)) / cameraFrames),
    remoteFps: round1(minutes.reduce((n, m) => n + m.remoteFrames, 0) / minutes.reduce((n, m) => n + m.seconds, 0)),
    errors: errors.length + unexplained.length, faultsSurvived: `${faults.filter((f) => f.survived).length}/${faults.length}`,
    requestsOffTheMachine: offTheMachine?.length ?? null,
  };
  const verdict = {
    memory: summary.memoryGrowthMiB <= TARGETS.memoryGrowthMiB, delivered: summary.deliveredPercent >= TARGETS.deliveredPercent,
    errors: summary.errors <= TARGETS.errors, faults: faults.length === faultsPlanned && faults.every((f) => f.survived),
    requestsOffTheMachine: summary.requestsOffTheMachine === null ? null : summary.requestsOffTheMachine === TARGETS.requestsOffTheMachine,
  };
  return { summary, verdict };
}

/** Least-squares slope of [x, y] points (null y skipped). */
function slope(points) {
  const known = points.filter(([, y]) => y !== null && Number.isFinite(y));
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  const mx = mean(known.map(([x]) => x));
  const my = mean(known.map(([, y]) => y));
  const sxx = known.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : known.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0) / sxx;
}

const { summary, verdict } = summarize({ minutes, faults, problems, errors, faultsPlanned: FAULT_NAMES.length, offTheMachine });
console.table(minutes.map((m) => ({
  minute: m.minute, camera: m.cameraFrames, 'to call': m.framesToCall, remote: m.remoteFrames, 'page heap': m.heapMiB.page,
  'offscreen heap': m.heapMiB.offscreen, 'page RSS': m.rssMiB.page, 'ext RSS': m.rssMiB.extension, trackers: m.trackers, errors: m.errors,
})));
console.log('summary', JSON.stringify(summary), 'targets', JSON.stringify(TARGETS), 'met', JSON.stringify(verdict));

const report = {
  date: new Date().toISOString(), command: `npm run bench:soak -- --minutes ${MINUTES}`,
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), load: os.loadavg() },
  versions: { emoface: JSON.parse(readFileSync(join(ROOT, 'dist', 'manifest.json'), 'utf8')).version, commit, chromium, node: process.version },
  targets: TARGETS, summary, verdict, faults, problems, errors, offTheMachine, minutes,
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const out = join(ROOT, 'bench', 'results', `soak-${report.date.slice(0, 10)}-${MINUTES}min.json`);
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote ${out}`);

/** The commit the build came from, marked when the work tree differs from it. */
function gitCommit() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return execFileSync('git', ['status', '--porcelain', '--', 'src', 'models', 'emoji'], { cwd: ROOT, encoding: 'utf8' }).trim() ? `${head} + changes` : head;
  } catch {
    return 'unknown';
  }
}

function round1(value) {
  return Math.round(value * 10) / 10;
}
