import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, decodeRgb, encodeRgb } from '../../src/pipeline/transport';
import { loadFrame, PHOTOS } from './fixtures';

describe('frames to the analyser', () => {
  it('sends RGB as base64, 4 characters a pixel, and gets the same pixels back (alpha 255)', async () => {
    const frame = await loadFrame(PHOTOS.astronaut.path);
    const text = encodeRgb(frame.data);
    expect(text).toHaveLength(frame.width * frame.height * 4);
    expect(text).toBe(Buffer.from(frame.data.filter((_, i) => i % 4 !== 3)).toString('base64'));
    const back = decodeRgb(text, frame.width, frame.height);
    expect(Buffer.from(back).equals(Buffer.from(frame.data))).toBe(true);
  });
  it('refuses text that is not a frame of that size', () => {
    expect(() => decodeRgb('AAAA', 2, 2)).toThrow(/do not hold 2×2/);
    expect(() => decodeRgb('AA!A', 1, 1)).toThrow(/not base64/);
    expect(() => encodeRgb(new Uint8Array(5))).toThrow(/RGBA/);
  });
  it('carries artwork bytes as standard base64', () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) % 256);
    for (const n of [0, 1, 2, 3, 1000]) {
      const text = bytesToBase64(bytes.subarray(0, n));
      expect(text).toBe(Buffer.from(bytes.subarray(0, n)).toString('base64'));
      expect([...base64ToBytes(text)]).toEqual([...bytes.subarray(0, n)]);
    }
  });
});
