import { describe, expect, it } from 'vitest';
import { placementBounds } from '../../src/pipeline/render/overlay';
import { blendPatch, scaledRgba, yuvCoefficients, type PlanarFormat, type Planes } from '../../src/pipeline/render/planarBlend';

const BT601 = yuvCoefficients('smpte170m', false)!;

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

function solidPatch(x: number, y: number, width: number, height: number, rgba: [number, number, number, number]) {
  const pixels = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < pixels.length; i += 4) pixels.set(rgba, i);
  return { x, y, width, height, rgba: pixels };
}

describe('blending emoji into YUV planes', () => {
  it('gives an opaque colour the codes of its matrix (BT.601 and BT.709 limited range: red is 81/90/240 and 63/102/240)', () => {
    const frame = greyFrame('I420', 16, 8);
    blendPatch(frame, solidPatch(0, 0, 8, 8, [255, 0, 0, 255]), BT601);
    blendPatch(frame, solidPatch(8, 0, 8, 8, [255, 0, 0, 255]), yuvCoefficients('bt709', false)!);
    expect(yuvAt(frame, 3, 5)).toEqual([81, 90, 240]);
    expect(yuvAt(frame, 12, 5)).toEqual([63, 102, 240]);
    const white = greyFrame('I420', 4, 4);
    blendPatch(white, solidPatch(0, 0, 4, 4, [255, 255, 255, 255]), BT601);
    expect(yuvAt(white, 1, 1)).toEqual([235, 128, 128]);
    const fullRange = greyFrame('I420', 4, 4);
    blendPatch(fullRange, solidPatch(0, 0, 4, 4, [255, 255, 255, 255]), yuvCoefficients('smpte170m', true)!);
    expect(yuvAt(fullRange, 1, 1)).toEqual([255, 128, 128]);
  });

  it('mixes by alpha, leaves transparent pixels alone, and shares a chroma sample between a block\'s pixels', () => {
    const frame = greyFrame('I420', 8, 8);
    const patch = solidPatch(0, 0, 8, 8, [255, 255, 255, 0]);
    patch.rgba.set([255, 255, 255, 255], 0); // pixel (0, 0) opaque white, its three block neighbours bare
    patch.rgba.set([255, 255, 255, 128], (4 * 8 + 4) * 4); // pixel (4, 4) half white
    blendPatch(frame, patch, BT601);
    expect(yuvAt(frame, 0, 0)).toEqual([235, 122, 134]); // chroma: a quarter of the block is white (128)
    expect(yuvAt(frame, 1, 0)[0]).toBe(100);
    expect(yuvAt(frame, 4, 4)).toEqual([Math.round(100 + (235 - 100) * (128 / 255)), 121, 135]);
    expect(yuvAt(frame, 6, 6)).toEqual([100, 120, 136]);
  });

  it('writes the same pixels into NV12 as into I420', () => {
    const i420 = greyFrame('I420', 12, 10);
    const nv12 = greyFrame('NV12', 12, 10);
    const patch = solidPatch(2, 4, 8, 4, [30, 200, 90, 170]);
    blendPatch(i420, patch, BT601);
    blendPatch(nv12, patch, BT601);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 12; x++) expect(yuvAt(nv12, x, y)).toEqual(yuvAt(i420, x, y));
    expect(yuvAt(i420, 4, 4)).not.toEqual([100, 120, 136]);
  });

  it('touches nothing outside the patch, and refuses one that is not whole chroma blocks inside the frame', () => {
    const frame = greyFrame('I420', 8, 8);
    blendPatch(frame, solidPatch(0, 4, 8, 4, [0, 0, 255, 255]), BT601);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) expect(yuvAt(frame, x, y)).toEqual(y < 4 ? [100, 120, 136] : [41, 240, 110]); // blue: 16 + 219 × 0.114
    }
    expect(() => blendPatch(frame, solidPatch(-2, 0, 4, 4, [0, 0, 0, 255]), BT601)).toThrow(/not whole 2×2 blocks inside the 8×8 frame/);
    expect(() => blendPatch(frame, solidPatch(6, 0, 4, 4, [0, 0, 0, 255]), BT601)).toThrow(RangeError);
    expect(() => blendPatch(frame, solidPatch(1, 0, 4, 4, [0, 0, 0, 255]), BT601)).toThrow(RangeError);
    expect(() => blendPatch(frame, solidPatch(0, 0, 3, 4, [0, 0, 0, 255]), BT601)).toThrow(RangeError);
  });

  it('blends a half-resolution patch as the full-resolution one with each pixel doubled', () => {
    const small = new Uint8ClampedArray(4 * 3 * 4);
    for (let i = 0; i < small.length; i++) small[i] = (i * 73 + 29) % 256; // colours and alphas of every kind
    const doubled = new Uint8ClampedArray(8 * 6 * 4);
    for (let y = 0; y < 6; y++) for (let x = 0; x < 8; x++) doubled.set(small.subarray(((y >> 1) * 4 + (x >> 1)) * 4, ((y >> 1) * 4 + (x >> 1)) * 4 + 4), (y * 8 + x) * 4);
    const half = greyFrame('NV12', 12, 10);
    const full = greyFrame('NV12', 12, 10);
    blendPatch(half, { x: 2, y: 2, width: 8, height: 6, rgba: small, halfResolution: true }, BT601);
    blendPatch(full, { x: 2, y: 2, width: 8, height: 6, rgba: doubled }, BT601);
    for (let i = 0; i < half.data.length; i++) expect(Math.abs(half.data[i]! - full.data[i]!)).toBeLessThanOrEqual(1);
    expect(half.data).not.toEqual(greyFrame('NV12', 12, 10).data);
    expect(() => blendPatch(half, { x: 2, y: 2, width: 8, height: 6, rgba: doubled, halfResolution: true }, BT601)).toThrow(RangeError);
  });

  it('turns the planes back into RGB for the analyser, scaled: what was blended in comes out', () => {
    for (const format of ['I420', 'NV12'] as const) {
      const frame = greyFrame(format, 16, 12);
      blendPatch(frame, solidPatch(0, 0, 8, 12, [255, 0, 0, 255]), BT601);
      blendPatch(frame, solidPatch(8, 0, 8, 12, [40, 160, 220, 255]), BT601);
      const small = scaledRgba(frame, BT601, 4, 3);
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
});
