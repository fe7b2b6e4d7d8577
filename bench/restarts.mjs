// `node bench/restarts.mjs [--emoface on|off|absent] [--rounds 40] [--busy N] [--trace]`: starts and stops the demo call again
// and again (1280×720 fake camera from a real face video, 1.5–3 s per call, a forced garbage collection
// after each stop) and counts Chromium's "VideoFrame was garbage collected without being closed"
// warnings in the page: with emoface on, switched off, or not installed at all (the control: what the
// page and Chromium leave on their own). `--busy N` keeps N other processes spinning meanwhile (a
// loaded machine). With `--trace`, every VideoFrame a page script (the call page's
// or emoface's hook) reads from a stream or constructs is followed: one garbage collected before it was
// closed, or left open by the stream it was written to, is listed by where it came from. Prints JSON.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../demo/browser.mjs';
import { devtools } from '../demo/devtools.mjs';
import { makeFaceVideo } from '../demo/fakeCamera.mjs';
import { startCallServer } from '../demo/server.mjs';
import { startBusy } from './busy.mjs';

const { values: options } = parseArgs({ options: { emoface: { type: 'string', default: 'on' }, rounds: { type: 'string', default: '40' }, trace: { type: 'boolean', default: false }, busy: { type: 'string', default: '0' } } });
if (!['on', 'off', 'absent'].includes(options.emoface)) throw new Error('--emoface must be on, off or absent');
const rounds = Number(options.rounds);
const busy = startBusy(Number(options.busy));
const site = await startCallServer();
const browser = await launchBrowser({
  extensionDir: options.emoface === 'absent' ? null : join(import.meta.dirname, '..', 'dist'), port: site.port,
  video: makeFaceVideo({ width: 1280, height: 720, fps: 30, seconds: 10, faces: 1 }),
});
try {
  if (browser.serviceWorker) await browser.serviceWorker.evaluate((enabled) => chrome.storage.sync.set({ settings: { version: 2, enabled } }), options.emoface === 'on');
  const page = await browser.context.newPage();
  if (options.trace) await page.addInitScript(followFrames);
  const warnedAfter = [];
  let round = 0;
  page.on('console', (message) => {
    if (message.text().includes('garbage collected without being closed')) warnedAfter.push(round + 1);
  });
  await page.goto('https://meet.google.com/');
  const { target, send } = await devtools(browser.context);
  const callPage = await target((t) => t.type === 'page' && t.url.startsWith('https://meet.google.com/'));
  for (round = 0; round < rounds; round++) {
    await page.evaluate(() => window.emofaceCall.start({ width: 1280, height: 720, frameRate: 30 }));
    await page.waitForTimeout(1500 + Math.random() * 1500);
    await page.evaluate(() => window.emofaceCall.stop());
    await page.waitForTimeout(300);
    await send(callPage, 'HeapProfiler.collectGarbage');
  }
  await page.waitForTimeout(2000);
  const trace = options.trace ? await page.evaluate(() => ({ followed: window.followedFrames, unclosed: window.unclosedFrames })) : undefined;
  console.log(JSON.stringify({ emoface: options.emoface, busy: busy.count, rounds, warnings: warnedAfter.length, warnedAfterRound: warnedAfter, trace }));
} finally {
  busy.stop();
  await browser.close();
  await site.close();
}

/**
 * Runs in the page before its scripts: follows each VideoFrame read from a stream or constructed until it
 * is closed or its write to a stream settled (the generator then closed it, or it is counted as left
 * open); `window.followedFrames` counts them,
 * `window.unclosedFrames` those collected before either, by the stack that got them.
 */
function followFrames() {
  const unclosed = (window.unclosedFrames = {});
  const registry = new FinalizationRegistry((origin) => {
    unclosed[origin] = (unclosed[origin] ?? 0) + 1;
  });
  const tokens = new WeakMap();
  window.followedFrames = 0;
  const follow = (frame, origin) => {
    window.followedFrames++;
    const token = {};
    tokens.set(frame, token);
    registry.register(frame, origin, token);
  };
  const release = (frame) => {
    const token = frame instanceof VideoFrame ? tokens.get(frame) : undefined;
    if (token) registry.unregister(token);
  };
  const where = () => new Error().stack.split('\n').slice(2, 4).map((line) => line.trim()).join(' < ');
  const { close } = VideoFrame.prototype;
  VideoFrame.prototype.close = function closeFollowed() {
    release(this);
    return close.call(this);
  };
  const { write } = WritableStreamDefaultWriter.prototype;
  WritableStreamDefaultWriter.prototype.write = function writeFollowed(chunk) {
    const written = write.call(this, chunk);
    // The generator closes a frame it took; one still open once its write settled was left behind.
    const settled = () => {
      if (chunk instanceof VideoFrame && chunk.format !== null) {
        const origin = 'written, left open';
        unclosed[origin] = (unclosed[origin] ?? 0) + 1;
      }
      release(chunk);
    };
    written.then(settled, settled);
    return written;
  };
  const { read } = ReadableStreamDefaultReader.prototype;
  ReadableStreamDefaultReader.prototype.read = async function readFollowed() {
    const origin = `read ${where()}`;
    const result = await read.call(this);
    if (result.value instanceof VideoFrame) follow(result.value, origin);
    return result;
  };
  window.VideoFrame = new Proxy(VideoFrame, {
    construct(target, args) {
      const frame = Reflect.construct(target, args);
      follow(frame, `new ${where()}`);
      return frame;
    },
  });
}
