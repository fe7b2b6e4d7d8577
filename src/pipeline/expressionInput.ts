import type { ExpressionMetadata } from './expressionMetadata';

/**
 * A gray crop's histogram equalized: pixel v → round((cdf(v) − cdf(darkest)) · 255 / (n − cdf(darkest))),
 * halves rounded up, in integers, exactly as training/emoface_training/models.py's `equalize_histogram`.
 * A crop of one gray level comes back unchanged.
 */
export function equalizeHistogram(pixels: Uint8Array): Uint8Array {
  const counts = new Uint32Array(256);
  for (const p of pixels) counts[p]!++;
  let darkest = 0;
  while (darkest < 255 && counts[darkest] === 0) darkest++;
  const atDarkest = counts[darkest]!;
  const spread = pixels.length - atDarkest;
  if (spread <= 0) return pixels.slice();
  const lookup = new Uint8Array(256);
  let cdf = 0;
  for (let v = darkest; v < 256; v++) {
    cdf += counts[v]!;
    lookup[v] = Math.floor(((cdf - atDarkest) * 510 + spread) / (2 * spread));
  }
  return pixels.map((p) => lookup[p]!);
}

/**
 * The model's input tensor data for a batch of gray crops (each crop.width × crop.height), as the
 * metadata says: equalized if it asks, then (pixel / 255 − mean) / std; NHWC with one channel.
 */
export function modelInput(crops: readonly Uint8Array[], metadata: ExpressionMetadata): Float32Array {
  const { crop, mean, std, equalizeHistogram: equalize } = metadata;
  const pixels = crop.width * crop.height;
  const input = new Float32Array(crops.length * pixels);
  crops.forEach((c, n) => {
    if (c.length !== pixels) throw new RangeError(`a crop has ${c.length} pixels; the model takes ${crop.width}×${crop.height}`);
    const source = equalize ? equalizeHistogram(c) : c;
    for (let i = 0; i < pixels; i++) input[n * pixels + i] = (source[i]! / 255 - mean) / std;
  });
  return input;
}
