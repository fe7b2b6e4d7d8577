import { describe, expect, it } from 'vitest';
import { equalizeHistogram, modelInput } from '../../src/pipeline/expressionInput';
import type { ExpressionMetadata } from '../../src/pipeline/expressionMetadata';

const metadata = (equalize: boolean) => ({
  crop: { width: 2, height: 2, grayWeights: [0.299, 0.587, 0.114] }, mean: 0.5, std: 0.25, equalizeHistogram: equalize,
}) as unknown as ExpressionMetadata;

describe('the model input', () => {
  it('equalizes a histogram: darkest to 0, brightest to 255, halves rounded up; one gray level stays', () => {
    expect([...equalizeHistogram(Uint8Array.of(0, 0, 1, 2))]).toEqual([0, 0, 128, 255]);
    expect([...equalizeHistogram(Uint8Array.of(10, 200, 200, 255))]).toEqual([0, 170, 170, 255]);
    expect([...equalizeHistogram(Uint8Array.of(90, 90, 90, 90))]).toEqual([90, 90, 90, 90]);
  });
  it('a change of light or contrast that keeps gray levels apart and in order gives the same equalized crop', () => {
    const crop = Uint8Array.from({ length: 48 * 48 }, (_, i) => (i * 37) % 200);
    const relit = crop.map((p) => Math.round(10 + p * 1.2));
    expect(equalizeHistogram(relit)).toEqual(equalizeHistogram(crop));
  });
  it('normalises each crop of a batch as the metadata says, and refuses a crop of the wrong size', () => {
    const crops = [Uint8Array.of(0, 0, 1, 2), Uint8Array.of(0, 0, 1, 2)];
    const equalized = [-2, -2, 128 / 255 / 0.25 - 2, 2];
    expect(modelInput(crops, metadata(true))).toEqual(Float32Array.from([...equalized, ...equalized]));
    expect(modelInput(crops, metadata(false))[3]).toBeCloseTo(2 / 255 / 0.25 - 2, 6);
    expect(() => modelInput([Uint8Array.of(1, 2, 3)], metadata(true))).toThrow(/a crop has 3 pixels; the model takes 2×2/);
  });
});
