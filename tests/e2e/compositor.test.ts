/**
 * The page's compositor in Debian's Chromium, on a real camera frame (a fake camera looping real faces):
 * the YUV path (the camera's I420 frame: the analyser's views sampled from its planes, the emoji blended into
 * them) must look like the canvas path (the same frame as RGB, through 2-D canvases), change only the
 * pixels under the emoji, and keep the frame's format.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { build, type Rolldown } from 'vite';
import { DEFAULTS } from '../../src/pipeline/defaults';
import { followLayouts, searchLayout } from '../../src/pipeline/views';
import { launchBrowser, makeFaceVideo, REPO, startCallServer, type Browser, type CallSite } from './harness';

let site: CallSite;
let browser: Browser;
let bundle: string;

beforeAll(async () => {
  // The compositor exactly as the hook has it, bundled for the page.
  const output = await build({
    configFile: false, logLevel: 'silent',
    build: { write: false, lib: { entry: `${REPO}/src/content/hook/frameCompositor.ts`, formats: ['iife'], name: 'emofaceCompositor' } },
  }) as Rolldown.RolldownOutput[];
  bundle = output[0]!.output[0].code;
  site = await startCallServer();
  browser = await launchBrowser({ video: makeFaceVideo({ width: 640, height: 480, fps: 30, seconds: 2, faces: 1 }), port: site.port });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

it('draws the same emoji in YUV as on a canvas, only under the emoji, in the camera\'s own format', async () => {
  const page = await browser.context.newPage();
  await page.goto('https://example.com/');
  await page.evaluate(bundle);
  // The analyser's views: the whole frame to search, and crops around a face and around one at the frame's edge.
  const views = [searchLayout(640, 480), ...followLayouts([{ x: 0.35, y: 0.3, width: 0.25, height: 0.3 }, { x: 0.9, y: 0.1, width: 0.2, height: 0.2 }], 640, 480)];
  const result = await page.evaluate(async ([scale, views]) => {
    const { FrameCompositor } = (window as unknown as { emofaceCompositor: typeof import('../../src/content/hook/frameCompositor') }).emofaceCompositor;
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
    const [track] = stream.getVideoTracks();
    const reader = new MediaStreamTrackProcessor({ track: track! }).readable.getReader();
    for (let i = 0; i < 5; i++) (await reader.read()).value!.close();
    const frame = (await reader.read()).value!;
    track!.stop();

    // Artwork: a yellow disc with a red square inside, transparent around it (like an emoji's).
    const art = new OffscreenCanvas(128, 128);
    const ctx = art.getContext('2d')!;
    ctx.fillStyle = 'rgb(255, 204, 77)';
    ctx.beginPath();
    ctx.arc(64, 64, 60, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = 'rgb(220, 30, 40)';
    ctx.fillRect(44, 44, 40, 40);
    const artwork = new Map([['🙂', await createImageBitmap(art)]]);
    const faces = [{ box: { x: 0.35, y: 0.3, width: 0.25, height: 0.3 }, roll: 0.4, emoji: '🙂' }];

    const width = frame.displayWidth;
    const height = frame.displayHeight;
    const rgba = (source: VideoFrame) => {
      const canvas = new OffscreenCanvas(width, height);
      const context = canvas.getContext('2d', { willReadFrequently: true })!;
      context.drawImage(source, 0, 0);
      return context.getImageData(0, 0, width, height).data;
    };
    const rgbCanvas = new OffscreenCanvas(width, height);
    rgbCanvas.getContext('2d')!.drawImage(frame, 0, 0);
    const rgbFrame = new VideoFrame(rgbCanvas, { timestamp: frame.timestamp });

    const yuvCompositor = new FrameCompositor();
    const planes = await yuvCompositor.readPlanes(frame);
    const canvasCompositor = new FrameCompositor();
    const canvasPlanes = await canvasCompositor.readPlanes(rgbFrame);
    // The analyser's copies from both paths, before drawing: the same picture.
    const analysisMeanDifferences = views.map((view) => {
      const fromYuv = yuvCompositor.viewPixels(frame, planes, view);
      const fromCanvas = canvasCompositor.viewPixels(rgbFrame, canvasPlanes, view);
      let difference = 0;
      for (let i = 0; i < fromYuv.length; i += 4) for (let c = 0; c < 3; c++) difference += Math.abs(fromYuv[i + c]! - fromCanvas[i + c]!);
      return difference / (view.width * view.height * 3);
    });
    const planar = yuvCompositor.composite(frame, planes, faces, artwork);
    const drawn = canvasCompositor.composite(rgbFrame, canvasPlanes, faces, artwork);
    const [bare, yuv, canvas] = [rgba(frame), rgba(planar), rgba(drawn)];
    const formats = { camera: frame.format, planar: planar.format, canvas: drawn.format, canvasPlanes: canvasPlanes === null };
    for (const f of [frame, planar, rgbFrame, drawn]) f.close();

    // The artwork's disc over the face (radius 60/128 of the emoji's side), plus a chroma sample's reach:
    // inside it things change, outside they must not.
    const radius = ((scale * Math.max(0.25 * width, 0.3 * height)) * 60) / 128 + 2;
    const inside = (x: number, y: number) => Math.hypot(x + 0.5 - 0.475 * width, y + 0.5 - 0.45 * height) < radius;
    let outsideChanged = 0;
    let outside = 0;
    let insideDifference = 0;
    let insideCount = 0;
    let yellowYuv = 0;
    let yellowCanvas = 0;
    const yellow = (d: Uint8ClampedArray, i: number) => Math.abs(d[i]! - 255) < 30 && Math.abs(d[i + 1]! - 204) < 30 && Math.abs(d[i + 2]! - 77) < 40;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        const difference = Math.max(...[0, 1, 2].map((c) => Math.abs(yuv[i + c]! - canvas[i + c]!)));
        if (inside(x, y)) {
          insideDifference += difference;
          insideCount++;
          if (yellow(yuv, i)) yellowYuv++;
          if (yellow(canvas, i)) yellowCanvas++;
        } else {
          outside++;
          if (Math.max(...[0, 1, 2].map((c) => Math.abs(yuv[i + c]! - bare[i + c]!))) > 2) outsideChanged++;
        }
      }
    }
    return { formats, analysisMeanDifferences, outsideChangedFraction: outsideChanged / outside, insideMeanDifference: insideDifference / insideCount, yellowYuv, yellowCanvas };
  }, [DEFAULTS.render.scale, views] as const);

  expect(result.formats.camera).toBe('I420');
  expect(result.formats.planar).toBe('I420');
  expect(result.formats.canvas).not.toBe('I420');
  expect(result.formats.canvasPlanes).toBe(true); // an RGB frame has no planes: the canvas path ran
  for (const difference of result.analysisMeanDifferences) expect(difference).toBeLessThan(4); // 0..255 levels
  expect(result.yellowYuv).toBeGreaterThan(2000); // the disc is there…
  expect(Math.abs(result.yellowYuv - result.yellowCanvas) / result.yellowCanvas).toBeLessThan(0.1); // …as large as on the canvas
  expect(result.insideMeanDifference).toBeLessThan(6); // 0..255 levels, chroma edges included
  expect(result.outsideChangedFraction).toBeLessThan(0.001);
  await page.close();
});
