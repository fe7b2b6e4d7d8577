// Memory and main-thread smoothness of the web app over minutes of fake-camera frames, in Chromium.
//
//   npm run bench:web-memory [-- --minutes 3]
//
// Serves the built app, feeds Chromium's fake camera a clip of real photos, and every 15 s prints the
// page's JS heap (CDP), the memory of the page and its workers including WASM
// (performance.measureUserAgentSpecificMemory, available because the page is cross-origin isolated),
// frames per second, and the longest main-thread task so far (inference runs in a worker).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ASTRONAUT, buildWebApp, fakeCameraFlags, GRACE_HOPPER, launchChromium, makeCameraClip, previewWebApp } from '../scripts/browser-harness.mjs';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '3' } } });
const minutes = Number(values.minutes);
const work = mkdtempSync(join(tmpdir(), 'emoface-memory-'));
const clip = makeCameraClip(join(work, 'camera.y4m'), [GRACE_HOPPER, ASTRONAUT], { secondsEach: 3 });
buildWebApp();
const server = await previewWebApp();
const browser = await launchChromium(['--enable-precise-memory-info', ...fakeCameraFlags(clip)]);
try {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    window.__longestTaskMs = 0;
    new PerformanceObserver((list) => list.getEntries().forEach((e) => (window.__longestTaskMs = Math.max(window.__longestTaskMs, e.duration))))
      .observe({ type: 'longtask', buffered: true });
  });
  await page.goto(server.origin);
  await page.waitForFunction(() => window.emoface?.ready && window.emoface.source === 'camera', null, { timeout: 60_000 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const samples = [];
  const started = Date.now();
  console.log('minute  jsHeapMB  pageAndWorkersMB  fps  longestMainThreadTaskMs');
  while (Date.now() - started < minutes * 60_000) {
    await page.waitForTimeout(15_000);
    const { metrics } = await cdp.send('Performance.getMetrics');
    const heap = metrics.find((m) => m.name === 'JSHeapUsedSize').value / 2 ** 20;
    const total = (await page.evaluate(() => performance.measureUserAgentSpecificMemory())).bytes / 2 ** 20;
    const { fps } = await page.evaluate(() => window.emoface);
    const longest = await page.evaluate(() => window.__longestTaskMs);
    samples.push({ minute: (Date.now() - started) / 60_000, heap, total, fps, longest });
    console.log(`${samples.at(-1).minute.toFixed(2).padStart(6)}  ${heap.toFixed(1).padStart(8)}  ${total.toFixed(1).padStart(16)}  ${String(fps).padStart(3)}  ${longest.toFixed(0).padStart(6)}`);
  }
  const [first, last] = [samples[0], samples.at(-1)];
  console.log(`growth from ${first.minute.toFixed(2)} to ${last.minute.toFixed(2)} min: JS heap ${(last.heap - first.heap).toFixed(1)} MB, page+workers ${(last.total - first.total).toFixed(1)} MB`);
} finally {
  await browser.close();
  server.stop();
  rmSync(work, { recursive: true, force: true });
}
