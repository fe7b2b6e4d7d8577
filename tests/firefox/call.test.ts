/**
 * emoface in Firefox ESR (dist-firefox/, `npm run build -- --firefox`), end to end: a loopback call on the
 * Meet-like page whose camera is a real-face clip, what the other side receives checked by its pixels.
 * The analyser runs in the background page; Firefox runs on a virtual display (Xvfb), where MediaPipe has
 * the WebGL it needs. Skipped where Firefox ESR (or, for the analyser's tests, Xvfb) is not installed.
 */
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SET_LABELS } from '../../src/pipeline/emoji/emojiSets';
import type { TabStatus } from '../../src/pipeline/messages';
import { catsShown, emojiGone, emojiShown, FLOWING_FPS, REPO } from '../e2e/harness';
import { callRates, FIREFOX_PATH, launchFirefox, recordPeers, makeFaceVideo, startCallServer, webmOf, XVFB_PATH, type CallSite, type Firefox } from './harness';

const DIST_FIREFOX = join(REPO, 'dist-firefox');
const video = makeFaceVideo({ width: 1280, height: 720, fps: 30, seconds: 4, faces: 1 });
let site: CallSite;
let firefox: Firefox;
/** An extension page, where the tests read the call tab's status and write the settings. */
let extension: Page;

/** In the page: polls `predicate` every 50 ms; resolves to the ms it took, rejects after `timeoutMs`. */
async function waitFor(page: Page, predicate: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  await page.waitForFunction(predicate, { timeout: timeoutMs, polling: 50 });
  return Date.now() - started;
}

/** The call tab's status, as the popup reads it from the bridge, asked from the extension page `from` (default: this file's Firefox's). */
async function tabStatus(from: Page = extension): Promise<TabStatus> {
  return from.evaluate(async () => {
    const [tab] = await browser.tabs.query({ url: 'https://meet.google.com/*' });
    return browser.tabs.sendMessage(tab!.id!, { type: 'getStatus' }) as Promise<TabStatus>;
  });
}

/** Writes the stored settings (version 2), as the popup does. */
async function writeSettings(settings: Record<string, unknown>): Promise<void> {
  await extension.evaluate((changes) => browser.storage.sync.set({ settings: { version: 2, enabled: true, emojiSet: 'faces', ...changes } }), settings);
}

/** Opens the call page on `host` and starts a 1280×720 call; resolves to the page and what its camera track says. */
async function openCall(host: string) {
  const page = await firefox.newPage();
  await page.evaluateOnNewDocument(recordPeers);
  await page.goto(firefox.url(host));
  const track = await page.evaluate(() => window.emofaceCall.start({ width: 1280, height: 720, frameRate: 30 }, false));
  await page.waitForFunction(() => window.emofaceCall.remoteStats().frames > 5, { timeout: 20_000, polling: 100 });
  return { page, track };
}

/** Sends a WebDriver BiDi command to Firefox. */
function bidi(method: string, params: object): Promise<unknown> {
  return (firefox.browser as unknown as { connection: { send(method: string, params: object): Promise<unknown> } }).connection.send(method, params);
}

/** Frames the other side received per second over `ms`. */
async function remoteFps(page: Page, ms: number): Promise<number> {
  const before = await page.evaluate(() => window.emofaceCall.remoteStats().frames);
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = await page.evaluate(() => window.emofaceCall.remoteStats().frames);
  return ((after - before) * 1000) / ms;
}

/**
 * A preload script (serialized): getUserMedia's video tracks are remembered, and a VideoFrame made from a
 * <video> playing one of them throws.
 */
function refuseCameraFrames() {
  if (location.protocol !== 'https:') return;
  const cameras = new WeakSet<MediaStreamTrack>();
  const getUserMedia = MediaDevices.prototype.getUserMedia;
  MediaDevices.prototype.getUserMedia = async function (constraints) {
    const stream = await getUserMedia.call(this, constraints);
    for (const track of stream.getVideoTracks()) cameras.add(track);
    return stream;
  };
  const Native = VideoFrame;
  window.VideoFrame = class extends Native {
    constructor(source: CanvasImageSource | AllowSharedBufferSource, init?: VideoFrameInit) {
      const played = source instanceof HTMLVideoElement && source.srcObject instanceof MediaStream ? source.srcObject.getVideoTracks()[0] : undefined;
      if (played && cameras.has(played)) throw new TypeError('test: no VideoFrame here');
      super(source as CanvasImageSource, init);
    }
  };
}

