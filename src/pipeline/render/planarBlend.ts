/**
 * Blending emoji artwork straight into a camera frame's YUV planes (I420 or NV12, 4:2:0), so the page
 * never converts a whole frame to RGB and back: only the pixels under an emoji are touched.
 */
import type { ViewLayout } from '../views';
import { placementBounds, type Placement } from './overlay';

/** The 4:2:0 layouts a camera frame comes in that the planar path handles (VideoFrame.format). */
export type PlanarFormat = 'I420' | 'NV12';

/** One plane's place in a buffer, as VideoFrame.copyTo reports it: byte offset and bytes per row. */
export interface PlaneLayout {
  readonly offset: number;
  readonly stride: number;
}

/** A frame's pixels in one buffer: luma plane, then chroma (U and V planes for I420, interleaved UV for NV12). */
export interface Planes {
  readonly format: PlanarFormat;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  /** [Y, U, V] for I420, [Y, UV] for NV12. */
  readonly layout: readonly PlaneLayout[];
}

/** RGB → YUV: the matrix's red and blue weights, and whether codes span 0..255 or 16..235/240. */
export interface YuvCoefficients {
  readonly kr: number;
  readonly kb: number;
  readonly fullRange: boolean;
}

/** Red and blue weights of the matrices cameras use (VideoColorSpace.matrix names). */
const MATRICES: Readonly<Record<string, { kr: number; kb: number }>> = {
  bt709: { kr: 0.2126, kb: 0.0722 },
  bt470bg: { kr: 0.299, kb: 0.114 },
  smpte170m: { kr: 0.299, kb: 0.114 },
};

/**
 * The coefficients for a frame's colour space, or null for a matrix this module does not know (the
 * caller then draws on a canvas instead). A frame that does not say is taken as BT.601 limited range,
 * what webcams send.
 */
export function yuvCoefficients(matrix: string | null | undefined, fullRange: boolean | null | undefined): YuvCoefficients | null {
  const weights = MATRICES[matrix ?? 'smpte170m'];
  return weights ? { ...weights, fullRange: fullRange ?? false } : null;
}

/** Sizes and angles an emoji is drawn at on the planar path (snapPlacement): 2 px, and 0.25° (π/720 rad). */
const SIZE_STEP_PX = 2;
const ANGLE_STEP_RAD = Math.PI / 720;

/**
 * `p` moved to the planar path's grid, so that one prepared patch serves every frame until the face's size
 * or angle really changes: the centre on the nearest even pixel (the patch then covers whole chroma blocks
 * wherever the face moves), the size to 2 px and the angle to 0.25° (a face's jitter renders nothing anew).
 * The centre moves by up to a pixel each way; the edge of an emoji 500 px across, by up to 0.5 px for
 * its size and 0.55 px for its angle.
 */
export function snapPlacement(p: Placement): Placement {
  const even = (value: number) => 2 * Math.round(value / 2);
  return { x: even(p.x), y: even(p.y), size: SIZE_STEP_PX * Math.round(p.size / SIZE_STEP_PX), angle: ANGLE_STEP_RAD * Math.round(p.angle / ANGLE_STEP_RAD) };
}

/**
 * The side (frame pixels, a multiple of 4) of the square patch that holds an emoji placed at `p`, turned,
 * centred on it: on a centre at an even pixel, the patch's corners are on even pixels too.
 */
export function patchSide(p: Placement): number {
  return 4 * Math.ceil(placementBounds(p).width / 4);
}

/**
 * A non-premultiplied RGBA image (as ImageData holds it) of `width` × `height` frame pixels, both even (whole
 * chroma blocks). With `halfResolution` the image has half as many each way, one image pixel per 2×2 frame pixels.
 */
export interface Patch {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8ClampedArray;
  readonly halfResolution?: boolean;
}

/**
 * A patch in the form blending takes, converted once (preparePatch), so that blending it into a frame is
 * integer lerps only. Each frame code becomes (code × keep + add) / scale: luma per sample (a frame pixel,
 * or a 2×2 block at half resolution) with scale 255, chroma per 2×2 block with scale 1020, its four
 * pixels' alphas (4 × 255) in one sample. Each `add` carries half its scale, to round.
 */
