/** The real popup page drives a running call: its switches and choices reach the remote side within a second. */
import { expect, it } from 'vitest';
import { callBrowserForFile, catsShown, emojiGone, emojiShown, openCall, waitFor } from './harness';

const call = callBrowserForFile();

it('turns emoface off and on and changes the emoji set of a call in progress, each within a second', async () => {
  const { page } = await openCall(call.browser.context, 'meet.google.com');
  await waitFor(page, emojiShown, 10_000);
  const popup = await call.browser.context.newPage();
  await popup.goto(`chrome-extension://${call.browser.extensionId}/src/popup/index.html`);
  await popup.getByLabel('emoface on').uncheck();
  expect(await waitFor(page, emojiGone, 1000)).toBeLessThan(1000);
  await popup.getByLabel('emoface on').check();
  expect(await waitFor(page, emojiShown, 1000)).toBeLessThan(1000);
  expect(await page.evaluate(catsShown)).toBe(false);
  await popup.getByLabel('Cats').check();
  expect(await waitFor(page, catsShown, 1000)).toBeLessThan(1000);
  await expect.poll(() => popup.locator('#preview img').first().getAttribute('alt')).toBe('😾');
  await popup.getByLabel('Five (as in the paper)').check();
  expect(await popup.locator('#preview tr').count()).toBe(5);
  const stored = await call.browser.serviceWorker!.evaluate(async () => (await chrome.storage.sync.get('settings')).settings);
  expect(stored).toMatchObject({ enabled: true, emojiSet: 'cats', labelMode: 'five' });
});

it('says what is wrong with bad stored settings, uses defaults, and can reset them', async () => {
  await call.browser.serviceWorker!.evaluate(() => chrome.storage.sync.set({ settings: { version: 1, enabled: 'sometimes', emojiSet: 'dogs' } }));
  const popup = await call.browser.context.newPage();
  await popup.goto(`chrome-extension://${call.browser.extensionId}/src/popup/index.html`);
  await expect.poll(() => popup.locator('#problems-list li').allTextContents()).toEqual([
    'settings.enabled must be true or false, got "sometimes"; using true',
    'settings.emojiSet must be one of faces, cats or custom:<id>, got "dogs"; using "faces"',
  ]);
  expect(await popup.getByLabel('emoface on').isChecked()).toBe(true);
  await popup.getByRole('button', { name: 'Reset settings' }).click();
  await expect.poll(() => popup.locator('#problems').isHidden()).toBe(true);
  const stored = await call.browser.serviceWorker!.evaluate(async () => (await chrome.storage.sync.get('settings')).settings);
  expect(stored).toEqual({ version: 2, enabled: true, sites: {}, addedSites: [], emojiSet: 'faces', labelMode: 'seven', gestures: false });
});
