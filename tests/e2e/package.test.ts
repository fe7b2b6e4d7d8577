/** `npm run zip`'s archive: a zip that a standard reader opens, holding the built extension and nothing else. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { assertBuilt, DIST, REPO } from './harness';

let listing: { name: string; size: number }[];
let manifest: chrome.runtime.ManifestV3;

beforeAll(() => {
  assertBuilt();
  execFileSync('node', [join(REPO, 'scripts', 'zip.mjs')], { cwd: REPO });
  manifest = JSON.parse(readFileSync(join(DIST, 'manifest.json'), 'utf8'));
  const zip = join(REPO, `emoface-${manifest.version}.zip`);
  // Python's zipfile checks every member's CRC (testzip) and lists them.
  listing = JSON.parse(execFileSync('python3', ['-c', `import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
if bad: sys.exit('bad member ' + bad)
print(json.dumps([{"name": i.filename, "size": i.file_size} for i in z.infolist()]))`, zip], { encoding: 'utf8' }));
});

it('packs a Manifest V3 extension whose every referenced file is in the zip', () => {
  const names = new Set(listing.map((f) => f.name));
  expect(manifest.manifest_version).toBe(3);
  expect(manifest.version).toBe(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version);
  const referenced = [
    manifest.background!.service_worker, manifest.action!.default_popup!, 'src/offscreen/index.html',
    ...(manifest.content_scripts ?? []).flatMap((s) => s.js ?? []),
  ];
  for (const file of referenced) expect(names.has(file), file).toBe(true);
  for (const file of ['models/expression/model.json', 'models/face-detector/face_detection_short_range.tflite', 'models/face-detector/LICENSE', 'emoji/LICENSE.md', 'wasm/mediapipe/vision_wasm_internal.wasm', 'wasm/tfjs/tfjs-backend-wasm-simd.wasm']) {
    expect(names.has(file), file).toBe(true);
  }
  expect(listing.find((f) => f.name === 'manifest.json')!.size).toBe(readFileSync(join(DIST, 'manifest.json')).length);
  expect([...names].filter((n) => n.startsWith('.vite/'))).toEqual([]);
});

it('asks for the fewest permissions and exposes nothing to web pages', () => {
  expect([...manifest.permissions!].sort()).toEqual(['activeTab', 'offscreen', 'scripting', 'storage']);
  expect(manifest.host_permissions).toEqual(['https://meet.google.com/*', 'https://discord.com/*']);
  expect(manifest.optional_host_permissions).toEqual(['https://*/*']);
  expect(manifest.web_accessible_resources ?? []).toEqual([]);
  expect(manifest.content_security_policy).toEqual({ extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'" });
});

it('has no remote URL in any script it ships', () => {
  const scripts = listing.filter((f) => /\.(m?js|html)$/.test(f.name)).map((f) => f.name);
  expect(scripts.length).toBeGreaterThan(4);
  for (const name of scripts) {
    const text = readFileSync(join(DIST, name), 'utf8');
    // script or import sources from the web, or fetches of absolute web URLs
    expect(text.match(/(import\s*\(|src=|fetch\(|importScripts\()\s*["'`]https?:\/\//g), name).toBeNull();
  }
});

it('drives the camera pipeline by frames: no painting or interval timers in the page-side scripts', () => {
  // requestAnimationFrame stops in a background tab and setInterval drifts from the camera's clock.
  for (const script of (manifest.content_scripts ?? []).flatMap((s) => s.js ?? [])) {
    const text = readFileSync(join(DIST, script), 'utf8');
    expect(text, script).not.toMatch(/requestAnimationFrame|setInterval|requestVideoFrameCallback/);
  }
});
