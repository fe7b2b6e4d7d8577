import type { BrowserContext, Worker } from 'playwright-core';
import type { TabStatus } from '../src/pipeline/messages';
import type { Settings } from '../src/pipeline/settings';

/** Chrome or Chromium: $CHROME_PATH, else the first one on the PATH. */
export function findChrome(): string;
/** Launches Chromium with the extension (or none), a fake camera (or the real one) and the call hosts mapped. */
export function launchBrowser(options: { extensionDir?: string | null; video?: string | null; headless?: boolean; port: number; args?: string[] }): Promise<{
  context: BrowserContext;
  serviceWorker: Worker | null;
  extensionId: string | null;
  userDataDir: string;
  close: () => Promise<void>;
}>;
/** Writes settings as the popup does, from the extension's service worker: `patch` over the stored settings. */
export function writeSettings(worker: Worker, patch: Partial<Settings>): Promise<void>;
/** The live status the bridge of the tab showing `url` gives the popup. */
export function tabStatus(worker: Worker, url: string): Promise<TabStatus>;
