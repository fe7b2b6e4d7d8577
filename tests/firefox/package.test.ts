/**
 * The Firefox build as addons.mozilla.org takes it: `npm run zip -- --firefox`'s folder passes Mozilla's
 * own linter (`web-ext lint`) with no error, and its manifest names the add-on and the oldest Firefox.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { assertBuilt, REPO } from '../e2e/harness';
import { EXTENSION_ID } from './harness';

const DIST_FIREFOX = join(REPO, 'dist-firefox');

/** What web-ext lint reports, by kind. */
type Lint = Record<'errors' | 'warnings' | 'notices', { code: string; file?: string; message: string }[]>;

beforeAll(() => assertBuilt(DIST_FIREFOX));

it('passes web-ext lint: no error or notice, and no warning but MediaPipe\'s script loader', () => {
  const webExt = join(REPO, 'node_modules', 'web-ext', 'bin', 'web-ext.js');
  const output = execFileSync(process.execPath, [webExt, 'lint', '--source-dir', DIST_FIREFOX, '--output', 'json', '--no-config-discovery'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const lint = JSON.parse(output) as Lint;
  expect(lint.errors).toEqual([]);
  expect(lint.notices).toEqual([]);
  // MediaPipe's wasm loader has an import() of a computed URL, for module workers (emoface loads it from
  // the background page's own files); the linter cannot tell, and says so about that line only.
  for (const warning of lint.warnings) {
    expect(warning.code, warning.message).toBe('UNSAFE_VAR_ASSIGNMENT');
    expect(readFileSync(join(DIST_FIREFOX, warning.file!), 'utf8').includes('importScripts(e.toString())'), warning.file).toBe(true);
  }
  expect(lint.warnings.length).toBeLessThanOrEqual(1);
}, 120_000);

it('has a gecko id and the oldest Firefox it runs in, a background page, and no permission Firefox lacks', () => {
  const manifest = JSON.parse(readFileSync(join(DIST_FIREFOX, 'manifest.json'), 'utf8'));
  expect(manifest.manifest_version).toBe(3);
  expect(manifest.browser_specific_settings.gecko).toMatchObject({ id: EXTENSION_ID, strict_min_version: expect.stringMatching(/^\d+\.0$/) });
  expect(manifest.background.scripts).toHaveLength(1);
  expect(manifest.background.service_worker).toBeUndefined();
  expect(manifest.permissions).not.toContain('offscreen');
});
