// Opens Chromium with the built extension (or none) and, optionally, a fake camera from a real-face clip,
// with the call hosts mapped to the local call site. Flags as ../shared/DESIGN.md measured them.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { chromium } from 'playwright-core';
import { CALL_HOSTS } from './server.mjs';

/** Chrome or Chromium: $CHROME_PATH, else the first one found on the PATH. */
export function findChrome() {
  if (process.env.CHROME_PATH) return process.env.CHROME_PATH;
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of names) if (existsSync(join(folder, name))) return join(folder, name);
  }
  throw new Error('no Chrome or Chromium found: install one (apt-get install chromium) or set CHROME_PATH');
}

/**
 * Launches Chromium.
 * @param {{extensionDir?: string | null, video?: string | null, headless?: boolean, port: number, args?: string[]}} options
 *   extensionDir: the unpacked extension to load (null: none); video: a .y4m for the fake camera (null: the real camera)
 * @returns {Promise<{context: import('playwright-core').BrowserContext, extensionId: string | null, serviceWorker: import('playwright-core').Worker | null, userDataDir: string, close: () => Promise<void>}>}
 */
export async function launchBrowser({ extensionDir = null, video = null, headless = true, port, args = [] }) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'emoface-chromium-'));
  const flags = [
    '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-default-browser-check',
    `--host-resolver-rules=${CALL_HOSTS.map((host) => `MAP ${host} 127.0.0.1:${port}`).join(', ')}`, '--ignore-certificate-errors',
    ...(headless ? ['--headless=new', '--disable-gpu'] : []),
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ...(extensionDir ? [`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`] : []),
    ...(video ? ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`] : []),
    ...args,
  ];
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: findChrome(), headless: false, args: flags, viewport: null,
    ignoreDefaultArgs: ['--disable-extensions', '--enable-automation'],
  });
  if (!video) await context.grantPermissions(['camera', 'microphone'], { origin: `https://${CALL_HOSTS[0]}` }).catch(() => undefined);
  let serviceWorker = null;
  if (extensionDir) serviceWorker = context.serviceWorkers()[0] ?? await context.waitForEvent('serviceworker', { timeout: 30_000 });
  return {
    context,
    serviceWorker,
    extensionId: serviceWorker ? new URL(serviceWorker.url()).host : null,
    userDataDir,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Writes settings as the popup does, from the extension's service worker `worker`: `patch` over the stored
 * settings (version 2), in chrome.storage.sync.
 */
export async function writeSettings(worker, patch) {
  await worker.evaluate(async (changes) => {
    const stored = (await chrome.storage.sync.get('settings')).settings ?? {};
    await chrome.storage.sync.set({ settings: { version: 2, ...stored, ...changes } });
  }, patch);
}

/** The live status the bridge of the tab showing `url` gives the popup, asked from the extension's service worker `worker`. */
export async function tabStatus(worker, url) {
  return worker.evaluate(async (u) => {
    const [tab] = await chrome.tabs.query({ url: u });
    return chrome.tabs.sendMessage(tab.id, { type: 'getStatus' });
  }, url);
}
