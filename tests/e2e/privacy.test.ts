/**
 * Nothing leaves the device. Chromium's net log records every network request with the origin that
 * started it, so requests are counted per context: the extension's (initiator chrome-extension://<id>)
 * and the call page's. Chromium's own start-up requests (initiator "not an origin") are not emoface's.
 * One probe request from the service worker shows that an extension request would be seen.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { assertBuilt, DIST, emojiShown, launchBrowser, makeFaceVideo, openCall, startCallServer, waitFor, type CallSite } from './harness';

let site: CallSite;
let folder: string;

beforeAll(async () => {
  assertBuilt();
  site = await startCallServer();
  folder = mkdtempSync(join(tmpdir(), 'emoface-netlog-'));
});

afterAll(async () => {
  await site?.close();
  rmSync(folder, { recursive: true, force: true });
});

/** Every network request in a Chromium net log: who started it and for what. */
function networkRequests(path: string): { initiator: string; url: string }[] {
  const log = JSON.parse(readFileSync(path, 'utf8')) as { constants: { logEventTypes: Record<string, number> }; events: { type: number; params?: { url?: string; initiator?: string } }[] };
  const start = log.constants.logEventTypes.URL_REQUEST_START_JOB;
  return log.events.filter((e) => e.type === start && e.params?.url).map((e) => ({ initiator: e.params!.initiator ?? 'not an origin', url: e.params!.url! }));
}

it('makes no network request from any extension context, and the call page only loads itself', async () => {
  const netlog = join(folder, 'netlog.json');
  const browser = await launchBrowser({
    extensionDir: DIST, video: makeFaceVideo({ faces: 1 }), port: site.port, args: [`--log-net-log=${netlog}`, '--net-log-capture-mode=Default'],
  });
  const extension = `chrome-extension://${browser.extensionId}`;
  try {
    const { page } = await openCall(browser.context, 'meet.google.com');
    await waitFor(page, emojiShown, 10_000);
    await page.waitForTimeout(2000);
    // The probe: what a request from an extension context looks like in the log.
    await browser.serviceWorker!.evaluate(() => fetch('https://example.com/probe').catch(() => undefined));
    await page.waitForTimeout(500);
  } finally {
    await browser.close(); // the net log is complete once Chromium exits
  }
  const requests = networkRequests(netlog);
  const fromExtension = requests.filter((r) => r.initiator === extension);
  expect(fromExtension.map((r) => r.url)).toEqual(['https://example.com/probe']);
  const fromPage = requests.filter((r) => r.initiator === 'https://meet.google.com' || r.url.startsWith('https://meet.google.com/'));
  expect(fromPage.length).toBeGreaterThan(0);
  expect(fromPage.filter((r) => !r.url.startsWith('https://meet.google.com/'))).toEqual([]);
  const allowed = new Set(['/', '/call.css', '/call.js', '/favicon.ico', '/probe']);
  expect(site.requests.filter(({ path }) => !allowed.has(path))).toEqual([]);
});