export interface PreparedPatch {
  /** Size in frame pixels, both even. */
  readonly width: number;
  readonly height: number;
  readonly halfResolution: boolean;
  /** Per luma sample, row by row: 255 − alpha. */
  readonly lumaKeep: Uint8Array;
  /** Per luma sample: alpha × the Y code + 127. */
  readonly lumaAdd: Uint16Array;
  /** Per 2×2 block, row by row: 1020 − the block's alpha sum. */
  readonly chromaKeep: Uint16Array;
  /** Per block: Σ alpha × the U code + 510, and the same for V. */
  readonly uAdd: Uint32Array;
  readonly vAdd: Uint32Array;
  /**
   * Per row of blocks, the first block not wholly transparent and the one past the last (equal: none):
   * a turned emoji's patch is bare around it (an emoji 280 px across in a 400-px patch, as a 35° turn leaves
   * it: blending measured a fifth faster skipping those blocks).
   */
  readonly rowSpans: Uint16Array;
}

/**
 * `patch` converted for blending into frames of the colour space `coefficients` (see PreparedPatch): Y, U
 * and V codes per pixel in fixed point (16 fractional bits), luma premultiplied by alpha, chroma the
 * alpha-weighted sum of each block's pixels. Throws a RangeError for a patch that is not whole chroma
 * blocks or whose image is not its size.
 */
export function preparePatch(patch: Patch, coefficients: YuvCoefficients): PreparedPatch {
  const { width, height, rgba } = patch;
  const half = patch.halfResolution ? 1 : 0; // image pixel = frame pixel >> half
  const imageWidth = width >> half;
  const imageHeight = height >> half;
  if ((width | height) & 1 || width < 0 || height < 0 || rgba.length !== imageWidth * imageHeight * 4) {
    throw new RangeError(`preparePatch: a ${width}×${height} patch${half ? ' at half resolution' : ''} is not whole 2×2 blocks with a ${rgba.length / 4}-pixel image`);
  }
  const { kr, kb, fullRange } = coefficients;
  const kg = 1 - kr - kb;
  // Code values from 0..255 RGB: luma = yScale·Y' + yOffset, chroma = cScale·C + 128, C = (B or R − Y') / 2(1 − kb or kr).
  const yScale = (fullRange ? 255 : 219) / 255;
  const cScale = (fullRange ? 255 : 224) / 255;
  const fixed = (value: number) => Math.round(value * 65536);
  const oneHalf = 32768; // ½ in fixed point, to round
  const yR = fixed(kr * yScale);
  const yG = fixed(kg * yScale);
  const yB = fixed(kb * yScale);
  const yOffset = fixed(fullRange ? 0 : 16) + oneHalf;
  const u = cScale / (2 * (1 - kb));
  const v = cScale / (2 * (1 - kr));
  const uR = fixed(-kr * u);
  const uG = fixed(-kg * u);
  const uB = fixed((1 - kb) * u);
  const vR = fixed((1 - kr) * v);
  const vG = fixed(-kg * v);
  const vB = fixed(-kb * v);
  const chromaOffset = fixed(128) + oneHalf;

  const blocksWide = width >> 1;
  const blocksHigh = height >> 1;
  const lumaKeep = new Uint8Array(imageWidth * imageHeight);
  const lumaAdd = new Uint16Array(imageWidth * imageHeight);
  const chromaKeep = new Uint16Array(blocksWide * blocksHigh);
  const uAdd = new Uint32Array(blocksWide * blocksHigh);
  const vAdd = new Uint32Array(blocksWide * blocksHigh);
  // A block's image pixels: 2×2 at full resolution; at half, one, which weighs as the block's four pixels.
  const pixelsAcross = half ? 1 : 2;
  const weight = half ? 4 : 1;
  for (let row = 0; row < blocksHigh; row++) {
    for (let column = 0; column < blocksWide; column++) {
      let alphaSum = 0;
      let uSum = 0;
      let vSum = 0;
      for (let dy = 0; dy < pixelsAcross; dy++) {
        for (let dx = 0; dx < pixelsAcross; dx++) {
          const sample = (row * pixelsAcross + dy) * imageWidth + column * pixelsAcross + dx;
          // No test for bare pixels (alpha 0, keep all): a branch here is slower than the arithmetic.
          const alpha = rgba[4 * sample + 3]!;
          const r = rgba[4 * sample]!;
          const g = rgba[4 * sample + 1]!;
          const b = rgba[4 * sample + 2]!;
          lumaKeep[sample] = 255 - alpha;
          lumaAdd[sample] = 127 + alpha * ((yR * r + yG * g + yB * b + yOffset) >> 16);
          alphaSum += alpha;
          uSum += alpha * ((uR * r + uG * g + uB * b + chromaOffset) >> 16);
          vSum += alpha * ((vR * r + vG * g + vB * b + chromaOffset) >> 16);
        }
      }
      const block = row * blocksWide + column;
      chromaKeep[block] = 1020 - weight * alphaSum;
      uAdd[block] = 510 + weight * uSum;
      vAdd[block] = 510 + weight * vSum;
    }
  }
  const rowSpans = new Uint16Array(2 * blocksHigh);
  for (let row = 0; row < blocksHigh; row++) {
    const blocks = chromaKeep.subarray(row * blocksWide, (row + 1) * blocksWide);
    const first = blocks.findIndex((keep) => keep !== 1020);
    if (first < 0) continue;
    rowSpans[2 * row] = first;
    rowSpans[2 * row + 1] = blocks.findLastIndex((keep) => keep !== 1020) + 1;
  }
  return { width, height, halfResolution: half === 1, lumaKeep, lumaAdd, chromaKeep, uAdd, vAdd, rowSpans };
}

