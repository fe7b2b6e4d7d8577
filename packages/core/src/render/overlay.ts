import { DEFAULTS } from '../defaults.js';
import type { Box, Keypoints, Point } from '../types.js';

/** Where an emoji goes: centre (frame pixels), side (pixels) and rotation (radians, clockwise on screen). */
export interface Placement {
  readonly x: number;
  readonly y: number;
  readonly size: number;
  readonly angle: number;
}

/**
 * The emoji's placement over a face: centred on the box, its side `scale` × the box's larger side, turned
 * by the head roll (the angle of the line from the subject's right eye to the left eye).
 */
export function placeEmoji(box: Box, keypoints: Keypoints, scale: number = DEFAULTS.render.scale): Placement {
  const angle = Math.atan2(keypoints.leftEye.y - keypoints.rightEye.y, keypoints.leftEye.x - keypoints.rightEye.x);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2, size: Math.max(box.width, box.height) * scale, angle };
}

/**
 * The part of CanvasRenderingContext2D the renderer uses; a browser canvas and @napi-rs/canvas both have it.
 * `TImage` is whatever that context's drawImage takes.
 */
export interface DrawingContext<TImage> {
  save(): void;
  restore(): void;
  translate(x: number, y: number): void;
  rotate(angle: number): void;
  drawImage(image: TImage, x: number, y: number, width: number, height: number): void;
  strokeRect(x: number, y: number, width: number, height: number): void;
  fillRect(x: number, y: number, width: number, height: number): void;
  fillText(text: string, x: number, y: number): void;
  font: string;
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
}

/** A face as the renderer needs it. */
export interface FaceToDraw {
  readonly box: Box;
  readonly keypoints: Keypoints;
  readonly emoji: string;
  /** Probabilities per label, for the bars. */
  readonly scores: Readonly<Record<string, number>>;
  readonly expression: string;
}

/** Options of {@link drawOverlay}. */
export interface OverlayOptions {
  /** Emoji side relative to the face box's larger side. Default DEFAULTS.render.scale (1.35). */
  readonly scale?: number;
  /** Draw face boxes. Default false. */
  readonly boxes?: boolean;
  /** Draw a bar per label under each face. Default false. */
  readonly bars?: boolean;
}

/**
 * Draws each face's emoji (from `artwork`, which maps an emoji string to an image, or undefined to
 * skip it) centred on the face and turned with the head, plus optional boxes and bars.
 */
export function drawOverlay<TImage>(ctx: DrawingContext<TImage>, faces: readonly FaceToDraw[],
  artwork: (emoji: string) => TImage | undefined, options: OverlayOptions = {}): void {
  for (const face of faces) {
    if (options.boxes) {
      ctx.save();
      ctx.strokeStyle = '#22d3ee';
      ctx.lineWidth = Math.max(2, face.box.width / 80);
      ctx.strokeRect(face.box.x, face.box.y, face.box.width, face.box.height);
      ctx.restore();
    }
    const image = artwork(face.emoji);
    if (image !== undefined) {
      const p = placeEmoji(face.box, face.keypoints, options.scale);
      ctx.save();
      ctx.translate(p.x, p.y);
      ctx.rotate(p.angle);
      ctx.drawImage(image, -p.size / 2, -p.size / 2, p.size, p.size);
      ctx.restore();
    }
    if (options.bars) drawBars(ctx, face);
  }
}

function drawBars<TImage>(ctx: DrawingContext<TImage>, face: FaceToDraw): void {
  const entries = Object.entries(face.scores);
  const width = Math.max(90, face.box.width);
  const rowHeight = Math.max(10, Math.round(width / 14));
  const x = face.box.x + face.box.width / 2 - width / 2;
  let y = face.box.y + face.box.height * 1.25;
  ctx.save();
  ctx.font = `${Math.round(rowHeight * 0.8)}px sans-serif`;
  for (const [label, p] of entries) {
    ctx.fillStyle = 'rgba(15, 23, 42, 0.65)';
    ctx.fillRect(x, y, width, rowHeight);
    ctx.fillStyle = label === face.expression ? '#facc15' : '#38bdf8';
    ctx.fillRect(x, y, width * p, rowHeight);
    ctx.fillStyle = '#ffffff';
    ctx.fillText(`${label} ${(p * 100).toFixed(0)}%`, x + 3, y + rowHeight * 0.8);
    y += rowHeight + 1;
  }
  ctx.restore();
}

const mirrorPoint = (p: Point, width: number): Point => ({ x: width - p.x, y: p.y });

/**
 * A face as it appears in the mirror image of a `width`-pixel-wide frame (selfie preview): box and
 * keypoints reflected, and the subject's right and left swapped so the head roll stays right.
 */
export function mirrorFace<T extends { readonly box: Box; readonly keypoints: Keypoints }>(face: T, width: number): T {
  const k = face.keypoints;
  return {
    ...face,
    box: { ...face.box, x: width - face.box.x - face.box.width },
    keypoints: {
      rightEye: mirrorPoint(k.leftEye, width), leftEye: mirrorPoint(k.rightEye, width), noseTip: mirrorPoint(k.noseTip, width),
      mouth: mirrorPoint(k.mouth, width), rightEar: mirrorPoint(k.leftEar, width), leftEar: mirrorPoint(k.rightEar, width),
    },
  };
}
