/**
 * The web app in real Chromium (Debian's, driven by playwright-core): a fake camera fed from a clip of
 * real photos, camera denied, a dropped photo, and no request to any host but the app's own.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Emoface, FACES, type Box } from '../../core/src/index.js';
import { MODELS, PHOTOS, readModel, REPO } from '../../core/test/fixtures.js';
import { buildWebApp, fakeCameraFlags, launchChromium, makeCameraClip, previewWebApp } from '../../../scripts/browser-harness.mjs';

const work = mkdtempSync(join(tmpdir(), 'emoface-web-'));
const ARTIFACTS = join(REPO, 'packages', 'web', 'test', 'artifacts');
const SIZE = { width: 640, height: 480 };

let server: { origin: string; stop: () => void } | undefined;
const outsideRequests: string[] = [];

async function launch(extra: string[], before?: (page: Page) => Promise<void>): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium(extra);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const origin = server!.origin;
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('blob:') && !url.startsWith('data:')) outsideRequests.push(url);
  });
  await before?.(page);
  await page.goto(origin);
  return { browser, page };
}

const state = (page: Page) => page.evaluate(() => window.emoface);

function iou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? (w * h) / (a.width * a.height + b.width * b.height - w * h) : 0;
}

beforeAll(async () => {
  buildWebApp();
  server = await previewWebApp();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 180_000);

afterAll(() => {
  server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('live camera', () => {
  it('draws emoji over the faces of a fake camera fed from real photos', async () => {
    // 4 s at 15 fps, panning a little: Grace Hopper, then the astronaut, as the camera's frames.
    const clip = makeCameraClip(join(work, 'camera.y4m'), [PHOTOS.graceHopper.path, PHOTOS.astronaut.path], { ...SIZE, fps: 15 });
    // Where the faces are, from the same pipeline in Node on the unpanned photos (unmirrored pixels; the pan moves them ≤ 4%).
    const node = await Emoface.create(ort, { detector: readModel(MODELS.front), expression: readModel(MODELS.expression), metadata: readFileSync(MODELS.metadata, 'utf8') });
    const truth: Box[] = [];
    for (const photo of [PHOTOS.graceHopper.path, PHOTOS.astronaut.path]) {
      const { data, info } = await sharp(photo).resize(SIZE.width, SIZE.height, { fit: 'fill' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      const { faces } = await node.analyze({ data: new Uint8Array(data), width: info.width, height: info.height });
      truth.push(faces[0]!.box);
    }
    await node.dispose();

    const { browser, page } = await launch(fakeCameraFlags(clip));
    try {
      await page.waitForFunction(() => window.emoface?.ready && window.emoface.source === 'camera' && window.emoface.faces.length > 0, null, { timeout: 60_000 });
      const labels: string[] = JSON.parse(readFileSync(MODELS.metadata, 'utf8')).labels;
      const emoji = new Set(Object.values(FACES.levels).flat());
      const seen = new Set<number>();
      for (let i = 0; i < 20; i++) {
        const s = await state(page);
        expect(s.error).toBeNull();
        for (const face of s.faces) {
          expect(labels).toContain(face.expression);
          expect(emoji.has(face.emoji)).toBe(true);
          const match = truth.findIndex((box) => iou(box, face.box) > 0.5);
          if (match >= 0) seen.add(match);
        }
        await page.waitForTimeout(200);
      }
      expect([...seen].sort()).toEqual([0, 1]); // both photos' faces were found where they are
      const s = await state(page);
      expect(s.fps).toBeGreaterThan(5);
      expect(s.backend).toMatch(/WASM SIMD|WebGPU/);
      await page.locator('#stage').screenshot({ path: join(ARTIFACTS, 'camera.png') });

      // Snapshot: a PNG of what is shown, the size of the video.
      const [snapshot] = await Promise.all([page.waitForEvent('download'), page.click('#snapshot')]);
      const png = await sharp(readFileSync((await snapshot.path())!)).metadata();
      expect([png.format, png.width, png.height]).toEqual(['png', SIZE.width, SIZE.height]);
      // Recording: about two seconds of the canvas as a video file.
      await page.click('#record');
      await page.waitForTimeout(2000);
      const [recording] = await Promise.all([page.waitForEvent('download'), page.click('#record')]);
      expect(recording.suggestedFilename()).toMatch(/^emoface-.*\.webm$/);
      const video = readFileSync((await recording.path())!);
      expect(video.length).toBeGreaterThan(10_000);
      expect(video.subarray(0, 4)).toEqual(Buffer.from([0x1a, 0x45, 0xdf, 0xa3])); // EBML (WebM) header
    } finally {
      await browser.close();
    }
  });
});

describe('when things go wrong, and files instead of the camera', () => {
  it('says so when the camera permission is denied, and a chosen photo is processed', async () => {
    const { browser, page } = await launch(['--use-fake-device-for-media-stream', '--deny-permission-prompts']);
    try {
      await page.waitForFunction(() => window.emoface?.ready && /denied/.test(window.emoface.error ?? ''), null, { timeout: 60_000 });
      expect(await page.locator('#message').isVisible()).toBe(true);
      expect(await page.locator('#message-text').textContent()).toMatch(/Camera permission was denied/);
      await page.setInputFiles('#file', PHOTOS.group3.path);
      await page.waitForFunction(() => window.emoface.source === 'image' && window.emoface.faces.length > 0, null, { timeout: 30_000 });
      const s = await state(page);
      expect(s.error).toBeNull();
      expect(s.faces.length).toBeGreaterThanOrEqual(1);
      await page.locator('#stage').screenshot({ path: join(ARTIFACTS, 'photo.png') });
      // The five faces of a group photo, several of them small: the detector for small or far faces finds them all.
      await page.setInputFiles('#file', PHOTOS.group5.path);
      await page.waitForFunction(() => window.emoface.ready && window.emoface.faces.length > 0, null, { timeout: 30_000 });
      const near = (await state(page)).faces.length;
      await page.selectOption('#detector', 'back');
      await page.waitForFunction(() => window.emoface.ready && window.emoface.faces.length === 5, null, { timeout: 30_000 });
      expect(near).toBeLessThan(5);
    } finally {
      await browser.close();
    }
  });

  it('says so when there is no camera at all', async () => {
    const { browser, page } = await launch(['--deny-permission-prompts']);
    try {
      await page.waitForFunction(() => window.emoface?.ready && window.emoface.error !== null, null, { timeout: 60_000 });
      expect((await state(page)).error).toMatch(/No camera was found/);
      expect(await page.locator('#message-actions button').allTextContents()).toEqual(['Retry', 'Open a photo or video']);
    } finally {
      await browser.close();
    }
  });

  it('says so when the model cannot be loaded', async () => {
    const { browser, page } = await launch([], (p) => p.route('**/assets/models/expression.onnx', (route) => route.abort()));
    try {
      await page.waitForFunction(() => /failed to load/.test(window.emoface?.error ?? ''), null, { timeout: 60_000 });
      expect((await state(page)).ready).toBe(false);
      expect(await page.locator('#message-actions button').allTextContents()).toEqual(['Reload']);
    } finally {
      await browser.close();
    }
  });

  it('made no request to any host but the app itself', () => {
    expect(outsideRequests).toEqual([]);
  });
});