// The analyser needs WebGL, which Firefox has on a virtual display only: these need Xvfb as well.
describe.skipIf(!existsSync(FIREFOX_PATH) || !existsSync(XVFB_PATH))('emoface in Firefox', () => {
  beforeAll(async () => {
    if (!existsSync(join(DIST_FIREFOX, 'manifest.json'))) throw new Error('dist-firefox/ is not built: run npm run build -- --firefox');
    site = await startCallServer({ camera: webmOf(video) });
    firefox = await launchFirefox({ extensionDir: DIST_FIREFOX, video, port: site.port });
    // Opened before any call, so that each call's tab is the one in front: Firefox runs a tab behind
    // others at one frame a second (README, "Firefox").
    extension = await firefox.extensionPage('src/popup/index.html');
    await writeSettings({});
  }, 120_000);

  afterAll(async () => {
    await firefox?.close();
    await site?.close();
  });

  it('sends the camera at its own size with an emoji over the face, analysed in the background page', async () => {
    const { page, track } = await openCall('meet.google.com');
    // The call gets emoface's track, dressed as the camera.
    expect(track).toMatchObject({ label: 'emoface clip camera', settings: { width: 1280, height: 720 }, readyState: 'live' });
    await waitFor(page, emojiShown, 30_000);
    expect(await page.evaluate(() => window.emofaceCall.remoteStats())).toMatchObject({ width: 1280, height: 720 });
    expect(await remoteFps(page, 3000)).toBeGreaterThanOrEqual(FLOWING_FPS);
    const status = await tabStatus();
    expect(status).toMatchObject({ on: true, backend: 'wasm', lastError: null });
    expect(status.streams[0]).toMatchObject({ width: 1280, height: 720 });
    expect(status.streams[0]!.analysesPerSecond).toBeGreaterThanOrEqual(1);
    await page.close();
  }, 60_000);

  it('answers like the camera\'s track: clones, the camera\'s own answer to constraints, stop() ends the camera\'s frames', async () => {
    /** In a call on `host`: its video track's clone, and what applyConstraints answers (the clip camera refuses a frame rate). */
    const probe = async (host: string) => {
      const page = await firefox.newPage();
      await page.goto(firefox.url(host));
      const track = await page.evaluate(() => window.emofaceCall.start({ width: 1280, height: 720, frameRate: 30 }, true));
      const checks = await page.evaluate(async () => {
        const t = window.emofaceCall.localTrack();
        const clone = t.clone();
        const same = clone.label === t.label && clone.getSettings().deviceId === t.getSettings().deviceId;
        const applied = await t.applyConstraints({ frameRate: 15 }).then(() => 'applied', (error: Error) => `${error.name}: ${error.message}`);
        clone.stop();
        return { same, applied, cloneEnded: clone.readyState, originalAfterCloneStop: t.readyState };
      });
      return { page, track, checks };
    };
    const own = await probe('example.com');
    await own.page.close();
    const { page, track, checks } = await probe('meet.google.com');
    expect(track).toMatchObject({ audioTracks: 1, videoTracks: 1, readyState: 'live', label: 'emoface clip camera' });
    expect(checks).toEqual({ ...own.checks, same: true, cloneEnded: 'ended', originalAfterCloneStop: 'live' });
    await expect.poll(async () => (await tabStatus()).streams.length, { timeout: 10_000 }).toBe(1);
    expect(await page.evaluate(async () => (await window.emofaceCall.stop()).readyState)).toBe('ended');
    // The camera itself stopped: its frames end, so the page side reports the stream gone.
    await expect.poll(async () => (await tabStatus()).streams.length, { timeout: 5000 }).toBe(0);
    await page.close();
  }, 60_000);

  it('follows the settings during the call within a second: off, on, another emoji set', async () => {
    const { page } = await openCall('meet.google.com');
    await waitFor(page, emojiShown, 30_000);
    await writeSettings({ enabled: false });
    expect(await waitFor(page, emojiGone, 1000)).toBeLessThan(1000);
    await writeSettings({ enabled: true });
    expect(await waitFor(page, emojiShown, 1000)).toBeLessThan(1000);
    expect(await page.evaluate(catsShown)).toBe(false);
    await writeSettings({ emojiSet: 'cats' });
    expect(await waitFor(page, catsShown, 1000)).toBeLessThan(1000);
    await writeSettings({});
    await page.close();
  }, 60_000);

  it('draws a custom set\'s own images, and a site\'s own set, as in Chrome', async () => {
    const green = `data:image/png;base64,${(await sharp({ create: { width: 96, height: 96, channels: 4, background: { r: 0, g: 200, b: 83, alpha: 1 } } }).png().toBuffer()).toString('base64')}`;
    const set = { id: 'green', title: 'Green', levels: Object.fromEntries(SET_LABELS.map((label) => [label, [{ image: green }]])) };
    await extension.evaluate((sets) => browser.storage.local.set({ customSets: { version: 1, sets } }), [set]);
    await writeSettings({ emojiSet: 'custom:green' });
    const { page } = await openCall('meet.google.com');
    await waitFor(page, () => (window.emofaceCall.colorFraction([0, 200, 83], { tolerance: 20 }) ?? 0) > 0.02, 30_000);
    // The set's image, not the faces set's emoji.
    expect(await page.evaluate(emojiGone)).toBe(true);
    await writeSettings({ sites: { 'meet.google.com': { emojiSet: 'cats' } } });
    expect(await waitFor(page, catsShown, 2000)).toBeLessThan(2000);
    await extension.evaluate(() => browser.storage.local.remove('customSets'));
    await writeSettings({});
    await page.close();
  }, 60_000);

  it('leaves a site it is not switched on for alone: no hook, the camera\'s own frames', async () => {
    const { page, track } = await openCall('example.com');
    expect(await page.evaluate(() => Symbol.for('emoface.hook') in window)).toBe(false);
    expect(track).toMatchObject({ label: 'emoface clip camera' });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await page.evaluate(emojiGone)).toBe(true);
    expect(await remoteFps(page, 2000)).toBeGreaterThanOrEqual(FLOWING_FPS);
    await page.close();
  }, 60_000);

  it('keeps the call\'s frames and emoji flowing while its tab is behind another, through a restart of the background page', async () => {
    const { page } = await openCall('meet.google.com');
    await waitFor(page, emojiShown, 30_000);
    const other = await firefox.newPage();
    await other.bringToFront();
    expect(await page.evaluate(() => document.visibilityState)).toBe('hidden');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // WebRTC's own count: the page's frame counter runs on video frame callbacks, once a second here.
    const { source, remote } = await callRates(page, 3000);
    expect(source.fps).toBeGreaterThanOrEqual(FLOWING_FPS);
    expect(remote).toMatchObject({ width: 1280, height: 720 });
    expect(remote.fps).toBeGreaterThanOrEqual(FLOWING_FPS);
    expect((await tabStatus()).streams[0]!.emojiFps).toBeGreaterThanOrEqual(FLOWING_FPS);
    // The background page restarts (as an event page does after being unloaded): its clock comes back.
    const restarted = await extension.evaluate(async () => {
      const before = await browser.runtime.getBackgroundPage();
      const startedAt = before!.performance.timeOrigin;
      before!.location.reload();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      return (await browser.runtime.getBackgroundPage())!.performance.timeOrigin !== startedAt;
    });
    expect(restarted).toBe(true);
    expect((await callRates(page, 3000)).remote.fps).toBeGreaterThanOrEqual(FLOWING_FPS);
    await other.close();
    await page.bringToFront();
    expect(await remoteFps(page, 2000)).toBeGreaterThanOrEqual(FLOWING_FPS);
    await page.close();
  }, 60_000);

  it('sends the camera\'s own frames when they cannot be taken as VideoFrames, and the popup says why', async () => {
    // Loaded before any script of the page's, emoface's hook included: a VideoFrame of a <video> playing a
    // camera track is refused (the page's own frames, of emoface's output and the remote track, are not).
    const reply = await bidi('script.addPreloadScript', { functionDeclaration: `${refuseCameraFrames}` }) as { result: { script: string } };
    try {
      const { page } = await openCall('meet.google.com');
      expect(await remoteFps(page, 3000)).toBeGreaterThanOrEqual(FLOWING_FPS);
      expect(await page.evaluate(emojiGone)).toBe(true);
      expect(await page.evaluate(() => window.emofaceCall.remoteStats())).toMatchObject({ width: 1280, height: 720 });
      expect((await tabStatus()).lastError).toMatchObject({ key: 'frameFailed', args: ['TypeError: test: no VideoFrame here'] });
      await page.close();
    } finally {
      await bidi('script.removePreloadScript', { script: reply.result.script });
    }
  }, 60_000);

  it('keeps a call going for over 70 s with the emoji on', async () => {
    const { page } = await openCall('meet.google.com');
    await waitFor(page, emojiShown, 30_000);
    const started = Date.now();
    let shown = 0;
    let looks = 0;
    const before = await page.evaluate(() => window.emofaceCall.remoteStats().frames);
    while (Date.now() - started < 72_000) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      looks++;
      if (await page.evaluate(emojiShown)) shown++;
    }
    const fps = ((await page.evaluate(() => window.emofaceCall.remoteStats().frames)) - before) / ((Date.now() - started) / 1000);
    expect(fps).toBeGreaterThanOrEqual(FLOWING_FPS);
    expect(shown / looks).toBeGreaterThanOrEqual(0.8);
    expect((await tabStatus()).lastError).toBeNull();
    await page.close();
  }, 120_000);
});

