// `npm run bench -- --firefox [--seconds 10] [--scenes 1280x720:1,…] [--out file.json]`: what a call costs
// with emoface in Firefox ESR (dist-firefox/, on a virtual display: demo/firefox.mjs), through a real
// loopback WebRTC call whose camera is a real-face clip. For each scene (as bench/call.mjs reads them:
// width×height:faces[:motion]), emoface on and then off, over --seconds with the call's tab in front:
//   the frames per second the other side decodes and the camera track gives the call (WebRTC statistics),
//   the hook's own numbers (frames read, analyses a second, result age, and while faces move, frames with
//   an emoji, page time per frame) and the analyser's stages, via the popup's status,
//   the CPU time of all of Firefox's processes (its content processes' command lines do not tell the
//   call's tab from the extension's);
// then, for 5 s, the same call with another tab in front (where Firefox runs the page's timers once a
// second, and emoface's frames come on the background page's clock). Prints a table; writes --out
// (default bench/results/firefox-<date>.json).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { webmOf } from '../demo/fakeCamera.mjs';
import { launchFirefox } from '../demo/firefox.mjs';
import { startCallServer } from '../demo/server.mjs';
import { median } from './median.mjs';
import { round, summariseStreams } from './streamSummary.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
const HIDDEN_SECONDS = 5;

/** In the page (a preload script): keeps the RTCPeerConnections the call page makes, for their statistics. */
function recordPeers() {
  const Native = RTCPeerConnection;
  const peers = [];
  window.peers = peers;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      peers.push(this);
    }
  };
}

/** Frames so far: taken by the sender from the camera track, decoded by the receiver. */
const frameCounts = (page) => page.evaluate(async () => {
  const [sender, receiver] = window.peers;
  const find = async (peer, type) => [...(await peer.getStats()).values()].find((s) => s.type === type && s.kind === 'video');
  return { at: performance.now(), sent: (await find(sender, 'media-source'))?.frames ?? 0, decoded: (await find(receiver, 'inbound-rtp'))?.framesDecoded ?? 0 };
});

/** CPU seconds of Firefox's processes: the process tree under `rootPid`. */
function firefoxCpuSeconds(rootPid) {
  const processes = new Map();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      processes.set(Number(pid), { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / TICKS });
    } catch {
      // gone meanwhile
    }
  }
  const inTree = (pid) => {
    for (let p = pid; p > 1; p = processes.get(p)?.ppid ?? 0) if (p === rootPid) return true;
    return false;
  };
  return [...processes].reduce((sum, [pid, process]) => sum + (inTree(pid) ? process.cpu : 0), 0);
}

