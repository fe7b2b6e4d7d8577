import { DEFAULTS } from '../defaults';
import type { Box, Keypoints } from '../types';

/** Where an emoji goes: centre (frame pixels), side (pixels) and rotation (radians, clockwise on screen). */
export interface Placement {
  readonly x: number;
  readonly y: number;
  readonly size: number;
  readonly angle: number;
}

/** Head roll in radians, clockwise on screen: the angle of the line from the subject's right eye to the left eye. */
export function headRoll(keypoints: Keypoints): number {
  return Math.atan2(keypoints.leftEye.y - keypoints.rightEye.y, keypoints.leftEye.x - keypoints.rightEye.x);
}

/**
 * The emoji's placement over a face: centred on the box, its side `scale` × the box's larger side,
 * turned by the head roll.
 */
export function placeEmoji(box: Box, roll: number, scale: number = DEFAULTS.render.scale): Placement {
  return { x: box.x + box.width / 2, y: box.y + box.height / 2, size: Math.max(box.width, box.height) * scale, angle: roll };
}

/** The upright box (pixels) that holds an emoji placed at `p`, turned as it is. */
export function placementBounds(p: Placement): Box {
  const half = (p.size / 2) * (Math.abs(Math.cos(p.angle)) + Math.abs(Math.sin(p.angle)));
  return { x: p.x - half, y: p.y - half, width: 2 * half, height: 2 * half };
}

/** A box given in fractions of a frame (0..1), in pixels of a `width` × `height` frame. */
export function boxToPixels(box: Box, width: number, height: number): Box {
  return { x: box.x * width, y: box.y * height, width: box.width * width, height: box.height * height };
}

/** The part of CanvasRenderingContext2D (or OffscreenCanvasRenderingContext2D) the overlay uses. */
export interface DrawingContext<TImage> {
  save(): void;
  restore(): void;
  translate(x: number, y: number): void;
  rotate(angle: number): void;
  drawImage(image: TImage, x: number, y: number, width: number, height: number): void;
}

/** A face as the overlay needs it: box in pixels, roll in radians, and its emoji. */
export interface FaceToDraw {
  readonly box: Box;
  readonly roll: number;
  readonly emoji: string;
}

/**
 * Draws each face's emoji (from `artwork`, which maps an emoji to an image, or undefined to skip it)
 * centred on the face and turned with the head.
 */
export function drawOverlay<TImage>(ctx: DrawingContext<TImage>, faces: readonly FaceToDraw[],
  artwork: (emoji: string) => TImage | undefined, scale: number = DEFAULTS.render.scale): void {
  for (const face of faces) {
    const image = artwork(face.emoji);
    if (image === undefined) continue;
    drawEmoji(ctx, image, placeEmoji(face.box, face.roll, scale));
  }
}

/** Draws `image` at placement `p`: centred on (p.x, p.y), p.size on a side, turned by p.angle. */
export function drawEmoji<TImage>(ctx: DrawingContext<TImage>, image: TImage, p: Placement): void {
  ctx.save();
  ctx.translate(p.x, p.y);
  ctx.rotate(p.angle);
  ctx.drawImage(image, -p.size / 2, -p.size / 2, p.size, p.size);
  ctx.restore();
}
