import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { placementBounds } from '../../src/pipeline/render/overlay';
import {
  blendPatch, patchSide, preparePatch, snapPlacement, viewRgba, yuvCoefficients,
  type PlanarFormat, type Planes, type Patch, type YuvCoefficients,
} from '../../src/pipeline/render/planarBlend';

const BT601 = yuvCoefficients('smpte170m', false)!;
const TWEMOJI = dirname(createRequire(import.meta.url).resolve('@twemoji/svg/package.json'));

/** A grey `width` × `height` frame (Y 100, U 120, V 136) laid out as VideoFrame.copyTo lays it out. */
function greyFrame(format: PlanarFormat, width: number, height: number): Planes {
  const lumaSize = width * height;
  const chromaSize = (width / 2) * (height / 2);
  const data = new Uint8Array(lumaSize + 2 * chromaSize);
  data.fill(100, 0, lumaSize);
  if (format === 'I420') {
    data.fill(120, lumaSize, lumaSize + chromaSize);
    data.fill(136, lumaSize + chromaSize);
    return { format, width, height, data, layout: [{ offset: 0, stride: width }, { offset: lumaSize, stride: width / 2 }, { offset: lumaSize + chromaSize, stride: width / 2 }] };
  }
  for (let i = lumaSize; i < data.length; i += 2) {
    data[i] = 120;
    data[i + 1] = 136;
  }
  return { format, width, height, data, layout: [{ offset: 0, stride: width }, { offset: lumaSize, stride: width }] };
}

/** The (Y, U, V) codes of pixel (x, y). */
function yuvAt(planes: Planes, x: number, y: number): [number, number, number] {
  const [luma, first, second] = planes.layout;
  const cx = x >> 1;
  const cy = y >> 1;
  const yCode = planes.data[luma!.offset + y * luma!.stride + x]!;
  if (planes.format === 'NV12') {
    const uv = first!.offset + cy * first!.stride + 2 * cx;
    return [yCode, planes.data[uv]!, planes.data[uv + 1]!];
  }
  return [yCode, planes.data[first!.offset + cy * first!.stride + cx]!, planes.data[second!.offset + cy * second!.stride + cx]!];
}

/** A patch of one RGBA colour. */
function solidPatch(width: number, height: number, rgba: [number, number, number, number]): Patch {
  const pixels = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < pixels.length; i += 4) pixels.set(rgba, i);
  return { width, height, rgba: pixels };
}

/** Prepares `patch` and blends it into `planes` with its top-left at (x, y). */
function blend(planes: Planes, patch: Patch, x: number, y: number, coefficients: YuvCoefficients = BT601): void {
  blendPatch(planes, preparePatch(patch, coefficients), x, y);
}

/** A `width` × `height` frame whose codes take every value (luma and chroma differ from pixel to pixel). */
function variedFrame(format: PlanarFormat, width: number, height: number): Planes {
  const frame = greyFrame(format, width, height);
  for (let i = 0; i < frame.data.length; i++) frame.data[i] = (i * 73 + (i >> 5) * 31 + 29) & 255;
  return frame;
}

