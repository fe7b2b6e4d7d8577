/**
 * The Firefox launcher (demo/firefox.mjs) with no extension: the call hosts reach the local call site, the
 * camera is the real-face clip, and its frames reach the other side of a loopback call at the clip's rate.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLOWING_FPS } from '../e2e/harness';
import {
  callRates, CLIP_CAMERA_LABEL, FIREFOX_PATH, launchFirefox, makeFaceVideo, recordPeers, startCallServer, webmOf,
  type CallSite, type Firefox,
} from './harness';

let site: CallSite;
let firefox: Firefox;

beforeAll(async () => {
  if (!existsSync(FIREFOX_PATH)) return;
  const video = makeFaceVideo({ width: 1280, height: 720, fps: 30, seconds: 4, faces: 1 });
  site = await startCallServer({ camera: webmOf(video) });
  firefox = await launchFirefox({ video, port: site.port });
});

afterAll(async () => {
  await firefox?.close();
  await site?.close();
});

describe.skipIf(!existsSync(FIREFOX_PATH))('Firefox on the call site', () => {
  it('sends the clip at 1280×720 to the other side, frames flowing', async () => {
    const page = await firefox.newPage();
    await page.evaluateOnNewDocument(recordPeers);
    await page.goto(firefox.url('meet.google.com'));
    expect(site.requests.some((r) => r.host === 'meet.google.com' && r.path === '/call.js')).toBe(true);

    const track = await page.evaluate(() => window.emofaceCall.start({ width: 1280, height: 720, frameRate: 30 }, false));
    expect(track.label).toBe(CLIP_CAMERA_LABEL);
    expect(track.settings).toMatchObject({ width: 1280, height: 720, frameRate: 30 });
    await page.waitForFunction(() => window.emofaceCall.remoteStats().fps >= 10, { timeout: 15_000, polling: 100 });

    // The camera track gives the clip's 30 fps (29.5 reached the other side on the idle machine); frames
    // flowing is what is checked here, as in the Chromium tests: the encoder drops some on a busy machine.
    const { source, remote } = await callRates(page, 5000);
    expect(source).toMatchObject({ width: 1280, height: 720 });
    expect(source.fps).toBeGreaterThanOrEqual(FLOWING_FPS);
    expect(remote).toMatchObject({ width: 1280, height: 720 });
    expect(remote.fps).toBeGreaterThanOrEqual(FLOWING_FPS);
    expect(await page.evaluate(() => window.emofaceCall.remoteStats())).toMatchObject({ width: 1280, height: 720 });
    // The clip, not black and not the fake camera's flat colour: its eighths from top to bottom differ.
    const rows = await page.evaluate(() => window.emofaceCall.brightness(Array.from({ length: 8 }, (_, i) => ({ x: 0, y: i / 8, width: 1, height: 1 / 8 }))));
    expect(Math.min(...rows!)).toBeGreaterThan(40);
    expect(Math.max(...rows!) - Math.min(...rows!)).toBeGreaterThan(30);
    await page.evaluate(() => window.emofaceCall.stop());
  });
});
