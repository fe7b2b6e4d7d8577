import type { BrowserContext, Worker } from 'playwright-core';

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
