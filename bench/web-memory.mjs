// Memory and main-thread smoothness of the web app over minutes of fake-camera frames, in Chromium.
//
//   npm run bench:web-memory [-- --minutes 3]
//
// Serves the built app, feeds Chromium's fake camera a clip of real photos, and every 15 s prints the
// page's JS heap (CDP), the memory of the page and its workers including WASM
// (performance.measureUserAgentSpecificMemory, available because the page is cross-origin isolated),
// frames per second, and the longest main-thread task so far (inference runs in a worker).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '3' } } });
const minutes = Number(values.minutes);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'emoface-memory-'));
const port = 5400 + Math.floor(Math.random() * 500);
const clip = join(work, 'camera.y4m');
execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-t', '3', '-i', '/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg',
  '-loop', '1', '-t', '3', '-i', '/usr/lib/python3/dist-packages/skimage/data/astronaut.png', '-filter_complex',
  '[0]scale=640:480,setsar=1,fps=30[a];[1]scale=640:480,setsar=1,fps=30[b];[a][b]concat=n=2:v=1:a=0,format=yuv420p[v]',
  '-map', '[v]', '-f', 'yuv4mpegpipe', clip]);
execFileSync('npm', ['run', 'build', '-w', '@emoface/web'], { cwd: repo, stdio: 'ignore' });
const server = spawn('npx', ['vite', 'preview'], { cwd: join(repo, 'packages', 'web'), env: { ...process.env, PORT: String(port) } });
await new Promise((ready) => server.stdout.on('data', (chunk) => chunk.toString().includes(`:${port}`) && ready()));

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu',
  '--disable-background-networking', '--disable-component-update', '--no-first-run', '--enable-precise-memory-info',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${clip}`] });
try {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    window.__longestTaskMs = 0;
    new PerformanceObserver((list) => list.getEntries().forEach((e) => (window.__longestTaskMs = Math.max(window.__longestTaskMs, e.duration))))
      .observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`http://localhost:${port}`);
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
  server.kill();
  rmSync(work, { recursive: true, force: true });
}