/**
 * Blends `patch` over `planes` with its top-left at (left, top), in place (a 1280×720 frame is 1.4 MB: one
 * copy per frame is already made to get it, so the blend does not make another). Only the part inside the
 * frame is blended: the patch may hang over any edge. This runs over every pixel under every emoji of
 * every frame, so it only mixes what preparePatch worked out. Throws a RangeError for an odd position (a
 * patch covers whole chroma blocks).
 */
export function blendPatch(planes: Planes, patch: PreparedPatch, left: number, top: number): void {
  if ((left | top) & 1) throw new RangeError(`blendPatch: a patch at (${left}, ${top}) is not on whole 2×2 blocks`);
  const { lumaKeep, lumaAdd, chromaKeep, uAdd, vAdd, rowSpans } = patch;
  const half = patch.halfResolution;
  const blocksWide = patch.width >> 1;
  const lumaWidth = patch.width >> (half ? 1 : 0);
  // The patch's blocks inside the frame's whole blocks.
  const firstColumn = Math.max(0, -left >> 1);
  const endColumn = Math.min(blocksWide, ((planes.width & ~1) - left) >> 1);
  const firstRow = Math.max(0, -top >> 1);
  const endRow = Math.min(patch.height >> 1, ((planes.height & ~1) - top) >> 1);

  const { data } = planes;
  const [lumaPlane, firstChroma, secondChroma] = planes.layout as [PlaneLayout, PlaneLayout, PlaneLayout | undefined];
  const lumaStride = lumaPlane.stride;
  const interleaved = planes.format === 'NV12';
  // Each quotient is rounded down as the byte array stores it.
  for (let row = firstRow; row < endRow; row++) {
    const from = Math.max(firstColumn, rowSpans[2 * row]!);
    const to = Math.min(endColumn, rowSpans[2 * row + 1]!);
    const lumaRow = lumaPlane.offset + (top + 2 * row) * lumaStride + left;
    const cy = (top >> 1) + row;
    const firstRowStart = firstChroma.offset + cy * firstChroma.stride;
    const secondRowStart = interleaved ? firstRowStart + 1 : secondChroma!.offset + cy * secondChroma!.stride;
    for (let column = from; column < to; column++) {
      const block = row * blocksWide + column;
      const keep = chromaKeep[block]!;
      if (keep === 1020) continue; // bare
      const target = lumaRow + 2 * column;
      const below = target + lumaStride;
      if (half) {
        const k = lumaKeep[block]!;
        const add = lumaAdd[block]!;
        data[target] = (data[target]! * k + add) / 255;
        data[target + 1] = (data[target + 1]! * k + add) / 255;
        data[below] = (data[below]! * k + add) / 255;
        data[below + 1] = (data[below + 1]! * k + add) / 255;
      } else {
        const sample = 2 * (row * lumaWidth + column);
        const sampleBelow = sample + lumaWidth;
        data[target] = (data[target]! * lumaKeep[sample]! + lumaAdd[sample]!) / 255;
        data[target + 1] = (data[target + 1]! * lumaKeep[sample + 1]! + lumaAdd[sample + 1]!) / 255;
        data[below] = (data[below]! * lumaKeep[sampleBelow]! + lumaAdd[sampleBelow]!) / 255;
        data[below + 1] = (data[below + 1]! * lumaKeep[sampleBelow + 1]! + lumaAdd[sampleBelow + 1]!) / 255;
      }
      const cx = (left >> 1) + column;
      const first = firstRowStart + (interleaved ? 2 * cx : cx);
      const second = interleaved ? first + 1 : secondRowStart + cx;
      data[first] = (data[first]! * keep + uAdd[block]!) / 1020;
      data[second] = (data[second]! * keep + vAdd[block]!) / 1020;
    }
  }
}

