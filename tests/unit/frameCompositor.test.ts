/**
 * The compositor's YUV path in Node, on a fake canvas (it draws an opaque red square, counted) and a fake
 * VideoFrame: what is drawn again and what is only blended again, and where. The real canvas and frames are
 * in tests/e2e/compositor.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrameCompositor, type FaceOnFrame, type PlanarFrame } from '../../src/content/hook/frameCompositor';
import { DEFAULTS } from '../../src/pipeline/defaults';
import { yuvCoefficients } from '../../src/pipeline/render/planarBlend';

const [WIDTH, HEIGHT] = [640, 480];
/** Luma codes: the frame's grey, and opaque red's (BT.601 limited range). */
const [GREY, RED] = [100, 81];

/** The sides of the patches the fake canvas was read back at, one per emoji drawn. */
let drawn: number[];

/** An OffscreenCanvas whose every image is opaque red. */
class RedCanvas {
  constructor(readonly width: number, readonly height: number) {}
  getContext() {
    const ignore = () => {};
    return {
      clearRect: ignore, setTransform: ignore, save: ignore, restore: ignore, translate: ignore, rotate: ignore, drawImage: ignore,
      getImageData: (_x: number, _y: number, width: number, height: number) => {
        drawn.push(width);
        const data = new Uint8ClampedArray(width * height * 4);
        for (let i = 0; i < data.length; i += 4) data.set([255, 0, 0, 255], i);
        return { data };
      },
    };
  }
}

/** A VideoFrame that only keeps what it was made of. */
class BufferFrame {
  constructor(readonly data: Uint8Array, readonly init: object) {}
}

beforeEach(() => {
  drawn = [];
  vi.stubGlobal('OffscreenCanvas', RedCanvas);
  vi.stubGlobal('VideoFrame', BufferFrame);
});
afterEach(() => vi.unstubAllGlobals());

const camera = { timestamp: 0, duration: null, displayWidth: WIDTH, displayHeight: HEIGHT, colorSpace: { toJSON: () => ({}) } } as VideoFrame;

/** A grey I420 camera frame's planes, as readPlanes copies them. */
function greyPlanes(): PlanarFrame {
  const lumaSize = WIDTH * HEIGHT;
  const data = new Uint8Array(lumaSize * 1.5).fill(128).fill(GREY, 0, lumaSize);
  const layout = [{ offset: 0, stride: WIDTH }, { offset: lumaSize, stride: WIDTH / 2 }, { offset: lumaSize * 1.25, stride: WIDTH / 2 }];
  return { planes: { format: 'I420', width: WIDTH, height: HEIGHT, data, layout }, coefficients: yuvCoefficients('smpte170m', false)! };
}

/** A face whose emoji is `side` pixels across (at the default scale), centred on (x, y) pixels. */
function faceAt(x: number, y: number, side: number, roll = 0): FaceOnFrame {
  const box = side / DEFAULTS.render.scale;
  return { box: { x: (x - box / 2) / WIDTH, y: (y - box / 2) / HEIGHT, width: box / WIDTH, height: box / HEIGHT }, roll, emoji: '🙂' };
}

/** `faces` composited on a fresh grey frame: its luma at (x, y). */
function composite(compositor: FrameCompositor, faces: FaceOnFrame[], artwork: ReadonlyMap<string, ImageBitmap>) {
  const planar = greyPlanes();
  compositor.composite(camera, planar, faces, artwork);
  return (x: number, y: number) => planar.planes.data[y * WIDTH + x];
}

describe('the compositor\'s prepared emoji', () => {
  const artwork = new Map([['🙂', { width: 160, height: 160, close() {} }]]);

  it('draws an emoji once while its face only moves, and blends it on whole chroma blocks around the face', () => {
    const compositor = new FrameCompositor();
    for (const x of [200.7, 233.2, 301.4]) {
      const lumaAt = composite(compositor, [faceAt(x, 240.4, 172)], artwork);
      // The centre on the nearest even pixel, the 172-pixel square around it.
      const centre = 2 * Math.round(x / 2);
      expect([lumaAt(centre - 87, 240), lumaAt(centre - 86, 240), lumaAt(centre + 85, 240), lumaAt(centre + 86, 240)]).toEqual([GREY, RED, RED, GREY]);
      expect([lumaAt(centre, 240 - 87), lumaAt(centre, 240 - 86), lumaAt(centre, 240 + 85), lumaAt(centre, 240 + 86)]).toEqual([GREY, RED, RED, GREY]);
    }
    expect(drawn).toEqual([172]);
  });

  it('draws again for another size, angle or artwork image, and keeps three emoji a face', () => {
    const compositor = new FrameCompositor();
    const draws = (side: number, roll: number, images: ReadonlyMap<string, ImageBitmap> = artwork) => {
      const before = drawn.length;
      composite(compositor, [faceAt(320, 240, side, roll)], images);
      return drawn.length - before;
    };
    expect(draws(172, 0)).toBe(1);
    expect(draws(172.6, 0.001)).toBe(0); // within a step of the same size and angle
    // 6 px larger and turned 0.75° (its corners 2.3 px off): the kept patch serves it.
    expect(draws(178, 0.013)).toBe(0);
    expect(draws(182, 0)).toBe(1); // 10 px larger
    expect(draws(182, 0.1)).toBe(1);
    expect(draws(172, 0)).toBe(0); // kept: 172, 182, 182 turned
    expect(draws(172, 0, new Map([['🙂', { width: 160, height: 160, close() {} }]]))).toBe(1); // another set
    expect(draws(182, 0)).toBe(1); // the least recently used of four, gone
    expect(draws(182, 0.035)).toBe(1); // turned 2°: its corners 6.4 px off
    // Two faces keep six.
    for (const side of [100, 110, 120]) composite(compositor, [faceAt(100, 100, side), faceAt(400, 300, side + 50)], artwork);
    const before = drawn.length;
    composite(compositor, [faceAt(100, 100, 100), faceAt(400, 300, 150)], artwork);
    expect(drawn.length).toBe(before);
  });

  it('draws an emoji magnified 2× or more at half resolution, and in the same place', () => {
    const lumaAt = composite(new FrameCompositor(), [faceAt(320, 240, 320)], artwork);
    expect(drawn).toEqual([160]);
    expect([lumaAt(320 - 161, 240), lumaAt(320 - 160, 240), lumaAt(320 + 159, 240), lumaAt(320 + 160, 240)]).toEqual([GREY, RED, RED, GREY]);
  });

  it('blends the part of an emoji over the frame\'s edge, and draws none wholly outside it', () => {
    const compositor = new FrameCompositor();
    const lumaAt = composite(compositor, [faceAt(-40, HEIGHT - 10, 172)], artwork);
    expect([lumaAt(0, HEIGHT - 1), lumaAt(45, HEIGHT - 1), lumaAt(46, HEIGHT - 1), lumaAt(0, HEIGHT - 97)]).toEqual([RED, RED, GREY, GREY]);
    const untouched = composite(compositor, [faceAt(WIDTH + 90, 240, 172), faceAt(320, -90, 172)], artwork);
    expect([untouched(WIDTH - 1, 240), untouched(320, 0)]).toEqual([GREY, GREY]);
    expect(drawn).toEqual([172]);
  });
});
