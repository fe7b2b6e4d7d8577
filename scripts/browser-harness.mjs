// What the browser tests and browser benchmarks share: Debian's Chromium with the flags this machine
// needs, a fake camera fed from real photos, and local servers for the built web app and bench page.
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
export const GRACE_HOPPER = '/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg';
export const ASTRONAUT = '/usr/lib/python3/dist-packages/skimage/data/astronaut.png';

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** Debian's Chromium, headless, with `extraFlags` after the ones every run needs. */
export function launchChromium(extraFlags = []) {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_FLAGS, ...extraFlags] });
}

/** Flags that make Chromium's camera play `clip` (.y4m) and grant camera permission without asking. */
export function fakeCameraFlags(clip) {
  return ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${clip}`];
}

/**
 * Writes a .y4m camera clip to `out`: each photo in turn for `secondsEach`, scaled to width×height at `fps`,
 * panning a little from side to side as a hand-held camera would (the view is 4% larger than the frame).
 */
export function makeCameraClip(out, photos, { width = 640, height = 480, fps = 30, secondsEach = 2 } = {}) {
  const inputs = photos.flatMap((photo) => ['-loop', '1', '-t', String(secondsEach), '-i', photo]);
  const [w, h] = [2 * Math.round(width * 0.52), 2 * Math.round(height * 0.52)];
  const pan = `crop=${width}:${height}:x='(iw-ow)/2*(1+sin(2*PI*t/${secondsEach}))':y='(ih-oh)/2'`;
  const scaled = photos.map((_, i) => `[${i}]scale=${w}:${h},setsar=1,fps=${fps},${pan}[s${i}]`).join(';');
  const joined = `${photos.map((_, i) => `[s${i}]`).join('')}concat=n=${photos.length}:v=1:a=0,format=yuv420p[v]`;
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...inputs, '-filter_complex', `${scaled};${joined}`, '-map', '[v]', '-f', 'yuv4mpegpipe', out]);
  return out;
}

/** Builds the web app (packages/web/dist), quietly; throws with npm's output if the build fails. */
export function buildWebApp() {
  execFileSync('npm', ['run', 'build', '-w', '@emoface/web'], { cwd: REPO, stdio: 'pipe' });
}

/** A TCP port nothing listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** Polls `url` until it answers 200, or fails once `exited()` says why or `timeoutMs` passes. */
async function waitUntilServing(url, exited, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const why = exited();
    if (why) throw new Error(why);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/** `vite preview` of the built web app on a free port, as `npm start` serves it. Returns {origin, stop}. */
export async function previewWebApp() {
  const port = await freePort();
  // vite's own script under this Node (not through npx), so that stop() ends the server itself.
  const vite = join(REPO, 'node_modules', 'vite', 'bin', 'vite.js');
  const server = spawn(process.execPath, [vite, 'preview'], { cwd: join(REPO, 'packages', 'web'), env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let exit = '';
  server.stderr.on('data', (chunk) => (stderr += chunk));
  server.on('exit', (code) => (exit = `vite preview exited with ${code}: ${stderr.trim()}`));
  const origin = `http://localhost:${port}`;
  try {
    await waitUntilServing(origin, () => exit, 60_000);
  } catch (error) {
    server.kill();
    throw error;
  }
  return { origin, stop: () => server.kill() };
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json',
  '.onnx': 'application/octet-stream', '.bin': 'application/octet-stream', '.svg': 'image/svg+xml', '.jpg': 'image/jpeg', '.png': 'image/png' };

/**
 * A static server on a free port, cross-origin isolated (COOP/COEP, as WASM threads need). `mounts` maps
 * URL prefixes to folders; a path is looked up under each matching mount in order. Returns {origin, stop}.
 */
export async function serveStatic(mounts) {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    for (const [prefix, folder] of Object.entries(mounts)) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(folder, path.slice(prefix.length) || 'index.html'));
      if (!file.startsWith(folder)) continue;
      try {
        if (!statSync(file).isFile()) continue;
      } catch {
        continue;
      }
      response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' });
      createReadStream(file).pipe(response);
      return;
    }
    response.writeHead(404).end();
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${port}`, stop: () => new Promise((resolve) => server.close(resolve)) };
}