describe.skipIf(!existsSync(FIREFOX_PATH) || !existsSync(XVFB_PATH))('emoface in Firefox where autoplay is blocked', () => {
  it('hands the call the camera itself when it cannot play the camera, and the popup says why', async () => {
    // "Block Audio and Video", and every play() needing a user's click (media.autoplay.blocking_policy 2):
    // emoface's <video> of the camera may not play, so it cannot read its frames. Firefox's own fake
    // camera (the clip camera plays a video too, which these settings also stop).
    const blockedSite = await startCallServer();
    const blocked = await launchFirefox({
      extensionDir: DIST_FIREFOX, port: blockedSite.port, prefs: { 'media.autoplay.default': 5, 'media.autoplay.blocking_policy': 2 },
    });
    try {
      const popup = await blocked.extensionPage('src/popup/index.html');
      const page = await blocked.newPage();
      await page.evaluateOnNewDocument(recordPeers);
      await page.goto(blocked.url('meet.google.com'));
      await page.evaluate(() => window.emofaceCall.start({ width: 640, height: 480, frameRate: 30 }, false));
      // Frames reach the call (WebRTC's own count: the page's own <video> may not play either).
      expect((await callRates(page, 3000)).source.fps).toBeGreaterThanOrEqual(FLOWING_FPS);
      const { lastError, streams } = await tabStatus(popup);
      expect(lastError).toMatchObject({ key: 'cameraUnwrapped', args: [expect.stringMatching(/^NotAllowedError/)] });
      expect(streams).toEqual([]);
    } finally {
      await blocked.close();
      await blockedSite.close();
    }
  }, 120_000);
});