/**
 * A view of the frame as RGBA (alpha 255), for the analyser: each cell's part of the frame scaled into its
 * place, each output pixel the bilinear sample at its centre (the four frame pixels around it, and the
 * chroma under them), as a canvas's `drawImage` with smoothing makes it, without converting the whole
 * frame to RGB first. Parts of a cell outside the frame are black.
 */
export function viewRgba(planes: Planes, coefficients: YuvCoefficients, layout: ViewLayout): Uint8ClampedArray<ArrayBuffer> {
  const { kr, kb, fullRange } = coefficients;
  const kg = 1 - kr - kb;
  // Y' = (luma − yOffset) / yScale; Cb, Cr = (chroma − 128) / cScale; R = Y' + 2(1 − kr)·Cr, B = Y' + 2(1 − kb)·Cb.
  const yScale = fullRange ? 255 : 219;
  const yOffset = fullRange ? 0 : 16;
  const cScale = fullRange ? 255 : 224;
  const toRgb = 255 / yScale;
  const crToR = (255 * 2 * (1 - kr)) / cScale;
  const cbToB = (255 * 2 * (1 - kb)) / cScale;
  const crToG = (-kr * crToR) / kg;
  const cbToG = (-kb * cbToB) / kg;

  const { data } = planes;
  const [lumaPlane, firstChroma, secondChroma] = planes.layout as [PlaneLayout, PlaneLayout, PlaneLayout | undefined];
  const interleaved = planes.format === 'NV12';
  const out = new Uint8ClampedArray(layout.width * layout.height * 4);
  // The first of the two frame pixels around an output pixel's centre (−1: the centre is outside the frame).
  const firstOfPair = (centre: number, size: number) => (centre < 0 || centre >= size ? -1 : Math.min(size - 2, Math.max(0, Math.floor(centre - 0.5))));
  for (const cell of layout.cells) {
    const { source } = cell;
    const stepX = (source.width * planes.width) / cell.width;
    const stepY = (source.height * planes.height) / cell.height;
    const left = source.x * planes.width;
    const top = source.y * planes.height;
    // Per column once, per row as it comes.
    const columns = Int32Array.from({ length: cell.width }, (_, cx) => firstOfPair(left + (cx + 0.5) * stepX, planes.width));
    for (let cy = 0; cy < cell.height; cy++) {
      const y = firstOfPair(top + (cy + 0.5) * stepY, planes.height);
      const rowStart = ((cell.y + cy) * layout.width + cell.x) * 4;
      if (y < 0) {
        for (let o = rowStart + 3; o < rowStart + cell.width * 4; o += 4) out[o] = 255;
        continue;
      }
      const row = lumaPlane.offset + y * lumaPlane.stride;
      const chromaY = (y + 1) >> 1;
      const firstRow = firstChroma.offset + chromaY * firstChroma.stride;
      const secondRow = interleaved ? firstRow + 1 : secondChroma!.offset + chromaY * secondChroma!.stride;
      for (let cx = 0, o = rowStart; cx < cell.width; cx++, o += 4) {
        out[o + 3] = 255;
        const x = columns[cx]!;
        if (x < 0) continue;
        const luma = (data[row + x]! + data[row + x + 1]! + data[row + lumaPlane.stride + x]! + data[row + lumaPlane.stride + x + 1]!) / 4;
        const chromaX = (x + 1) >> 1;
        const cb = data[firstRow + (interleaved ? 2 * chromaX : chromaX)]! - 128;
        const cr = data[interleaved ? firstRow + 2 * chromaX + 1 : secondRow + chromaX]! - 128;
        const base = (luma - yOffset) * toRgb;
        out[o] = base + crToR * cr;
        out[o + 1] = base + crToG * cr + cbToG * cb;
        out[o + 2] = base + cbToB * cb;
      }
    }
  }
  return out;
}
