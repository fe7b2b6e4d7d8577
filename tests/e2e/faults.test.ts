/**
 * Whatever fails inside emoface, the call keeps a working camera and the popup's status says why:
 * the offscreen analyser closed mid-call, a model that cannot load, the extension updated or removed mid-call.
 */
import { cpSync, mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt, colorFraction, devtools, DIST, emojiGone, emojiShown, EXTENSION_DEBUGGING, extensionCopy, FACE_YELLOW, FLOWING_FPS,
  launchBrowser, makeFaceVideo, openCall, startCallServer, tabStatus, waitFor, type CallSite,
} from './harness';

let site: CallSite;
let video: string;

beforeAll(async () => {
  assertBuilt();
  video = makeFaceVideo({ width: 640, height: 480, fps: 30, seconds: 4, faces: 1 });
  site = await startCallServer();
});

afterAll(async () => {
  await site?.close();
});

/** The remote side's frame count, `samples` times, `everyMs` apart. */
async function remoteFrames(page: Page, everyMs: number, samples: number): Promise<number[]> {
  const counts = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await page.waitForTimeout(everyMs);
    counts.push(await page.evaluate(() => window.emofaceCall.remoteStats().frames));
  }
  return counts;
}

/** Frames the remote side receives over `ms`, per second. */
async function remoteFps(page: Page, ms: number): Promise<number> {
  const [before, after] = await remoteFrames(page, ms, 2);
  return ((after! - before!) * 1000) / ms;
}

describe('faults during a call', () => {
  it('keeps the camera flowing when the offscreen analyser is closed, says so, and resumes', async () => {
    const browser = await launchBrowser({ extensionDir: DIST, video, port: site.port });
    try {
      const { page } = await openCall(browser.context, 'meet.google.com');
      await waitFor(page, emojiShown, 10_000);
      await browser.serviceWorker!.evaluate(() => chrome.offscreen.closeDocument());
      expect(await remoteFps(page, 2000)).toBeGreaterThanOrEqual(FLOWING_FPS);
      const status = await tabStatus(browser.serviceWorker!, 'https://meet.google.com/*');
      expect(status.lastError?.key).toBe('analyserStopped');
      await waitFor(page, emojiShown, 10_000); // a new analyser opened with the next frames
    } finally {
      await browser.close();
    }
  });

  it('keeps the camera flowing, untouched, when the expression model cannot load, and says why', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'emoface-broken-'));
    cpSync(DIST, broken, { recursive: true });
    truncateSync(join(broken, 'models', 'expression', 'weights.bin'), 1000);
    const browser = await launchBrowser({ extensionDir: broken, video, port: site.port });
    try {
      const { page, track } = await openCall(browser.context, 'meet.google.com');
      expect(track.isCameraTrack).toBe(false);
      expect(await remoteFps(page, 2000)).toBeGreaterThanOrEqual(FLOWING_FPS);
      expect(await colorFraction(page, FACE_YELLOW)).toBeLessThan(0.01);
      await expect.poll(async () => (await tabStatus(browser.serviceWorker!, 'https://meet.google.com/*')).lastError?.key, { timeout: 10_000 })
        .toBe('analyserCannotStart');
      expect(await remoteFps(page, 1000)).toBeGreaterThanOrEqual(FLOWING_FPS);
    } finally {
      await browser.close();
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('keeps the camera flowing while the extension is updated mid-call, and resumes with the new version', async () => {
    const copy = extensionCopy();
    const browser = await launchBrowser({ extensionDir: copy.dir, video, port: site.port, args: [EXTENSION_DEBUGGING] });
    try {
      const { page } = await openCall(browser.context, 'meet.google.com');
      await waitFor(page, emojiShown, 10_000);
      // A new version over the old one, as the store's update does: the old contexts go, the new ones start.
      copy.edit((manifest) => {
        manifest.version = '99.0.0';
      });
      const protocol = await devtools(browser.context);
      const newWorker = browser.context.waitForEvent('serviceworker', { timeout: 30_000 });
      const framesEvery500ms = remoteFrames(page, 500, 12);
      await protocol.browser.send('Extensions.loadUnpacked', { path: copy.dir });
      const worker = await newWorker;
      expect(await worker.evaluate(() => chrome.runtime.getManifest().version)).toBe('99.0.0');
      const frames = await framesEvery500ms;
      expect(frames.slice(1).every((count, i) => count > frames[i]!), `remote frames every 500 ms: ${frames.join(', ')}`).toBe(true);
      // The new service worker put a new bridge into the tab; the hook, still wrapping the camera, meets it.
      await expect.poll(async () => (await tabStatus(worker, 'https://meet.google.com/*').catch(() => null))?.streams[0]?.faces ?? 0, { timeout: 15_000 })
        .toBeGreaterThan(0);
      await waitFor(page, emojiShown, 10_000);
      expect(await remoteFps(page, 2000)).toBeGreaterThanOrEqual(FLOWING_FPS);
    } finally {
      await browser.close();
      copy.remove();
    }
  });

  it('keeps the camera flowing, unchanged, when the extension is removed mid-call', async () => {
    const browser = await launchBrowser({ extensionDir: DIST, video, port: site.port });
    try {
      const { page } = await openCall(browser.context, 'meet.google.com');
      await waitFor(page, emojiShown, 10_000);
      // The worker goes with the extension, so its answer never comes.
      void browser.serviceWorker!.evaluate(() => chrome.management.uninstallSelf()).catch(() => undefined);
      await expect.poll(() => browser.context.serviceWorkers().length).toBe(0);
      expect(await waitFor(page, emojiGone, 5000)).toBeLessThan(5000);
      expect(await remoteFps(page, 3000)).toBeGreaterThanOrEqual(FLOWING_FPS);
      expect(await page.evaluate(() => window.emofaceCall.remoteStats())).toMatchObject({ width: 640, height: 480 });
    } finally {
      await browser.close();
    }
  });
});
