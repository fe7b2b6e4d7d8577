/**
 * Gestures in Firefox ESR: with gestures switched on, the analyser in the background page loads the face
 * landmarker and a film still of a mouth held wide open shows 😮 (SFEW, where ../shared/datasets has it;
 * see tests/e2e/gestures.test.ts for the Chromium side).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { emojiShown, paddedStill, REPO } from '../e2e/harness';
import { FIREFOX_PATH, launchFirefox, makeFaceVideo, startCallServer, webmOf, XVFB_PATH } from './harness';

const MOUTH_OPEN = join(REPO, '..', 'shared', 'datasets', 'sfew', 'fear', 'DeepBlueSea_010340320_00000006.png');

it.skipIf(!existsSync(FIREFOX_PATH) || !existsSync(XVFB_PATH) || !existsSync(MOUTH_OPEN))('shows 😮 on a mouth held wide open, with gestures on', async () => {
  const video = makeFaceVideo({ photos: [paddedStill(MOUTH_OPEN)] });
  const site = await startCallServer({ camera: webmOf(video) });
  const firefox = await launchFirefox({ extensionDir: join(REPO, 'dist-firefox'), video, port: site.port });
  try {
    const extension = await firefox.extensionPage('src/popup/index.html');
    await extension.evaluate(() => browser.storage.sync.set({ settings: { version: 2, enabled: true, gestures: true } }));
    const page = await firefox.newPage();
    await page.goto(firefox.url('meet.google.com'));
    await page.evaluate(() => window.emofaceCall.start({ width: 640, height: 480, frameRate: 30 }, false));
    await page.waitForFunction(emojiShown, { timeout: 30_000, polling: 200 });
    const status = () => extension.evaluate(async () => {
      const [tab] = await browser.tabs.query({ url: 'https://meet.google.com/*' });
      return browser.tabs.sendMessage(tab!.id!, { type: 'getStatus' }) as Promise<{ gesturesShown: Record<string, number>; lastError: unknown; stageMs: { gestures: number } | null }>;
    });
    const deadline = Date.now() + 20_000;
    while (!((await status()).gesturesShown.mouthOpen ?? 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
    const last = await status();
    expect(last.lastError).toBeNull();
    expect(last.stageMs?.gestures).toBeGreaterThan(0);
    expect(last.gesturesShown.mouthOpen).toBeGreaterThan(0);
  } finally {
    await firefox.close();
    await site.close();
  }
}, 120_000);
