/**
 * Nothing leaves the device in Firefox either. Firefox keeps no net log of who started a request, so
 * every request that would leave the machine is made to pass a recording proxy on this machine (the call
 * hosts, served locally, are exempt): the tabs', the extension's pages' and its background page's alike.
 * The proxy answers none of them. A navigation an extension page starts is seen there (proof that the
 * extension's requests would be); Firefox's own services (Mozilla's hosts) are its own, not emoface's.
 *
 * MediaPipe Tasks' usage-metrics logger posts to Google every 60 s and when a task closes: the call runs
 * past that, then ends so that the analyser closes, and the post must be seen blocked by the extension's
 * CSP in the background page, where the analyser runs.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DEFAULTS } from '../../src/pipeline/defaults';
import { CALL_HOSTS } from '../../demo/server.mjs';
import { emojiShown, REPO } from '../e2e/harness';
import { FIREFOX_PATH, launchFirefox, makeFaceVideo, startCallServer, webmOf, XVFB_PATH } from './harness';

/** MediaPipe Tasks' logger flushes every 60 s (see tests/e2e/privacy.test.ts); the call outlives that. */
const CALL_PAST_LOGGER_MS = 72_000;
const METRICS_HOST = 'odml.pa.googleapis.com';
/** A host nobody answers for: where the probe navigation goes. */
const PROBE_HOST = 'emoface-probe.invalid';
/** Firefox's own services: requests to these are Firefox's, whatever the profile switches off. */
const FIREFOX_OWN = /(^|\.)(mozilla\.(com|net|org)|firefox\.com|mozaws\.net)$/;

/** An HTTP proxy that records the host of every request (plain or CONNECT) and answers none. */
async function recordingProxy(): Promise<{ server: Server; port: number; hosts: string[] }> {
  const hosts: string[] = [];
  const server = createServer((request, response) => {
    hosts.push(new URL(request.url ?? '', 'http://unknown').hostname);
    response.writeHead(403).end();
  });
  server.on('connect', (request, socket) => {
    hosts.push((request.url ?? '').replace(/:\d+$/, ''));
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, hosts };
}

it.skipIf(!existsSync(FIREFOX_PATH) || !existsSync(XVFB_PATH))('sends nothing off the machine through a call past MediaPipe\'s metrics interval and the analyser\'s close; the metrics post is blocked by the CSP', async () => {
  const video = makeFaceVideo({ width: 1280, height: 720, fps: 30, seconds: 4, faces: 1 });
  const site = await startCallServer({ camera: webmOf(video) });
  const proxy = await recordingProxy();
  const firefox = await launchFirefox({
    extensionDir: join(REPO, 'dist-firefox'), video, port: site.port,
    prefs: {
      'network.proxy.type': 1, 'network.proxy.share_proxy_settings': false,
      'network.proxy.http': '127.0.0.1', 'network.proxy.http_port': proxy.port,
      'network.proxy.ssl': '127.0.0.1', 'network.proxy.ssl_port': proxy.port,
      'network.proxy.no_proxies_on': [...CALL_HOSTS, 'localhost', '127.0.0.1'].join(','),
    },
  });
  try {
    const popup = await firefox.extensionPage('src/popup/index.html');
    await popup.evaluate(() => browser.storage.sync.set({ settings: { version: 2, enabled: true } }));
    // The background page (the analyser's) records the CSP's refusals.
    await popup.evaluate(async () => {
      const background = await browser.runtime.getBackgroundPage() as unknown as Window & { cspViolations: { blockedURI: string; directive: string }[] };
      background.cspViolations = [];
      background.addEventListener('securitypolicyviolation', (e) => background.cspViolations.push({ blockedURI: e.blockedURI, directive: e.effectiveDirective }));
    });
    const page = await firefox.newPage();
    await page.goto(firefox.url('meet.google.com'));
    await page.evaluate(() => window.emofaceCall.start({ width: 1280, height: 720, frameRate: 30 }, false));
    await page.waitForFunction(emojiShown, { timeout: 30_000, polling: 200 });
    await new Promise((resolve) => setTimeout(resolve, CALL_PAST_LOGGER_MS));
    expect(await page.evaluate(emojiShown)).toBe(true);
    // The call ends: the analyser closes once idle (MediaPipe flushes its logger on close).
    await page.evaluate(() => window.emofaceCall.stop());
    await new Promise((resolve) => setTimeout(resolve, DEFAULTS.analysis.idleCloseMs + 3_000));

    const probe = `https://${PROBE_HOST}/probe`;
    const backgroundFetch = await popup.evaluate(async (url) => {
      const background = await browser.runtime.getBackgroundPage() as unknown as Window;
      return background.fetch(url, { mode: 'no-cors' }).then(() => 'sent', () => 'blocked');
    }, probe);
    const violations = await popup.evaluate(async () => ((await browser.runtime.getBackgroundPage()) as unknown as { cspViolations: { blockedURI: string; directive: string }[] }).cspViolations);
    await popup.evaluate((url) => { location.href = url; }, probe);
    const deadline = Date.now() + 10_000;
    while (!proxy.hosts.includes(PROBE_HOST) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));

    expect(backgroundFetch).toBe('blocked');
    expect(violations.filter((v) => v.directive === 'connect-src' && v.blockedURI.includes(METRICS_HOST)).length,
      `MediaPipe's metrics post seen blocked in the background page (violations: ${JSON.stringify(violations)})`).toBeGreaterThan(0);
    // The probe navigation reached the proxy (once or more: Firefox may retry); nothing else but Firefox's own did.
    expect(proxy.hosts).toContain(PROBE_HOST);
    expect(proxy.hosts.filter((host) => host !== PROBE_HOST && !FIREFOX_OWN.test(host))).toEqual([]);
    const allowed = new Set(['/', '/call.css', '/call.js', '/favicon.ico', '/camera.webm']);
    expect(site.requests.filter(({ path }) => !allowed.has(path))).toEqual([]);
  } finally {
    await firefox.close();
    proxy.server.close();
    await site.close();
  }
}, 240_000);
