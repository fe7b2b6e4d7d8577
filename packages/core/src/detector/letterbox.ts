import { resizeToRgb } from '../resample.js';
import type { Frame } from '../types.js';

/** Where a frame sits inside the square detector input: inputX = frameX × scaleX + padX (pixels). */
export interface Letterbox {
  readonly scaleX: number;
  readonly scaleY: number;
  readonly padX: number;
  readonly padY: number;
  /** Width and height of the frame's image inside the input, in whole pixels. */
  readonly innerWidth: number;
  readonly innerHeight: number;
  /** Side of the square input in pixels. */
  readonly size: number;
}

/** The letterbox that fits a width × height frame into a size × size square: centred, aspect kept, whole pixels. */
export function letterboxFor(width: number, height: number, size: number): Letterbox {
  const scale = size / Math.max(width, height);
  const innerWidth = Math.max(1, Math.round(width * scale));
  const innerHeight = Math.max(1, Math.round(height * scale));
  return {
    scaleX: innerWidth / width,
    scaleY: innerHeight / height,
    padX: Math.floor((size - innerWidth) / 2),
    padY: Math.floor((size - innerHeight) / 2),
    innerWidth,
    innerHeight,
    size,
  };
}

/**
 * The detector's input for `frame`: NHWC float32 RGB [1, size, size, 3], pixel values mapped from
 * 0..255 to `valueRange`, the border filled with the range's middle (mid-gray).
 */
export function letterboxTensor(frame: Frame, size: number, valueRange: readonly [number, number]): {
  data: Float32Array;
  letterbox: Letterbox;
} {
  const letterbox = letterboxFor(frame.width, frame.height, size);
  const { innerWidth, innerHeight, padX, padY } = letterbox;
  const resized = resizeToRgb(frame, innerWidth, innerHeight);
  const [low, high] = valueRange;
  const gain = (high - low) / 255;
  const data = new Float32Array(size * size * 3).fill((low + high) / 2);
  for (let y = 0; y < innerHeight; y++) {
    const rowIn = y * innerWidth * 3;
    const rowOut = ((padY + y) * size + padX) * 3;
    for (let k = 0; k < innerWidth * 3; k++) data[rowOut + k] = resized[rowIn + k]! * gain + low;
  }
  return { data, letterbox };
}
