import type { Frame } from './types.js';

/** Taps of a 1-D resampling filter: for each output sample, the first input index and its weights. */
interface Taps {
  readonly first: Int32Array;
  readonly count: Int32Array;
  readonly weights: Float32Array; // [outputs × maxTaps]
  readonly maxTaps: number;
}

/**
 * Triangle-filter taps mapping `inputSize` samples onto `outputSize` samples, where output sample j
 * covers input interval [j / scale, (j + 1) / scale). When shrinking, the filter widens with the
 * factor (as PIL's and Pillow-SIMD's reducing resamplers do), so detail finer than the output grid is
 * averaged away instead of aliasing.
 */
function triangleTaps(inputSize: number, outputSize: number, scale: number): Taps {
  const stretch = Math.max(1, 1 / scale);
  const support = stretch; // triangle support is 1 input pixel, widened by the shrink factor
  const maxTaps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outputSize);
  const count = new Int32Array(outputSize);
  const weights = new Float32Array(outputSize * maxTaps);
  for (let j = 0; j < outputSize; j++) {
    const centre = (j + 0.5) / scale;
    const lo = Math.max(0, Math.floor(centre - support));
    const hi = Math.min(inputSize, Math.ceil(centre + support));
    let total = 0;
    let n = 0;
    for (let i = lo; i < hi && n < maxTaps; i++, n++) {
      const w = Math.max(0, 1 - Math.abs((i + 0.5 - centre) / stretch));
      weights[j * maxTaps + n] = w;
      total += w;
    }
    if (total === 0) {
      // the output sample lies off the input (cannot happen for in-range j); take the nearest pixel
      weights[j * maxTaps] = 1;
      total = 1;
      n = 1;
    }
    for (let t = 0; t < n; t++) weights[j * maxTaps + t]! /= total;
    first[j] = lo;
    count[j] = n;
  }
  return { first, count, weights, maxTaps };
}

/**
 * Resizes `frame` to outWidth × outHeight RGB floats in 0..255, [outHeight × outWidth × 3], with a
 * separable antialiasing triangle filter. Alpha is ignored.
 */
export function resizeToRgb(frame: Frame, outWidth: number, outHeight: number): Float32Array {
  const { data, width, height } = frame;
  const horizontal = triangleTaps(width, outWidth, outWidth / width);
  const vertical = triangleTaps(height, outHeight, outHeight / height);
  const rows = new Float32Array(height * outWidth * 3);
  for (let y = 0; y < height; y++) {
    const rowIn = y * width * 4;
    const rowOut = y * outWidth * 3;
    for (let j = 0; j < outWidth; j++) {
      const base = j * horizontal.maxTaps;
      const start = horizontal.first[j]!;
      const n = horizontal.count[j]!;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let t = 0; t < n; t++) {
        const w = horizontal.weights[base + t]!;
        const p = rowIn + (start + t) * 4;
        r += data[p]! * w;
        g += data[p + 1]! * w;
        b += data[p + 2]! * w;
      }
      rows[rowOut + j * 3] = r;
      rows[rowOut + j * 3 + 1] = g;
      rows[rowOut + j * 3 + 2] = b;
    }
  }
  const out = new Float32Array(outHeight * outWidth * 3);
  const stride = outWidth * 3;
  for (let i = 0; i < outHeight; i++) {
    const base = i * vertical.maxTaps;
    const start = vertical.first[i]!;
    const n = vertical.count[i]!;
    const rowOut = i * stride;
    for (let t = 0; t < n; t++) {
      const w = vertical.weights[base + t]!;
      const rowIn = (start + t) * stride;
      for (let k = 0; k < stride; k++) out[rowOut + k]! += rows[rowIn + k]! * w;
    }
  }
  return out;
}
