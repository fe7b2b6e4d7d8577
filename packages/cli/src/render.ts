import { createCanvas, type Image, ImageData } from '@napi-rs/canvas';
import { drawOverlay, type FaceResult, type Frame, type OverlayOptions } from '@emoface/core';

/** A frame with the faces' emoji drawn over it (a new frame; the input is not changed). */
export function renderOverlay(frame: Frame, faces: readonly FaceResult[], artwork: ReadonlyMap<string, Image>,
  options: OverlayOptions = {}): Frame {
  const canvas = createCanvas(frame.width, frame.height);
  const ctx = canvas.getContext('2d');
  ctx.putImageData(new ImageData(new Uint8ClampedArray(frame.data), frame.width, frame.height), 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  drawOverlay(ctx, faces, (emoji) => artwork.get(emoji), options);
  const pixels = ctx.getImageData(0, 0, frame.width, frame.height).data;
  return { data: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.length), width: frame.width, height: frame.height };
}
