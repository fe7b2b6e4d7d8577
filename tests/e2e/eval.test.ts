/**
 * `npm run eval` runs the offscreen analyser's own code in headless Chromium: on FER2013's PublicTest
 * crops it must score what the shipped model's metadata records (the Node TF.js path) within half a point,
 * and on full photos it must find the faces there are and none where there are none.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { FER2013, HAVE_FER2013, PHOTOS } from '../unit/fixtures';
import { REPO } from './harness';

const folder = mkdtempSync(join(tmpdir(), 'emoface-eval-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** The JSON `npm run eval` prints. */
function evaluate(...args: string[]) {
  return JSON.parse(execFileSync('node', [join(REPO, 'scripts', 'eval.mjs'), ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 24 }));
}

it.skipIf(!HAVE_FER2013)('scores the recorded PublicTest accuracy on crops (skipped without ../shared/datasets)', () => {
  const meta = JSON.parse(readFileSync(join(REPO, 'models', 'expression.json'), 'utf8'));
  const result = evaluate(join(FER2013, 'test'));
  expect(result.n).toBe(meta.metrics.publicTest.n);
  expect(result.backend).toBe('wasm');
  expect(result.accuracy).toBeGreaterThanOrEqual(meta.metrics.publicTest.accuracy - 0.005);
  expect(result.labels).toEqual(meta.labels);
  expect(result.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(result.n);
});

it('finds the faces in full photos through detection and alignment, and reports a photo without one', () => {
  const photos: [string, string][] = [
    ['happy', PHOTOS.astronaut.path], ['neutral', PHOTOS.graceHopper.path], ['happy', PHOTOS.group3.path],
    ['neutral', '/usr/lib/python3/dist-packages/skimage/data/coffee.png'], // a cup of coffee: no face
  ];
  for (const [label, path] of photos) {
    mkdirSync(join(folder, label), { recursive: true });
    symlinkSync(path, join(folder, label, path.split('/').pop()!));
  }
  mkdirSync(join(folder, 'not-a-label'));
  const result = evaluate(folder, '--detect');
  expect(result).toMatchObject({ detect: true, n: 4, noFace: 1 });
  expect(result.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(3);
});
