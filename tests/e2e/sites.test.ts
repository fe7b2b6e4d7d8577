/**
 * Switching emoface on for a site beyond Meet and Discord from the real popup (opened on the site's tab
 * as the toolbar button opens it): the content scripts are registered and put into the open tab, the
 * settings record the site, and its next camera gets emoji; switching it off undoes each step.
 * Chromium's permission prompt cannot be answered in a headless browser, so the extension under test
 * is a copy that already holds example.com's permission (as after the user accepted the prompt): the
 * popup's request resolves at once, and everything after it is the real extension.
 */
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  assertBuilt, colorFraction, emojiShown, EXTENSION_DEBUGGING, extensionCopy, FACE_YELLOW, launchBrowser, makeFaceVideo, openCall,
  openPopupOn, startCall, startCallServer, waitFor, type Browser, type CallSite,
} from './harness';

const SITE = 'https://example.com/';
let site: CallSite;
let browser: Browser;
let copy: ReturnType<typeof extensionCopy>;

beforeAll(async () => {
  assertBuilt();
  site = await startCallServer();
  copy = extensionCopy();
  copy.edit((manifest) => manifest.host_permissions!.push(`${SITE}*`));
  browser = await launchBrowser({ extensionDir: copy.dir, video: makeFaceVideo({ faces: 1 }), port: site.port, args: [EXTENSION_DEBUGGING] });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  copy?.remove();
});

const addedSites = (worker: Worker) => worker.evaluate(async () => ((await chrome.storage.sync.get('settings')).settings as { addedSites?: string[] } | undefined)?.addedSites ?? []);
const registeredScripts = (worker: Worker) => worker.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).map((s) => s.id).sort());

/** Stops the page's call and starts a new one; whether the new camera track is the camera's own. */
async function restartCall(page: Page): Promise<boolean> {
  await page.evaluate(() => window.emofaceCall.stop());
  return (await startCall(page)).isCameraTrack;
}

it('switches emoface on for another site from the popup, covering its next camera, and off again', async () => {
  const worker = browser.serviceWorker!;
  const { page, track } = await openCall(browser.context, 'example.com');
  expect(track.isCameraTrack).toBe(true);

  const popup = await openPopupOn(browser, SITE);
  await expect.poll(() => popup.text()).toContain('Use emoface on example.com');
  await popup.click('add-site');
  await expect.poll(() => addedSites(worker)).toEqual(['example.com']);
  expect(await registeredScripts(worker)).toEqual(['bridge:example.com', 'hook:example.com']);
  await expect.poll(() => popup.text()).toContain('a camera the page turns on from now gets emoji');

  // The scripts were put into the open tab: the page's next camera is covered without a reload.
  expect(await restartCall(page)).toBe(false);
  await waitFor(page, emojiShown, 10_000);
  // And registered: a new page of the site is covered from its start.
  await page.reload();
  expect((await startCall(page)).isCameraTrack).toBe(false);
  await waitFor(page, emojiShown, 10_000);

  const again = await openPopupOn(browser, SITE);
  await expect.poll(() => again.text()).toContain('Stop using emoface on example.com');
  await again.click('remove-site');
  await expect.poll(() => addedSites(worker)).toEqual([]);
  expect(await registeredScripts(worker)).toEqual([]);
  await page.reload();
  expect(await restartCall(page)).toBe(true);
  await page.waitForTimeout(1500);
  expect(await colorFraction(page, FACE_YELLOW)).toBeLessThan(0.01);
});
