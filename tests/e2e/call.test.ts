/**
 * The extension in Debian's Chromium on a Meet-like page (nonce + 'strict-dynamic', Trusted Types), a
 * Discord-like page and a site it is not on: a real loopback WebRTC call from a fake camera of real faces;
 * what the remote side receives is what is checked.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt, catsShown, colorFraction, DIST, emojiGone, emojiShown, FACE_YELLOW, FLOWING_FPS, launchBrowser, makeFaceVideo, median, openCall,
  sampleColor, startCallServer, tabStatus, waitFor, writeSettings, type Browser, type CallSite,
} from './harness';

let site: CallSite;
let browser: Browser;
let video: string;

beforeAll(async () => {
  assertBuilt();
  video = makeFaceVideo({ width: 640, height: 480, fps: 30, seconds: 4, faces: 1 });
  site = await startCallServer();
  browser = await launchBrowser({ extensionDir: DIST, video, port: site.port });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

// Each test's call pages go, passed or failed: the status helpers look tabs up by address.
afterEach(async () => {
  for (const page of browser.context.pages()) if (page.url().startsWith('https://')) await page.close();
});

describe('a call of three people', () => {
  it('covers every face', async () => {
    const group = await launchBrowser({ extensionDir: DIST, video: makeFaceVideo({ width: 1280, height: 720, fps: 30, seconds: 3, faces: 3 }), port: site.port });
    try {
      const { page } = await openCall(group.context, 'discord.com', { width: 1280, height: 720, frameRate: 30 });
      await expect.poll(async () => (await tabStatus(group.serviceWorker!, 'https://discord.com/*')).streams[0]?.faces, { timeout: 15_000 }).toBe(3);
      expect(median(await sampleColor(page, FACE_YELLOW, 1000))).toBeGreaterThan(0.03);
    } finally {
      await group.close();
    }
  });
});

/** Longest run of consecutive samples below `threshold`, in samples. */
function longestBareRun(samples: readonly number[], threshold: number): number {
  let longest = 0;
  let run = 0;
  for (const s of samples) {
    run = s < threshold ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

describe('a call on the Meet-like page', () => {
  it('sends the camera at its own resolution with an emoji over the face, never bare for long', async () => {
    const { page, track } = await openCall(browser.context, 'meet.google.com');
    expect(track.isCameraTrack).toBe(false);
    expect(track.label).toContain('.y4m'); // the fake camera's own label, not a generator's UUID
    expect(track.settings).toMatchObject({ width: 640, height: 480 });
    expect(track.settings.deviceId).toMatch(/^[0-9a-f]{64}$/);
    await waitFor(page, emojiShown, 10_000);
    const stats = await page.evaluate(() => window.emofaceCall.remoteStats());
    expect(stats).toMatchObject({ width: 640, height: 480 });
    // The clip loops through both faces. An emoji over a face is 5–35 % of this frame (the astronaut's face
    // is the smaller), a frame without one under 2 %: nearly every sample has one, and none is bare for long.
    const samples = await sampleColor(page, FACE_YELLOW, 4000);
    expect(samples.filter((fraction) => fraction > 0.02).length).toBeGreaterThanOrEqual(0.85 * samples.length);
    expect(longestBareRun(samples, 0.02)).toBeLessThanOrEqual(5); // ≤ 0.5 s without an emoji
    const status = await tabStatus(browser.serviceWorker!, 'https://meet.google.com/*');
    expect(status).toMatchObject({ host: 'meet.google.com', on: true, backend: 'wasm', lastError: null });
    expect(status.streams[0]).toMatchObject({ width: 640, height: 480, drawing: true });
    expect(status.streams[0]!.fpsOut).toBeGreaterThanOrEqual(FLOWING_FPS);
    expect(status.streams[0]!.analysesPerSecond).toBeGreaterThanOrEqual(1);
    await page.close();
  });

  it('follows the settings during the call within a second: off, on, another emoji set', async () => {
    const { page } = await openCall(browser.context, 'meet.google.com');
    await waitFor(page, emojiShown, 10_000);
    await writeSettings(browser.serviceWorker!, { enabled: false });
    expect(await waitFor(page, emojiGone, 1000)).toBeLessThan(1000);
    expect(await page.evaluate(() => window.emofaceCall.remoteStats().fps)).toBeGreaterThanOrEqual(FLOWING_FPS);
    await writeSettings(browser.serviceWorker!, { enabled: true });
    expect(await waitFor(page, emojiShown, 1000)).toBeLessThan(1000);
    expect(await page.evaluate(catsShown)).toBe(false);
    await writeSettings(browser.serviceWorker!, { emojiSet: 'cats' });
    expect(await waitFor(page, catsShown, 1000)).toBeLessThan(1000);
    await writeSettings(browser.serviceWorker!, { emojiSet: 'faces' });
    await page.close();
  });
});

describe('the track the call gets', () => {
  it('behaves like the camera\'s: audio untouched, constraints reach the camera, clones, and stop() releases the camera', async () => {
    const { page, track } = await openCall(browser.context, 'meet.google.com', { width: 640, height: 480, frameRate: 30 }, true);
    expect(track).toMatchObject({ audioTracks: 1, audioIsCameraTrack: true, videoTracks: 1, isCameraTrack: false, readyState: 'live' });
    const checks = await page.evaluate(async () => {
      const t = window.emofaceCall.localTrack();
      const clone = t.clone();
      const same = clone.label === t.label && clone.getSettings().deviceId === t.getSettings().deviceId;
      await t.applyConstraints({ width: 320, height: 240 });
      const applied = t.getSettings();
      clone.stop();
      return { same, cloneEnded: clone.readyState, originalAfterCloneStop: t.readyState, applied: [applied.width, applied.height], constraints: t.getConstraints() };
    });
    expect(checks).toMatchObject({ same: true, cloneEnded: 'ended', originalAfterCloneStop: 'live', applied: [320, 240] });
    expect(checks.constraints).toMatchObject({ width: 320, height: 240 });
    await waitFor(page, () => window.emofaceCall.remoteStats().width === 320, 5000);
    await expect.poll(async () => (await tabStatus(browser.serviceWorker!, 'https://meet.google.com/*')).streams.length, { timeout: 5000 }).toBe(1);
    expect(await page.evaluate(async () => (await window.emofaceCall.stop()).readyState)).toBe('ended');
    // The camera itself stopped: its frames end, so the page side reports the stream gone.
    await expect.poll(async () => (await tabStatus(browser.serviceWorker!, 'https://meet.google.com/*')).streams.length, { timeout: 5000 }).toBe(0);
    await page.close();
  });

  it('works in a second tab (Discord-like) and for a second getUserMedia in the same tab', async () => {
    const first = await openCall(browser.context, 'discord.com');
    const second = await openCall(browser.context, 'meet.google.com');
    for (const { page } of [first, second]) {
      await waitFor(page, emojiShown, 10_000);
    }
    const again = await first.page.evaluate(async () => {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { deviceId: { exact: window.emofaceCall.localTrack().getSettings().deviceId } } });
      const [t] = stream.getVideoTracks();
      const info = { label: t!.label, readyState: t!.readyState, generator: t!.constructor.name !== 'MediaStreamTrack' };
      t!.stop();
      return info;
    });
    expect(again).toMatchObject({ readyState: 'live', generator: true });
    expect(again.label).toContain('.y4m');
    await first.page.close();
    await second.page.close();
  });

  it('ends and restarts cleanly: every stopped stream ends (its queued frames drained), none left to the garbage collector', async () => {
    const { page } = await openCall(browser.context, 'meet.google.com');
    const unclosed: string[] = [];
    page.on('console', (message) => { if (/garbage collected without being closed/.test(message.text())) unclosed.push(message.text()); });
    for (let i = 0; i < 4; i++) {
      await page.evaluate(() => window.emofaceCall.stop());
      await page.evaluate(() => window.emofaceCall.start({ width: 640, height: 480, frameRate: 30 }, false));
      await page.waitForFunction((fps) => window.emofaceCall.remoteStats().fps >= fps, FLOWING_FPS, { timeout: 10_000, polling: 100 });
    }
    // Chromium warns when it collects an unclosed frame: make it collect now.
    const devtools = await browser.context.newCDPSession(page);
    for (let i = 0; i < 3; i++) {
      await devtools.send('HeapProfiler.collectGarbage');
      await page.waitForTimeout(500);
    }
    expect(unclosed).toEqual([]);
    await expect.poll(async () => (await tabStatus(browser.serviceWorker!, 'https://meet.google.com/*')).streams.length, { timeout: 5000 }).toBe(1);
    await page.close();
  });

  it('passes the camera\'s own error for a constraint no camera meets, and works again after it', async () => {
    const { page } = await openCall(browser.context, 'meet.google.com');
    const error = await page.evaluate(() => navigator.mediaDevices.getUserMedia({ video: { width: { exact: 12_345 } } }).then(() => 'no error', (e: Error) => `${e.name} ${(e as OverconstrainedError).constraint}`));
    expect(error).toBe('OverconstrainedError width');
    const after = await page.evaluate(async () => {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user', frameRate: { ideal: 15 } } });
      const [t] = stream.getVideoTracks();
      const info = { generator: t!.constructor.name !== 'MediaStreamTrack', frameRate: t!.getSettings().frameRate, constraints: t!.getConstraints() };
      t!.stop();
      return info;
    });
    expect(after).toMatchObject({ generator: true, constraints: { facingMode: 'user', frameRate: 15 } }); // as Chromium reports the camera's own
  });

  it('is the camera\'s own track on a site emoface is not switched on for', async () => {
    const { page, track } = await openCall(browser.context, 'example.com');
    expect(track.isCameraTrack).toBe(true);
    await page.waitForTimeout(1500);
    expect(await colorFraction(page, FACE_YELLOW)).toBeLessThan(0.01);
    await page.close();
  });
});
