/**
 * Nothing leaves the device, past the first minute. Chromium's net log records every network request
 * with the origin that started it, so requests are counted per context: the extension's (initiator
 * chrome-extension://<id>: service worker, offscreen document, popup) and the call page's. Chromium's own
 * start-up requests (initiator "not an origin") are not emoface's.
 *
 * MediaPipe Tasks' usage-metrics logger posts to Google every 60 s and when a task closes; the call runs
 * past that, then ends so that the analyser closes. The extension's CSP must block the post, and the
 * block must be seen as a CSP violation in the offscreen document: proof that the guard worked, not that
 * the logger happened to stay quiet.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { netLogFlags, networkRequests, requestsOffTheMachine } from '../../demo/netLog.mjs';
import { DEFAULTS } from '../../src/pipeline/defaults';
import { assertBuilt, devtools, DIST, emojiShown, launchBrowser, makeFaceVideo, openCall, startCall, startCallServer, waitFor, type CallSite } from './harness';

/** MediaPipe Tasks' logger flushes every 60 s (vision_bundle.mjs, `setInterval(…, 6e4)`); the call outlives that. */
const CALL_PAST_LOGGER_MS = 72_000;
/** The host MediaPipe Tasks' logger posts to. */
const METRICS_HOST = 'odml.pa.googleapis.com';

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

it('sends nothing off the machine from any context through a call past MediaPipe\'s metrics interval and the analyser\'s close; the metrics post is blocked by the CSP', async () => {
  const netlog = join(folder, 'netlog.json');
  const browser = await launchBrowser({ extensionDir: DIST, video: makeFaceVideo({ faces: 1 }), port: site.port, args: netLogFlags(netlog) });
  const extension = `chrome-extension://${browser.extensionId}`;
  let violations: { blockedURI: string; directive: string }[] = [];
  let serviceWorkerFetch = '';
  try {
    const { page } = await openCall(browser.context, 'meet.google.com');
    await waitFor(page, emojiShown, 10_000);
    const protocol = await devtools(browser.context);
    const offscreen = await protocol.target((t) => t.url === `${extension}/src/offscreen/index.html`);
    expect(offscreen, 'the offscreen analyser is open').not.toBeNull();
    const inOffscreen = async (expression: string) => (await protocol.send(offscreen!, 'Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })).result.value;
    await inOffscreen(`globalThis.cspViolations = [];
      addEventListener('securitypolicyviolation', (e) => cspViolations.push({ blockedURI: e.blockedURI, directive: e.effectiveDirective }));`);

    // The call runs past the logger's first flush, counted from the analyser's start, and still shows emoji then.
    const aliveMs = Number(await inOffscreen('performance.now()'));
    await page.waitForTimeout(Math.max(0, CALL_PAST_LOGGER_MS - aliveMs));
    await waitFor(page, emojiShown, 5_000);

    // The call ends: the analyser closes once idle (MediaPipe flushes its logger on close).
    await page.evaluate(() => window.emofaceCall.stop());
    await page.waitForTimeout(DEFAULTS.analysis.idleCloseMs + 3_000);
    violations = await inOffscreen('cspViolations') as typeof violations;

    // A call after that opens the analyser again.
    await startCall(page);
    await waitFor(page, emojiShown, 15_000);

    // An extension context cannot fetch beyond the extension; a navigation it starts is seen in the net log.
    // (no-cors: without the CSP the fetch would resolve, opaque, rather than fail for want of CORS)
    serviceWorkerFetch = await browser.serviceWorker!.evaluate(() => fetch('https://example.com/probe', { mode: 'no-cors' }).then(() => 'sent', () => 'blocked'));
    const extensionPage = await browser.context.newPage();
    await extensionPage.goto(`${extension}/src/popup/index.html`);
    await extensionPage.evaluate(() => { location.href = 'https://example.com/probe'; });
    await extensionPage.waitForURL('https://example.com/probe');
  } finally {
    await browser.close(); // the net log is complete once Chromium exits
  }
  const requests = networkRequests(netlog);
  expect(requestsOffTheMachine(requests, browser.extensionId!)).toEqual([]);
  expect(requests.filter((r) => r.url.includes(METRICS_HOST))).toEqual([]);
  expect(violations.filter((v) => v.directive === 'connect-src' && new URL(v.blockedURI).hostname === METRICS_HOST).length,
    `MediaPipe's metrics post seen blocked in the offscreen document (violations: ${JSON.stringify(violations)})`).toBeGreaterThan(0);
  expect(serviceWorkerFetch).toBe('blocked');
  // The probe: a request an extension context starts is in the log, under the extension's origin.
  expect(requests.filter((r) => r.initiator === extension).map((r) => r.url)).toEqual(['https://example.com/probe']);
  const fromPage = requests.filter((r) => r.initiator === 'https://meet.google.com' || r.url.startsWith('https://meet.google.com/'));
  expect(fromPage.length).toBeGreaterThan(0);
  expect(fromPage.filter((r) => !r.url.startsWith('https://meet.google.com/'))).toEqual([]);
  const allowed = new Set(['/', '/call.css', '/call.js', '/favicon.ico', '/probe']);
  expect(site.requests.filter(({ path }) => !allowed.has(path))).toEqual([]);
}, 240_000);