/** One call of `seconds` in a fresh Firefox, emoface `on` or off. */
async function measure(site, scene, on, seconds) {
  const firefox = await launchFirefox({ extensionDir: join(ROOT, 'dist-firefox'), video: scene.video, port: site.port });
  try {
    // The extension's page first, so that the call's tab is the one in front.
    const extension = await firefox.extensionPage('src/popup/index.html');
    await extension.evaluate((enabled) => browser.storage.sync.set({ settings: { version: 2, enabled } }), on);
    const page = await firefox.newPage();
    await page.evaluateOnNewDocument(recordPeers);
    await page.goto(firefox.url('meet.google.com'));
    await page.evaluate((size) => window.emofaceCall.start(size, false), { width: scene.width, height: scene.height, frameRate: 30 });
    if (on) await page.waitForFunction(() => (window.emofaceCall.colorFraction([255, 204, 77]) ?? 0) > 0.01, { timeout: 30_000, polling: 100 });
    await new Promise((wake) => setTimeout(wake, 3000));
    const status = () => extension.evaluate(async () => {
      const [tab] = await browser.tabs.query({ url: 'https://meet.google.com/*' });
      return browser.tabs.sendMessage(tab.id, { type: 'getStatus' }).catch(() => null);
    });
    const pid = firefox.browser.process().pid;
    const cpuBefore = firefoxCpuSeconds(pid);
    const before = await frameCounts(page);
    const started = performance.now();
    const streams = [];
    for (let s = 0; s < seconds; s++) {
      await new Promise((wake) => setTimeout(wake, 1000));
      const stream = (await status())?.streams?.[0];
      if (stream) streams.push(stream);
    }
    const after = await frameCounts(page);
    const elapsed = (performance.now() - started) / 1000;
    const cpuAfter = firefoxCpuSeconds(pid);
    const last = on ? await status() : null;
    const other = await firefox.newPage();
    await other.bringToFront();
    await new Promise((wake) => setTimeout(wake, 2000));
    const hiddenBefore = await frameCounts(page);
    await new Promise((wake) => setTimeout(wake, HIDDEN_SECONDS * 1000));
    const hiddenAfter = await frameCounts(page);
    const rate = (a, b, key) => round(((b[key] - a[key]) * 1000) / (b.at - a.at));
    return {
      remoteFps: rate(before, after, 'decoded'), cameraToCallFps: rate(before, after, 'sent'),
      hiddenRemoteFps: rate(hiddenBefore, hiddenAfter, 'decoded'),
      ...(on ? {
        hookFpsIn: round(median(streams.map((s) => s.fpsIn))), ...summariseStreams(streams), relayMs: last?.relayMs ?? null, stageMs: last?.stageMs ?? null,
      } : {}),
      cpuPercent: round(((cpuAfter - cpuBefore) / elapsed) * 100),
    };
  } finally {
    await firefox.close();
  }
}

/** Runs the Firefox bench (called by bench/call.mjs for --firefox). */
export async function benchFirefox({ seconds, scenes, out }) {
  const results = [];
  for (const scene of scenes) {
    const { width, height, faces, motion } = scene;
    const site = await startCallServer({ camera: webmOf(scene.video) });
    try {
      const on = await measure(site, scene, true, seconds);
      const off = await measure(site, scene, false, seconds);
      results.push({ width, height, faces, motion, fpsRatio: round(on.remoteFps / off.remoteFps), cpuAddedPercent: round(on.cpuPercent - off.cpuPercent), on, off });
      console.log(`${width}×${height} ${faces}f ${motion}: remote ${on.remoteFps} fps (off ${off.remoteFps}), hidden tab ${on.hiddenRemoteFps} (off ${off.hiddenRemoteFps}), analyses ${on.analysesPerSecond}/s, age ${on.resultAgeMs} ms (moving ${on.movingAgeMs}), emoji ${on.emojiShownPct} %, frame ${on.frameMs} ms, CPU added ${results.at(-1).cpuAddedPercent} %`);
    } finally {
      await site.close();
    }
  }
  const version = execFileSync('/usr/bin/firefox-esr', ['--version'], { encoding: 'utf8' }).trim();
  const file = resolve(out ?? join(ROOT, 'bench', 'results', `firefox-${new Date().toISOString().slice(0, 10)}.json`));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), command: `npm run bench -- --firefox ${process.argv.slice(2).filter((a) => a !== '--firefox').join(' ')}`.trim(), seconds, machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model }, versions: { firefox: version }, results }, null, 2)}\n`);
  console.table(results.map((r) => ({
    scene: `${r.width}×${r.height} ${r.faces}f ${r.motion}`, 'remote fps (off)': `${r.on.remoteFps} (${r.off.remoteFps})`, 'on/off': r.fpsRatio, 'tab behind another: remote fps (off)': `${r.on.hiddenRemoteFps} (${r.off.hiddenRemoteFps})`,
    'analyses/s': r.on.analysesPerSecond, 'interval ms (yielding %)': `${r.on.analysisIntervalMs} (${r.on.yieldingPct})`, 'age ms (moving)': `${r.on.resultAgeMs} (${r.on.movingAgeMs})`, 'reply ms': r.on.replyMs, 'emoji %': r.on.emojiShownPct, 'page ms/frame': r.on.frameMs, 'CPU added %': r.cpuAddedPercent,
  })));
  console.log(`wrote ${file}`);
}