describe.skipIf(!existsSync(FIREFOX_PATH))('emoface in Firefox when its analyser fails', () => {
  it('keeps the camera flowing, unchanged, and the popup says why', async () => {
    // Headless, Firefox has no WebGL: MediaPipe's detector loads but fails on every frame.
    const failingSite = await startCallServer({ camera: webmOf(video) });
    const headless = await launchFirefox({ extensionDir: DIST_FIREFOX, video, port: failingSite.port, virtualDisplay: false });
    try {
      // The extension page first: the call's tab must be the one in front (see README, "Firefox").
      const popup = await headless.extensionPage('src/popup/index.html');
      const page = await headless.newPage();
      await page.goto(headless.url('meet.google.com'));
      await page.evaluate(() => window.emofaceCall.start({ width: 1280, height: 720, frameRate: 30 }, false));
      const deadline = Date.now() + 30_000;
      while ((await tabStatus(popup)).lastError === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await tabStatus(popup)).lastError?.key).toBe('analysisFailed');
      const before = await page.evaluate(() => window.emofaceCall.remoteStats().frames);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(((await page.evaluate(() => window.emofaceCall.remoteStats().frames)) - before) / 3).toBeGreaterThanOrEqual(FLOWING_FPS);
      expect(await page.evaluate(emojiGone)).toBe(true);
    } finally {
      await headless.close();
      await failingSite.close();
    }
  }, 120_000);
});
