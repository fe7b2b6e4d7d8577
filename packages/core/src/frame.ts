import type { Frame } from './types.js';

/** Throws a TypeError/RangeError naming `name` unless `frame` is a well-formed RGBA frame. */
export function assertFrame(frame: Frame, name = 'frame'): void {
  if (frame === null || typeof frame !== 'object') throw new TypeError(`${name} must be {data, width, height}`);
  const { data, width, height } = frame;
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw new TypeError(`${name}.data must be a Uint8Array or Uint8ClampedArray of RGBA bytes`);
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`${name}.width and ${name}.height must be positive integers, got ${width}×${height}`);
  }
  if (data.length !== width * height * 4) {
    throw new RangeError(`${name}.data has ${data.length} bytes, expected ${width}×${height}×4 = ${width * height * 4}`);
  }
}
