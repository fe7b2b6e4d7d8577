/**
 * `npm run zip`'s archive, unpacked as a store would: a Manifest V3 extension whose every referenced
 * file is inside, named and described in each language, with its own icons, the fewest permissions,
 * nothing exposed to web pages and no remote code.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { assertBuilt, REPO } from './harness';

const unpacked = mkdtempSync(join(tmpdir(), 'emoface-zip-'));
let manifest: chrome.runtime.ManifestV3 & { default_locale?: string; icons?: Record<string, string> };
let files: string[];

beforeAll(() => {
  assertBuilt();
  execFileSync('node', [join(REPO, 'scripts', 'zip.mjs'), '--built'], { cwd: REPO });
  const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;
  // Python's zipfile checks every member's CRC (testzip), then unpacks.
  execFileSync('python3', ['-c', `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
if bad: sys.exit('bad member ' + bad)
z.extractall(sys.argv[2])`, join(REPO, `emoface-${version}.zip`), unpacked]);
  manifest = JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8'));
  files = listFiles(unpacked);
});

afterAll(() => rmSync(unpacked, { recursive: true, force: true }));

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? listFiles(join(dir, name), `${prefix}${name}/`) : [`${prefix}${name}`]));
}

const read = (file: string) => readFileSync(join(unpacked, file), 'utf8');

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): [number, number] {
  const bytes = readFileSync(join(unpacked, file));
  expect(bytes.subarray(1, 4).toString('latin1'), `${file} is a PNG`).toBe('PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

it('is Manifest V3 at package.json\'s version, with the keys a store checks', () => {
  expect(manifest.manifest_version).toBe(3);
  expect(manifest.version).toBe(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version);
  expect(manifest.minimum_chrome_version).toBeDefined();
  expect(manifest.background).toMatchObject({ type: 'module' });
  expect(Object.keys(manifest)).not.toContain('browser_action');
  expect(Object.keys(manifest)).not.toContain('page_action');
  expect(files.filter((f) => f.startsWith('.vite/') || f.endsWith('.map'))).toEqual([]);
});

it('holds every file the manifest, its pages and its scripts refer to', () => {
  const referenced = new Set<string>([
    manifest.background!.service_worker, manifest.action!.default_popup!, 'src/offscreen/index.html',
    ...(manifest.content_scripts ?? []).flatMap((s) => s.js ?? []),
    ...Object.values(manifest.icons ?? {}), ...Object.values((manifest.action!.default_icon ?? {}) as Record<string, string>),
    'models/expression/model.json', 'models/face-detector/face_detection_short_range.tflite', 'models/face-detector/face_detection_full_range_sparse.tflite', 'models/face-detector/LICENSE',
    'emoji/LICENSE.md', 'wasm/mediapipe/vision_wasm_internal.wasm', 'wasm/tfjs/tfjs-backend-wasm-simd.wasm',
  ]);
  for (const page of files.filter((f) => f.endsWith('.html'))) {
    for (const [, url] of read(page).matchAll(/(?:src|href)="([^"#?]+)"/g)) {
      referenced.add(url!.startsWith('/') ? url!.slice(1) : posix.join(posix.dirname(page), url!));
    }
  }
  for (const script of files.filter((f) => f.endsWith('.js'))) {
    for (const [, specifier] of read(script).matchAll(/(?:from|import\()\s*"(\.{1,2}\/[^"]+)"/g)) {
      referenced.add(posix.join(posix.dirname(script), specifier!));
    }
  }
  expect(referenced.size).toBeGreaterThan(20);
  for (const file of referenced) expect(existsSync(join(unpacked, file)), `${file} is referenced but not in the zip`).toBe(true);
});

it('takes its name, description and title from _locales, in English and Korean', () => {
  expect(manifest.default_locale).toBe('en');
  const keys = [manifest.name, manifest.description!, manifest.action!.default_title!].map((value) => value.match(/^__MSG_(\w+)__$/)?.[1]);
  expect(keys.every(Boolean), 'every one is a __MSG_…__ reference').toBe(true);
  const languages = readdirSync(join(unpacked, '_locales')).sort();
  expect(languages).toEqual(['en', 'ko']);
  for (const language of languages) {
    const messages = JSON.parse(read(`_locales/${language}/messages.json`));
    for (const key of keys) expect(messages[key!]?.message, `${language}: ${key}`).toMatch(/\S/);
    expect(messages.extName.message.length).toBeLessThanOrEqual(75); // the store's limits
    expect(messages.extDescription.message.length).toBeLessThanOrEqual(132);
  }
});

it('has its icons at 16, 32, 48 and 128 pixels', () => {
  expect(Object.keys(manifest.icons ?? {}).sort((a, b) => Number(a) - Number(b))).toEqual(['16', '32', '48', '128']);
  for (const [size, file] of Object.entries(manifest.icons!)) expect(pngSize(file), file).toEqual([Number(size), Number(size)]);
});

it('asks for the fewest permissions and exposes nothing to web pages', () => {
  expect([...manifest.permissions!].sort()).toEqual(['activeTab', 'offscreen', 'scripting', 'storage']);
  expect(manifest.host_permissions).toEqual(['https://meet.google.com/*', 'https://discord.com/*']);
  expect(manifest.optional_host_permissions).toEqual(['https://*/*']);
  // The page composites with artwork the bridge hands over: no extension file is web-accessible.
  for (const entry of manifest.web_accessible_resources ?? []) expect(entry, 'a web-accessible resource must use a dynamic URL').toMatchObject({ use_dynamic_url: true });
  expect(manifest.web_accessible_resources ?? []).toEqual([]);
  // Extension pages reach nothing beyond the extension's own files (MediaPipe's metrics logger included).
  const csp = new Map((manifest.content_security_policy?.extension_pages ?? '').split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));
  expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  expect(csp.get('connect-src')).toEqual(["'self'"]);
  expect(csp.get('default-src')).toEqual(["'self'"]);
  for (const sources of csp.values()) expect(sources.filter((s) => /^(https?:|\*|wss?:)/.test(s))).toEqual([]);
  expect(Object.keys(manifest.content_security_policy ?? {})).toEqual(['extension_pages']);
  expect(Object.keys(manifest)).not.toContain('externally_connectable');
});

it('has no remote URL in any script or page it ships', () => {
  const scripts = files.filter((f) => /\.(m?js|html)$/.test(f));
  expect(scripts.length).toBeGreaterThan(4);
  for (const name of scripts) {
    // script or import sources from the web, or fetches of absolute web URLs
    expect(read(name).match(/(import\s*\(|src=|href=|fetch\(|importScripts\()\s*["'`]https?:\/\//g), name).toBeNull();
  }
});

it('drives the camera pipeline by frames: no painting or interval timers in the page-side scripts', () => {
  // requestAnimationFrame stops in a background tab and setInterval drifts from the camera's clock.
  for (const script of (manifest.content_scripts ?? []).flatMap((s) => s.js ?? [])) {
    expect(read(script), script).not.toMatch(/requestAnimationFrame|setInterval|requestVideoFrameCallback/);
  }
});

