// `npm run bench`: what a call costs with emoface, in Debian's Chromium with the built extension, through
// a real loopback WebRTC call from a fake camera of real faces. For 640×480 and 1280×720 at 30 fps, with
// one face and with three, it measures over --seconds (default 10):
//   the frames per second the remote side receives, and the camera's;
//   the page's time to draw the emoji on a frame and its whole time per frame, the analysis rate and the offscreen stages' ms, and the
//   age of the results each frame is drawn with (the hook's and the analyser's own numbers, via the popup's status);
//   the CPU time of the page's and the extension's renderer processes, and of all of Chromium,
// and the same call with emoface switched off. Prints a table; writes bench/results/call-<date>.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../demo/browser.mjs';
import { makeFaceVideo } from '../demo/fakeCamera.mjs';
import { startCallServer } from '../demo/server.mjs';
import { chromiumProcesses } from './chromiumProcesses.mjs';
import { median } from './median.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, scenes: { type: 'string', default: '640x480:1,640x480:3,1280x720:1,1280x720:3' } } });
const SECONDS = Number(options.seconds);
const round = (v, digits = 1) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

/** One call of `seconds` on a fresh browser; `on` false: emoface switched off before the call starts. */
async function measure(site, { width, height, faces }, on) {
  const video = makeFaceVideo({ width, height, fps: 30, seconds: 4, faces });
  const browser = await launchBrowser({ extensionDir: join(ROOT, 'dist'), video, port: site.port });
  try {
    await browser.serviceWorker.evaluate((enabled) => chrome.storage.sync.set({ settings: { version: 2, enabled } }), on);
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
    for (let s = 0; s < SECONDS; s++) {
      await page.waitForTimeout(1000);
      seconds.push(await status());
    }
    const elapsed = (performance.now() - started) / 1000;
    const framesAfter = await page.evaluate(() => window.emofaceCall.remoteStats());
    const cpuAfter = chromiumProcesses(browser.userDataDir).cpuSeconds;
    const streams = seconds.map((s) => s?.streams?.[0]).filter(Boolean);
    const stages = seconds.at(-1)?.stageMs ?? null;
    return {
      remoteFps: round((framesAfter.frames - framesBefore) / elapsed),
      remoteSize: `${framesAfter.width}×${framesAfter.height}`,
      cameraFps: streams.length ? round(median(streams.map((s) => s.fpsIn))) : null,
      compositeMs: on ? round(median(streams.map((s) => s.compositeMs)), 2) : null,
      frameMs: on ? round(median(streams.map((s) => s.frameMs)), 2) : null,
      analysesPerSecond: on ? round(median(streams.map((s) => s.analysesPerSecond))) : null,
      resultAgeMs: on ? round(median(streams.map((s) => s.resultAgeMs)), 0) : null,
      facesDrawn: on ? median(streams.map((s) => s.faces)) : null,
      stageMs: on ? stages : null,
      backend: seconds.at(-1)?.backend ?? null,
      cpuPercent: Object.fromEntries(Object.keys(cpuAfter).map((k) => [k, round(((cpuAfter[k] - cpuBefore[k]) / elapsed) * 100)])),
    };
  } finally {
    await browser.close();
  }
}

if (!existsSync(join(ROOT, 'dist', 'manifest.json'))) throw new Error('dist/ is not built: npm run bench builds it');
const site = await startCallServer();
const results = [];
for (const scene of options.scenes.split(',')) {
  const [size, faces] = scene.split(':');
  const [width, height] = size.split('x').map(Number);
  const on = await measure(site, { width, height, faces: Number(faces) }, true);
  const off = await measure(site, { width, height, faces: Number(faces) }, false);
  results.push({ width, height, faces: Number(faces), on, off });
  console.log(`${width}×${height}, ${faces} face(s): remote ${on.remoteFps} fps (off ${off.remoteFps}), camera ${on.cameraFps}, composite ${on.compositeMs} ms (frame ${on.frameMs}), `
    + `analysis ${on.analysesPerSecond}/s, age ${on.resultAgeMs} ms, stages ${JSON.stringify(on.stageMs)}, CPU on ${JSON.stringify(on.cpuPercent)} off ${JSON.stringify(off.cpuPercent)}`);
}
await site.close();

const manifest = JSON.parse(readFileSync(join(ROOT, 'dist', 'manifest.json'), 'utf8'));
/** The expression model built in (npm run bench builds first): architecture and model.json hash, which models/REPORT.md matches on. */
function expressionModel() {
  const { model } = JSON.parse(readFileSync(join(ROOT, 'models', 'expression.json'), 'utf8'));
  return { architecture: model.architecture, sha256: model.sha256 };
}
const chromium = (() => { try { return execFileSync('chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return 'unknown'; } })();
const report = {
  date: new Date().toISOString(), command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), seconds: SECONDS,
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.arch()}`, load: os.loadavg() },
  versions: { emoface: manifest.version, chromium, node: process.version, expressionModel: expressionModel() },
  results,
};
console.table(results.map((r) => ({
  scene: `${r.width}×${r.height} ${r.faces}f`, 'remote fps': r.on.remoteFps, 'off fps': r.off.remoteFps, 'camera fps': r.on.cameraFps,
  'composite ms': r.on.compositeMs, 'frame ms': r.on.frameMs, 'analyses/s': r.on.analysesPerSecond, 'result age ms': r.on.resultAgeMs,
  'detect ms': r.on.stageMs?.detect, 'classify ms': r.on.stageMs?.classify, 'page CPU % (off)': `${r.on.cpuPercent.page} (${r.off.cpuPercent.page})`,
  'ext CPU %': r.on.cpuPercent.extension, 'all CPU % (off)': `${r.on.cpuPercent.all} (${r.off.cpuPercent.all})`,
})));
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const out = join(ROOT, 'bench', 'results', `call-${report.date.slice(0, 10)}.json`);
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote ${out}`);
