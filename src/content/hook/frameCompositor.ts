import { boxToPixels, drawEmoji, drawOverlay, placeEmoji, type Placement } from '../../pipeline/render/overlay';
import {
  blendPatch, patchSide, preparePatch, snapPlacement, viewRgba, yuvCoefficients, type Planes, type PreparedPatch, type YuvCoefficients,
} from '../../pipeline/render/planarBlend';
import type { Box } from '../../pipeline/types';
import type { ViewLayout } from '../../pipeline/views';
import { paintView } from '../../offscreen/viewPainter';

/** A face to draw: its box in fractions of the frame (0..1), head roll in radians, and its emoji. */
export interface FaceOnFrame {
  readonly box: Box;
  readonly roll: number;
  readonly emoji: string;
}

/**
 * Prepared emoji kept per face drawn: its patch now, and two it may come back to (the size or angle step
 * it jitters across, its other expression's emoji). A 400-pixel emoji's patch is about 0.9 MB.
 */
const PATCHES_KEPT_PER_FACE = 3;

/**
 * A kept patch serves an emoji of another size or angle when no point of its outline would be more than
 * this many pixels from where it should be (unseen on a moving head), as a face's size and roll change a
 * little at every analysis: its size within twice this, its corners within this.
 */
const REUSE_PX = 4;

/** A prepared patch with what it was prepared for. */
interface KeptPatch {
  readonly image: number;
  readonly colours: string;
  readonly size: number;
  readonly angle: number;
  readonly prepared: PreparedPatch;
}

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
 * neither the page nor the call's encoder converts the whole frame to RGB and back. Each emoji is drawn
 * and converted to YUV once per artwork, size and angle, and only blended on the frames after: between
 * two analyses a face only moves. Any other frame (another format or colour matrix, turned or mirrored)
 * goes through 2-D canvases.
 */
export class FrameCompositor {
  /** The copy of the frame being drawn on (reused: one allocation per frame size). */
  #buffer: Uint8Array | null = null;
  /** Where one emoji is drawn turned and scaled before it is prepared (grows to the largest needed). */
  #patch: OffscreenCanvas | null = null;
  /** Emoji prepared for blending, by image, colours, size and angle, least recently used first. */
  readonly #prepared = new Map<string, KeptPatch>();
  /** A number for each artwork image seen: a new image (another set) never meets an old one's patches. */
  readonly #imageNumbers = new WeakMap<ImageBitmap, number>();
  #imagesSeen = 0;
  /** The canvases of frames in other formats: full size, and the analyser's views. */
  #canvas: OffscreenCanvas | null = null;
  #viewCanvas: OffscreenCanvas | null = null;

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

  /** The pixels of a view of `frame` (see views.ts), from `planar` when the frame was read as YUV, else through a canvas. */
  viewPixels(frame: VideoFrame, planar: PlanarFrame | null, layout: ViewLayout): Uint8ClampedArray<ArrayBuffer> {
    if (planar) return viewRgba(planar.planes, planar.coefficients, layout);
    this.#viewCanvas ??= new OffscreenCanvas(layout.width, layout.height);
    return paintView(frame, frame.displayWidth, frame.displayHeight, layout, this.#viewCanvas).data;
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
      const placement = snapPlacement(placeEmoji(boxToPixels(face.box, width, height), face.roll));
      if (placement.size === 0) continue;
      // The patch's corner is on an even pixel: blendPatch blends the part of it inside the frame.
      const patch = this.#preparedPatch(image, placement, coefficients);
      const left = placement.x - patch.width / 2;
      const top = placement.y - patch.height / 2;
      if (left >= width || top >= height || left + patch.width <= 0 || top + patch.height <= 0) continue;
      blendPatch(planes, patch, left, top);
    }
    this.#forgetPatchesBeyond(PATCHES_KEPT_PER_FACE * faces.length);
    return new VideoFrame(planes.data, {
      format: planes.format, codedWidth: width, codedHeight: height, layout: [...planes.layout], ...timingOf(frame),
      displayWidth: frame.displayWidth, displayHeight: frame.displayHeight, colorSpace: frame.colorSpace.toJSON(),
    });
  }

  /**
   * `image` at `placement` (snapped) ready to blend as a square patch centred on it: a kept one prepared for
   * the same image and colours at nearly that size and angle (see REUSE_PX), or one drawn now.
   */
  #preparedPatch(image: ImageBitmap, placement: Placement, coefficients: YuvCoefficients): PreparedPatch {
    const wanted = { image: this.#imageNumber(image), colours: `${coefficients.kr} ${coefficients.kb} ${coefficients.fullRange}`, ...placement };
    for (const [key, kept] of this.#prepared) {
      const cornerShiftPx = (wanted.size / Math.SQRT2) * Math.abs(kept.angle - wanted.angle);
      if (kept.image !== wanted.image || kept.colours !== wanted.colours || cornerShiftPx > REUSE_PX
        || Math.abs(kept.size - wanted.size) > 2 * REUSE_PX) continue;
      // Put back last: the Map's order stays least recently used first.
      this.#prepared.delete(key);
      this.#prepared.set(key, kept);
      return kept.prepared;
    }
    // An emoji magnified 2× or more from its artwork loses no detail drawn at half size, one drawn pixel
    // per 2×2 frame pixels: a quarter of the pixels to draw, read back and convert.
    const halfResolution = placement.size >= 2 * image.width;
    const side = patchSide(placement);
    const rgba = this.#drawPatch(image, placement, side, halfResolution);
    const prepared = preparePatch({ width: side, height: side, rgba, halfResolution }, coefficients);
    this.#prepared.set(`${wanted.image} ${wanted.colours} ${wanted.size} ${wanted.angle}`, { ...wanted, prepared });
    return prepared;
  }

  /** A number for `image`, the same every time it comes. */
  #imageNumber(image: ImageBitmap): number {
    let imageNumber = this.#imageNumbers.get(image);
    if (imageNumber === undefined) {
      imageNumber = ++this.#imagesSeen;
      this.#imageNumbers.set(image, imageNumber);
    }
    return imageNumber;
  }

  /** Drops the least recently used prepared patches beyond the newest `count`. */
  #forgetPatchesBeyond(count: number): void {
    for (const key of this.#prepared.keys()) {
      if (this.#prepared.size <= count) return;
      this.#prepared.delete(key);
    }
  }

  /** The emoji at `placement`, drawn turned and scaled in a `side` × `side` patch centred on it (halved with `half`), RGBA. */
  #drawPatch(image: ImageBitmap, placement: Placement, side: number, half: boolean): Uint8ClampedArray {
    const scale = half ? 0.5 : 1;
    const drawn = side * scale;
    if (!this.#patch || this.#patch.width < drawn || this.#patch.height < drawn) {
      this.#patch = new OffscreenCanvas(Math.max(drawn, this.#patch?.width ?? 0), Math.max(drawn, this.#patch?.height ?? 0));
    }
    const ctx = this.#patch.getContext('2d', { willReadFrequently: true })!;
    ctx.clearRect(0, 0, drawn, drawn);
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    drawEmoji(ctx, image, { ...placement, x: side / 2, y: side / 2 });
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    return ctx.getImageData(0, 0, drawn, drawn).data;
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
