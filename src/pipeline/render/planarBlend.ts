/**
 * Blending emoji artwork straight into a camera frame's YUV planes (I420 or NV12, 4:2:0), so the page
 * never converts a whole frame to RGB and back: only the pixels under an emoji are touched.
 */

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

/**
 * A non-premultiplied RGBA image (as ImageData holds it) to lay over the frame with its top-left at (x, y):
 * whole chroma blocks inside the frame, so x, y, width and height are even. `width` × `height` are frame
 * pixels: with `halfResolution` the image has half as many each way, one image pixel per 2×2 frame pixels.
 */
export interface Patch {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8ClampedArray;
  readonly halfResolution?: boolean;
}

/**
 * Blends `patch` over `planes` by its alpha, in place (a 1280×720 frame is 1.4 MB: one copy per frame is
 * already made to get it, so the blend does not make another). Luma per pixel; each chroma sample takes
 * the alpha-weighted colour of its 2×2 pixels. Fixed-point arithmetic (16 fractional bits) in one pass
 * over the blocks: this runs over every pixel under every emoji of every frame. Throws a RangeError for a
 * patch that is not whole chroma blocks inside the frame.
 */
export function blendPatch(planes: Planes, patch: Patch, coefficients: YuvCoefficients): void {
  const { x: left, y: top, width, height, rgba } = patch;
  const half = patch.halfResolution ? 1 : 0; // image pixel = frame pixel >> half
  if ((left | top | width | height) & 1 || left < 0 || top < 0 || left + width > planes.width || top + height > planes.height
    || rgba.length !== (width >> half) * (height >> half) * 4) {
    throw new RangeError(`blendPatch: a ${width}×${height} patch at (${left}, ${top}) is not whole 2×2 blocks inside the ${planes.width}×${planes.height} frame`);
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

  const { data } = planes;
  const [lumaPlane, firstChroma, secondChroma] = planes.layout as [PlaneLayout, PlaneLayout, PlaneLayout | undefined];
  const interleaved = planes.format === 'NV12';
  const rowBytes = (width >> half) * 4;
  for (let by = 0; by < height; by += 2) {
    const cy = (top + by) >> 1;
    const lumaRow = lumaPlane.offset + (top + by) * lumaPlane.stride + left;
    const firstRow = firstChroma.offset + cy * firstChroma.stride;
    const secondRow = interleaved ? firstRow + 1 : secondChroma!.offset + cy * secondChroma!.stride;
    for (let bx = 0; bx < width; bx += 2) {
      let alphaSum = 0;
      let uSum = 0;
      let vSum = 0;
      if (half) {
        // One image pixel over the whole block: its colour once, its luma on all four pixels.
        const source = (by >> 1) * rowBytes + bx * 2;
        const alpha = rgba[source + 3]!;
        if (alpha === 0) continue;
        const r = rgba[source]!;
        const g = rgba[source + 1]!;
        const b = rgba[source + 2]!;
        const luma = ((yR * r + yG * g + yB * b + yOffset) >> 16) * alpha + 127;
        const target = lumaRow + bx;
        const below = target + lumaPlane.stride;
        data[target] = (data[target]! * (255 - alpha) + luma) / 255;
        data[target + 1] = (data[target + 1]! * (255 - alpha) + luma) / 255;
        data[below] = (data[below]! * (255 - alpha) + luma) / 255;
        data[below + 1] = (data[below + 1]! * (255 - alpha) + luma) / 255;
        alphaSum = 4 * alpha;
        uSum = 4 * alpha * ((uR * r + uG * g + uB * b + chromaOffset) >> 16);
        vSum = 4 * alpha * ((vR * r + vG * g + vB * b + chromaOffset) >> 16);
      } else {
        // The block's pixels, (bx, by), (bx + 1, by), (bx, by + 1) and (bx + 1, by + 1), written out: a loop
        // over them, or a helper per pixel shared with the half-resolution branch, measured 10–40 % slower
        // here, and this runs for every pixel under every emoji.
        const top = by * rowBytes + bx * 4;
        const bottom = top + rowBytes;
        const target = lumaRow + bx;
        const below = target + lumaPlane.stride;
        const a0 = rgba[top + 3]!;
        const a1 = rgba[top + 7]!;
        const a2 = rgba[bottom + 3]!;
        const a3 = rgba[bottom + 7]!;
        alphaSum = a0 + a1 + a2 + a3;
        if (alphaSum === 0) continue;
        if (a0 !== 0) {
          const r = rgba[top]!, g = rgba[top + 1]!, b = rgba[top + 2]!;
          data[target] = (data[target]! * (255 - a0) + ((yR * r + yG * g + yB * b + yOffset) >> 16) * a0 + 127) / 255;
          uSum += a0 * ((uR * r + uG * g + uB * b + chromaOffset) >> 16);
          vSum += a0 * ((vR * r + vG * g + vB * b + chromaOffset) >> 16);
        }
        if (a1 !== 0) {
          const r = rgba[top + 4]!, g = rgba[top + 5]!, b = rgba[top + 6]!;
          data[target + 1] = (data[target + 1]! * (255 - a1) + ((yR * r + yG * g + yB * b + yOffset) >> 16) * a1 + 127) / 255;
          uSum += a1 * ((uR * r + uG * g + uB * b + chromaOffset) >> 16);
          vSum += a1 * ((vR * r + vG * g + vB * b + chromaOffset) >> 16);
        }
        if (a2 !== 0) {
          const r = rgba[bottom]!, g = rgba[bottom + 1]!, b = rgba[bottom + 2]!;
          data[below] = (data[below]! * (255 - a2) + ((yR * r + yG * g + yB * b + yOffset) >> 16) * a2 + 127) / 255;
          uSum += a2 * ((uR * r + uG * g + uB * b + chromaOffset) >> 16);
          vSum += a2 * ((vR * r + vG * g + vB * b + chromaOffset) >> 16);
        }
        if (a3 !== 0) {
          const r = rgba[bottom + 4]!, g = rgba[bottom + 5]!, b = rgba[bottom + 6]!;
          data[below + 1] = (data[below + 1]! * (255 - a3) + ((yR * r + yG * g + yB * b + yOffset) >> 16) * a3 + 127) / 255;
          uSum += a3 * ((uR * r + uG * g + uB * b + chromaOffset) >> 16);
          vSum += a3 * ((vR * r + vG * g + vB * b + chromaOffset) >> 16);
        }
      }
      // The four pixels share the sample: it keeps the share of the pixels left bare (4 × 255 in all).
      const keep = 1020 - alphaSum;
      const cx = (left + bx) >> 1;
      const first = firstRow + (interleaved ? 2 * cx : cx);
      const second = interleaved ? first + 1 : secondRow + cx;
      data[first] = (data[first]! * keep + uSum + 510) / 1020;
      data[second] = (data[second]! * keep + vSum + 510) / 1020;
    }
  }
}

/**
 * The frame scaled down to `width` × `height` as RGBA (alpha 255), for the analyser: each output pixel is
 * the bilinear sample at its centre (the four frame pixels around it, and the chroma under them), as a
 * canvas's `drawImage` with smoothing makes it, without converting the whole frame to RGB first.
 */
export function scaledRgba(planes: Planes, coefficients: YuvCoefficients, width: number, height: number): Uint8ClampedArray<ArrayBuffer> {
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
  const out = new Uint8ClampedArray(width * height * 4);
  // The first of the two frame pixels around an output pixel's centre, kept inside the frame: per
  // column once, per row as it comes.
  const firstOfPair = (o: number, step: number, size: number) => Math.min(size - 2, Math.max(0, Math.floor((o + 0.5) * step - 0.5)));
  const stepX = planes.width / width;
  const stepY = planes.height / height;
  const columns = Int32Array.from({ length: width }, (_, ox) => firstOfPair(ox, stepX, planes.width));
  for (let oy = 0; oy < height; oy++) {
    const y = firstOfPair(oy, stepY, planes.height);
    const row = lumaPlane.offset + y * lumaPlane.stride;
    const chromaY = (y + 1) >> 1;
    const firstRow = firstChroma.offset + chromaY * firstChroma.stride;
    const secondRow = interleaved ? firstRow + 1 : secondChroma!.offset + chromaY * secondChroma!.stride;
    for (let ox = 0, o = oy * width * 4; ox < width; ox++, o += 4) {
      const x = columns[ox]!;
      const luma = (data[row + x]! + data[row + x + 1]! + data[row + lumaPlane.stride + x]! + data[row + lumaPlane.stride + x + 1]!) / 4;
      const chromaX = (x + 1) >> 1;
      const cb = data[firstRow + (interleaved ? 2 * chromaX : chromaX)]! - 128;
      const cr = data[interleaved ? firstRow + 2 * chromaX + 1 : secondRow + chromaX]! - 128;
      const base = (luma - yOffset) * toRgb;
      out[o] = base + crToR * cr;
      out[o + 1] = base + crToG * cr + cbToG * cb;
      out[o + 2] = base + cbToB * cb;
      out[o + 3] = 255;
    }
  }
  return out;
}
