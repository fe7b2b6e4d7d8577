import { boxToPixels, drawEmoji, drawOverlay, placeEmoji, placementBounds, type Placement } from '../../pipeline/render/overlay';
import { blendPatch, scaledRgba, yuvCoefficients, type Planes, type YuvCoefficients } from '../../pipeline/render/planarBlend';
import type { Box } from '../../pipeline/types';

/** A face to draw: its box in fractions of the frame (0..1), head roll in radians, and its emoji. */
export interface FaceOnFrame {
  readonly box: Box;
  readonly roll: number;
  readonly emoji: string;
}

/** The even integer at or above `value`. */
const evenUp = (value: number) => (Math.ceil(value) + 1) & ~1;

/** The time of `frame`, for a new frame made from it. */
function timingOf(frame: VideoFrame): { timestamp: number; duration?: number } {
  return frame.duration === null ? { timestamp: frame.timestamp } : { timestamp: frame.timestamp, duration: frame.duration };
}

/** A frame's planes, copied, with the coefficients of its colour space. */
export interface PlanarFrame {
  readonly planes: Planes;
  readonly coefficients: YuvCoefficients;
}

/**
 * The page's pixel work on camera frames: the small copy for the analyser, and the emoji drawn at full
 * size. A 4:2:0 frame (I420 or NV12, what cameras send) is copied once (`readPlanes`); the analyser's
 * copy is sampled from the planes and the emoji are blended into them, in YUV, only where they are, so
 * neither the page nor the call's encoder converts the whole frame to RGB and back. Any other frame
 * (another format or colour matrix, turned or mirrored) goes through 2-D canvases.
 */
export class FrameCompositor {
  /** The copy of the frame being drawn on (reused: one allocation per frame size). */
  #buffer: Uint8Array | null = null;
  /** Where one emoji is drawn turned and scaled before it is blended (grows to the largest needed). */
  #patch: OffscreenCanvas | null = null;
  /** The canvases of frames in other formats: full size, and the analyser's copy. */
  #canvas: OffscreenCanvas | null = null;
  #small: OffscreenCanvas | null = null;

  /** A copy of the frame's planes, or null when the frame must go through a canvas. */
  async readPlanes(frame: VideoFrame): Promise<PlanarFrame | null> {
    const format = frame.format;
    // A turned or mirrored frame is shown otherwise than its planes lie: the canvas applies that.
    const upright = !frame.rotation && !frame.flip;
    if (!upright || (format !== 'I420' && format !== 'NV12') || !frame.visibleRect) return null;
    const coefficients = yuvCoefficients(frame.colorSpace.matrix, frame.colorSpace.fullRange);
    if (!coefficients) return null;
    const size = frame.allocationSize();
    if (this.#buffer?.byteLength !== size) this.#buffer = new Uint8Array(size);
    const layout = await frame.copyTo(this.#buffer);
    const { width, height } = frame.visibleRect;
    return { planes: { format, width, height, data: this.#buffer, layout }, coefficients };
  }

  /**
   * The frame scaled to `width` × `height`, RGBA, for the analyser. Taken from `planar` (from readPlanes
   * on this frame, before `composite` drew on it) when there is one.
   */
  analysisPixels(frame: VideoFrame, planar: PlanarFrame | null, width: number, height: number): Uint8ClampedArray<ArrayBuffer> {
    if (planar) return scaledRgba(planar.planes, planar.coefficients, width, height);
    if (this.#small?.width !== width || this.#small.height !== height) this.#small = new OffscreenCanvas(width, height);
    const ctx = this.#small.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(frame, 0, 0, width, height);
    return ctx.getImageData(0, 0, width, height).data;
  }

  /**
   * A new frame: `frame` with each face's emoji drawn over it (`frame` stays open; the caller closes it).
   * `planar` is readPlanes' copy of this frame; it is drawn on.
   */
  composite(frame: VideoFrame, planar: PlanarFrame | null, faces: readonly FaceOnFrame[], artwork: ReadonlyMap<string, ImageBitmap>): VideoFrame {
    if (!planar) return this.#drawOnCanvas(frame, faces, artwork);
    const { planes, coefficients } = planar;
    const { width, height } = planes;
    for (const face of faces) {
      const image = artwork.get(face.emoji);
      if (!image) continue;
      const placement = placeEmoji(boxToPixels(face.box, width, height), face.roll);
      // An emoji magnified 2× or more from its artwork loses no detail drawn at half size, one drawn pixel
      // per 2×2 frame pixels: a quarter of the pixels to draw, read back and convert.
      const halfResolution = placement.size >= 2 * image.width;
      // The emoji's part inside the frame, in whole chroma blocks (even pixels).
      const bounds = placementBounds(placement);
      const x = Math.max(0, Math.floor(bounds.x)) & ~1;
      const y = Math.max(0, Math.floor(bounds.y)) & ~1;
      const patchWidth = Math.min(width & ~1, evenUp(bounds.x + bounds.width)) - x;
      const patchHeight = Math.min(height & ~1, evenUp(bounds.y + bounds.height)) - y;
      if (patchWidth <= 0 || patchHeight <= 0) continue;
      const rgba = this.#drawPatch(image, placement, x, y, patchWidth, patchHeight, halfResolution);
      blendPatch(planes, { x, y, width: patchWidth, height: patchHeight, rgba, halfResolution }, coefficients);
    }
    return new VideoFrame(planes.data, {
      format: planes.format, codedWidth: width, codedHeight: height, layout: [...planes.layout], ...timingOf(frame),
      displayWidth: frame.displayWidth, displayHeight: frame.displayHeight, colorSpace: frame.colorSpace.toJSON(),
    });
  }

  /** The emoji at `placement`, drawn into the frame area `width` × `height` at (x, y) (halved with `half`), RGBA. */
  #drawPatch(image: ImageBitmap, placement: Placement, x: number, y: number, width: number, height: number, half: boolean): Uint8ClampedArray {
    const scale = half ? 0.5 : 1;
    const [w, h] = [width * scale, height * scale];
    if (!this.#patch || this.#patch.width < w || this.#patch.height < h) {
      this.#patch = new OffscreenCanvas(Math.max(w, this.#patch?.width ?? 0), Math.max(h, this.#patch?.height ?? 0));
    }
    const ctx = this.#patch.getContext('2d', { willReadFrequently: true })!;
    ctx.clearRect(0, 0, w, h);
    ctx.setTransform(scale, 0, 0, scale, -x * scale, -y * scale);
    drawEmoji(ctx, image, placement);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    return ctx.getImageData(0, 0, w, h).data;
  }

  #drawOnCanvas(frame: VideoFrame, faces: readonly FaceOnFrame[], artwork: ReadonlyMap<string, ImageBitmap>): VideoFrame {
    const { displayWidth: width, displayHeight: height } = frame;
    if (this.#canvas?.width !== width || this.#canvas.height !== height) this.#canvas = new OffscreenCanvas(width, height);
    const ctx = this.#canvas.getContext('2d', { alpha: false })!;
    ctx.drawImage(frame, 0, 0);
    const onFrame = faces.map((face) => ({ box: boxToPixels(face.box, width, height), roll: face.roll, emoji: face.emoji }));
    drawOverlay(ctx, onFrame, (emoji) => artwork.get(emoji));
    return new VideoFrame(this.#canvas, timingOf(frame));
  }
}