/** Twemoji 😄 rasterised by sharp to `side` × `side`, turned by `degrees`: real artwork, with soft edges and bare corners. */
async function emojiRgba(side: number, degrees: number): Promise<Uint8ClampedArray> {
  const { data } = await sharp(join(TWEMOJI, '1f604.svg'), { density: 72 * 2 })
    .rotate(degrees, { background: { r: 0, g: 0, b: 0, alpha: 0 } }).resize(side, side, { fit: 'fill' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return new Uint8ClampedArray(data.buffer, data.byteOffset, data.length);
}

/**
 * The blend as blendPatch did it before patches were prepared (commit 49e2f41), pixel by pixel, in floating
 * point: each image pixel's Y, U and V codes rounded, luma mixed by alpha, each chroma sample by its 2×2
 * pixels' alphas, rounded down after adding half the divisor. Only the part of the patch inside the frame.
 */
function referenceBlend(planes: Planes, patch: Patch, left: number, top: number, coefficients: YuvCoefficients): void {
  const { kr, kb, fullRange } = coefficients;
  const kg = 1 - kr - kb;
  const yScale = (fullRange ? 255 : 219) / 255;
  const cScale = (fullRange ? 255 : 224) / 255;
  const half = patch.halfResolution ? 1 : 0;
  const imageWidth = patch.width >> half;
  const codes = (x: number, y: number) => {
    const i = ((y >> half) * imageWidth + (x >> half)) * 4;
    const [r, g, b, alpha] = [patch.rgba[i]!, patch.rgba[i + 1]!, patch.rgba[i + 2]!, patch.rgba[i + 3]!];
    const luma = kr * r + kg * g + kb * b;
    return {
      alpha, y: Math.round((fullRange ? 0 : 16) + yScale * luma),
      u: Math.round(128 + (cScale * (b - luma)) / (2 * (1 - kb))), v: Math.round(128 + (cScale * (r - luma)) / (2 * (1 - kr))),
    };
  };
  const [lumaPlane, first, second] = planes.layout;
  for (let by = Math.max(0, top); by < Math.min(planes.height, top + patch.height); by += 2) {
    for (let bx = Math.max(0, left); bx < Math.min(planes.width, left + patch.width); bx += 2) {
      let [alphaSum, uSum, vSum] = [0, 0, 0];
      for (const [x, y] of [[bx, by], [bx + 1, by], [bx, by + 1], [bx + 1, by + 1]] as const) {
        const pixel = codes(x - left, y - top);
        const target = lumaPlane!.offset + y * lumaPlane!.stride + x;
        planes.data[target] = Math.floor((planes.data[target]! * (255 - pixel.alpha) + pixel.y * pixel.alpha + 127) / 255);
        alphaSum += pixel.alpha;
        uSum += pixel.alpha * pixel.u;
        vSum += pixel.alpha * pixel.v;
      }
      const [cx, cy] = [bx >> 1, by >> 1];
      const uAt = planes.format === 'NV12' ? first!.offset + cy * first!.stride + 2 * cx : first!.offset + cy * first!.stride + cx;
      const vAt = planes.format === 'NV12' ? uAt + 1 : second!.offset + cy * second!.stride + cx;
      planes.data[uAt] = Math.floor((planes.data[uAt]! * (1020 - alphaSum) + uSum + 510) / 1020);
      planes.data[vAt] = Math.floor((planes.data[vAt]! * (1020 - alphaSum) + vSum + 510) / 1020);
    }
  }
}

describe('blending emoji into YUV planes', () => {
  it('gives an opaque colour the codes of its matrix (BT.601 and BT.709 limited range: red is 81/90/240 and 63/102/240)', () => {
    const frame = greyFrame('I420', 16, 8);
    blend(frame, solidPatch(8, 8, [255, 0, 0, 255]), 0, 0, BT601);
    blend(frame, solidPatch(8, 8, [255, 0, 0, 255]), 8, 0, yuvCoefficients('bt709', false)!);
    expect(yuvAt(frame, 3, 5)).toEqual([81, 90, 240]);
    expect(yuvAt(frame, 12, 5)).toEqual([63, 102, 240]);
    const white = greyFrame('I420', 4, 4);
    blend(white, solidPatch(4, 4, [255, 255, 255, 255]), 0, 0, BT601);
    expect(yuvAt(white, 1, 1)).toEqual([235, 128, 128]);
    const fullRange = greyFrame('I420', 4, 4);
    blend(fullRange, solidPatch(4, 4, [255, 255, 255, 255]), 0, 0, yuvCoefficients('smpte170m', true)!);
    expect(yuvAt(fullRange, 1, 1)).toEqual([255, 128, 128]);
  });

  it('mixes by alpha, leaves transparent pixels alone, and shares a chroma sample between a block\'s pixels', () => {
    const frame = greyFrame('I420', 8, 8);
    const patch = solidPatch(8, 8, [255, 255, 255, 0]);
    patch.rgba.set([255, 255, 255, 255], 0); // pixel (0, 0) opaque white, its three block neighbours bare
    patch.rgba.set([255, 255, 255, 128], (4 * 8 + 4) * 4); // pixel (4, 4) half white
    blend(frame, patch, 0, 0);
    expect(yuvAt(frame, 0, 0)).toEqual([235, 122, 134]); // chroma: a quarter of the block is white (128)
    expect(yuvAt(frame, 1, 0)[0]).toBe(100);
    expect(yuvAt(frame, 4, 4)).toEqual([Math.round(100 + (235 - 100) * (128 / 255)), 121, 135]);
    expect(yuvAt(frame, 6, 6)).toEqual([100, 120, 136]);
  });

  it('writes the same pixels into NV12 as into I420', () => {
    const i420 = greyFrame('I420', 12, 10);
    const nv12 = greyFrame('NV12', 12, 10);
    const patch = solidPatch(8, 4, [30, 200, 90, 170]);
    blend(i420, patch, 2, 4);
    blend(nv12, patch, 2, 4);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 12; x++) expect(yuvAt(nv12, x, y)).toEqual(yuvAt(i420, x, y));
    expect(yuvAt(i420, 4, 4)).not.toEqual([100, 120, 136]);
  });

  it('touches nothing outside the patch or the frame, and refuses a patch off whole chroma blocks', () => {
    const frame = greyFrame('I420', 8, 8);
    blend(frame, solidPatch(8, 4, [0, 0, 255, 255]), 0, 4);
    blend(frame, solidPatch(4, 4, [0, 0, 255, 255]), 8, 0); // just right of the frame
    blend(frame, solidPatch(8, 4, [0, 0, 255, 255]), 0, -4); // just above it
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) expect(yuvAt(frame, x, y)).toEqual(y < 4 ? [100, 120, 136] : [41, 240, 110]); // blue: 16 + 219 × 0.114
    }
    const prepared = preparePatch(solidPatch(4, 4, [0, 0, 0, 255]), BT601);
    expect(() => blendPatch(frame, prepared, 1, 0)).toThrow(/not on whole 2×2 blocks/);
    expect(() => blendPatch(frame, prepared, 0, -3)).toThrow(RangeError);
    expect(() => preparePatch(solidPatch(3, 4, [0, 0, 0, 255]), BT601)).toThrow(/not whole 2×2 blocks/);
    expect(() => preparePatch({ ...solidPatch(4, 4, [0, 0, 0, 255]), halfResolution: true }, BT601)).toThrow(RangeError);
  });

  it('blends a half-resolution patch as the full-resolution one with each pixel doubled', () => {
    const small = new Uint8ClampedArray(4 * 3 * 4);
    for (let i = 0; i < small.length; i++) small[i] = (i * 73 + 29) % 256; // colours and alphas of every kind
    const doubled = new Uint8ClampedArray(8 * 6 * 4);
    for (let y = 0; y < 6; y++) for (let x = 0; x < 8; x++) doubled.set(small.subarray(((y >> 1) * 4 + (x >> 1)) * 4, ((y >> 1) * 4 + (x >> 1)) * 4 + 4), (y * 8 + x) * 4);
    const half = greyFrame('NV12', 12, 10);
    const full = greyFrame('NV12', 12, 10);
    blend(half, { width: 8, height: 6, rgba: small, halfResolution: true }, 2, 2);
    blend(full, { width: 8, height: 6, rgba: doubled }, 2, 2);
    expect(half.data).toEqual(full.data);
    expect(half.data).not.toEqual(greyFrame('NV12', 12, 10).data);
  });

  it('blends real emoji artwork as blendPatch did before patches were prepared, to a code value, wherever the patch hangs over the frame', async () => {
    // A 48×48 patch over a 64×48 frame: inside, over each edge, over two corners, and wholly outside.
    const places = [[8, 0], [-16, 0], [32, 0], [8, -20], [8, 20], [-24, -26], [40, 30], [64, 0], [0, -48]] as const;
    const coefficients = [BT601, yuvCoefficients('bt709', true)!];
    const patches: Patch[] = [
      { width: 48, height: 48, rgba: await emojiRgba(48, 0) },
      { width: 48, height: 48, rgba: await emojiRgba(48, 30) },
      { width: 48, height: 48, rgba: await emojiRgba(24, 30), halfResolution: true },
    ];
    let changed = 0;
    let offByOne = 0;
    for (const format of ['I420', 'NV12'] as const) {
      const original = variedFrame(format, 64, 48);
      for (const patch of patches) {
        for (const matrix of coefficients) {
          const prepared = preparePatch(patch, matrix);
          for (const [x, y] of places) {
            const [blended, expected] = [variedFrame(format, 64, 48), variedFrame(format, 64, 48)];
            blendPatch(blended, prepared, x, y);
            referenceBlend(expected, patch, x, y, matrix);
            for (let i = 0; i < blended.data.length; i++) {
              const difference = Math.abs(blended.data[i]! - expected.data[i]!);
              if (difference > 1) expect.fail(`${format}, ${patch.halfResolution ? 'half' : 'full'} resolution, at (${x}, ${y}): byte ${i} is ${blended.data[i]}, not ${expected.data[i]}`);
              if (difference === 1) offByOne++;
              if (expected.data[i] !== original.data[i]) changed++;
            }
          }
        }
      }
    }
    // Off by one only where the fixed-point conversion rounds a code the other way from floating point:
    // 0.08 % of the codes blending changes (a rounding offset of 500 instead of 510 in the chroma makes 0.8 %).
    expect(offByOne / changed).toBeLessThan(0.002);
  });

  it('turns the planes back into RGB for the analyser, scaled: what was blended in comes out', () => {
    for (const format of ['I420', 'NV12'] as const) {
      const frame = greyFrame(format, 16, 12);
      blend(frame, solidPatch(8, 12, [255, 0, 0, 255]), 0, 0);
      blend(frame, solidPatch(8, 12, [40, 160, 220, 255]), 8, 0);
      const small = viewRgba(frame, BT601, { kind: 'search', width: 4, height: 3, cells: [{ source: { x: 0, y: 0, width: 1, height: 1 }, x: 0, y: 0, width: 4, height: 3 }] });
      expect(small.length).toBe(4 * 3 * 4);
      for (const [x, rgb] of [[0, [255, 0, 0]], [1, [255, 0, 0]], [2, [40, 160, 220]], [3, [40, 160, 220]]] as const) {
        for (let y = 0; y < 3; y++) {
          const i = (y * 4 + x) * 4;
          for (let c = 0; c < 3; c++) expect(Math.abs(small[i + c]! - rgb[c]!), `${format} (${x}, ${y})`).toBeLessThanOrEqual(3);
          expect(small[i + 3]).toBe(255);
        }
      }
    }
  });

  it('draws each cell of a view from its part of the frame, black where that part leaves the frame', () => {
    const frame = greyFrame('I420', 16, 12);
    blend(frame, solidPatch(8, 12, [255, 0, 0, 255]), 0, 0);
    blend(frame, solidPatch(8, 12, [40, 160, 220, 255]), 8, 0);
    // Two 4 × 4 cells side by side: the right half of the frame, then a square reaching past its left edge.
    const view = viewRgba(frame, BT601, {
      kind: 'follow', width: 8, height: 4, cells: [
        { source: { x: 0.5, y: 0, width: 0.5, height: 1 }, x: 0, y: 0, width: 4, height: 4 },
        { source: { x: -0.25, y: 0, width: 0.5, height: 1 }, x: 4, y: 0, width: 4, height: 4 },
      ],
    });
    const pixel = (x: number, y: number) => [...view.subarray((y * 8 + x) * 4, (y * 8 + x) * 4 + 4)];
    for (let y = 0; y < 4; y++) {
      for (const x of [0, 1, 2, 3, 6, 7]) {
        const rgb = x < 4 ? [40, 160, 220] : [255, 0, 0];
        pixel(x, y).slice(0, 3).forEach((v, c) => expect(Math.abs(v - rgb[c]!), `(${x}, ${y})`).toBeLessThanOrEqual(3));
      }
      for (const x of [4, 5]) expect(pixel(x, y), `(${x}, ${y}) is outside the frame`).toEqual([0, 0, 0, 255]);
    }
  });

  it('refuses matrices it does not know, and takes an unlabelled frame as BT.601 limited range', () => {
    expect(yuvCoefficients('rgb', false)).toBeNull();
    expect(yuvCoefficients('bt2020-ncl', false)).toBeNull();
    expect(yuvCoefficients(null, null)).toEqual(BT601);
  });

  it('bounds a turned emoji: upright its own square, at 45° √2 times as wide', () => {
    expect(placementBounds({ x: 50, y: 40, size: 20, angle: 0 })).toEqual({ x: 40, y: 30, width: 20, height: 20 });
    const turned = placementBounds({ x: 0, y: 0, size: 20, angle: Math.PI / 4 });
    expect(turned.width).toBeCloseTo(20 * Math.SQRT2, 9);
    expect(turned.x).toBeCloseTo(-10 * Math.SQRT2, 9);
  });

  it('snaps a placement to the chroma grid, 2 px and 0.25°, so a face\'s jitter keeps its patch, and fits the patch to the turned emoji', () => {
    const snapped = snapPlacement({ x: 102.1, y: 52.3, size: 171.9, angle: 0.401 });
    expect(snapped).toEqual({ x: 102, y: 52, size: 172, angle: 92 * (Math.PI / 720) }); // 0.401 rad is 22.98°: 23°
    for (const jitter of [-0.6, -0.2, 0.3, 0.6]) {
      expect(snapPlacement({ x: 102.1 + jitter, y: 52.3 - jitter, size: 171.9 + jitter, angle: 0.401 + jitter / 500 })).toEqual(snapped);
    }
    expect(snapPlacement({ x: 102.1, y: 52.3, size: 174, angle: 0.401 }).size).toBe(174);
    expect(snapPlacement({ x: 102.1, y: 52.3, size: 171.9, angle: 0.41 }).angle).toBe(94 * (Math.PI / 720));
    expect(patchSide({ ...snapped, angle: 0 })).toBe(172);
    expect(patchSide({ x: 0, y: 0, size: 170, angle: 0 })).toBe(172); // a multiple of 4: half of it is even
    expect(patchSide({ x: 0, y: 0, size: 100, angle: Math.PI / 4 })).toBe(144); // holds 100√2 = 141.4
    expect(patchSide({ x: 0, y: 0, size: 0, angle: 0 })).toBe(0);
  });
});
