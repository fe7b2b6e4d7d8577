/**
 * The page `npm run bench:search` opens in Chromium: MediaPipe's two face detectors through the analyser's
 * own FaceFinder (CPU, VIDEO mode, DEFAULTS.detector), fed with pictures from Node, run over the views of
 * each search strategy and over follow mosaics. Views are painted as the analyser paints them (paintView);
 * only the detector calls are timed (FaceFinder.detect, with its copy of a tile out of the view). It scores nothing: it returns detections and milliseconds, and
 * bench/search.mjs compares them with the ground truth.
 */
import detectorFacts from 'emoface-models/face-detector/model.json';
import { DEFAULTS } from '../../src/pipeline/defaults';
import { centreOf, suppressDuplicates } from '../../src/pipeline/math';
import type { Box, Detection } from '../../src/pipeline/types';
import { followLayouts, searchLayout, searchTiles, viewToFrame, type ViewCell, type ViewLayout } from '../../src/pipeline/views';
import { FaceFinder, type DetectorRange } from '../../src/offscreen/faceDetector';
import { paintView } from '../../src/offscreen/viewPainter';

/** A detection as Node gets it: its box (pixels of the picture it was asked about) and its score, 0..1. */
export interface Found {
  readonly box: Box;
  readonly score: number;
}

/** What one search strategy found in a frame, and the ms of its detector calls on each repeat. */
export interface SearchRun {
  readonly strategy: string;
  /** Detections of the first repeat, in the frame's pixels, merged across tiles as the analyser merges them. */
  readonly found: Found[];
  /** Milliseconds of each repeat's detector calls (all the strategy's calls on the frame, summed). */
  readonly ms: number[];
  /** Detector calls per search. */
  readonly calls: number;
  /** Whether every repeat found the same number of faces (the detector keeps no state between calls). */
  readonly stable: boolean;
}

/** One face of a follow mosaic: a loaded picture and the face's box in its pixels. */
export interface MosaicFace {
  readonly picture: string;
  readonly box: Box;
}

/** What one detector call found in a follow mosaic, where its cells are, and the ms of each repeat. */
export interface MosaicRun {
  readonly width: number;
  readonly height: number;
  readonly cells: ViewCell[];
  /** Detections of the first repeat, in the mosaic's pixels. */
  readonly found: Found[];
  readonly ms: number[];
  readonly stable: boolean;
}

/** The bench's entry points, on window.emofaceSearch once both detectors are loaded. */
export interface SearchBenchApi {
  /** The search strategies, in the order their runs come back: name and what it does. */
  readonly strategies: ReadonlyArray<{ name: string; description: string }>;
  /** Decodes a PNG (base64) and keeps it as picture `key`; its size. */
  load(key: string, png: string): Promise<{ width: number; height: number }>;
  /** Forgets picture `key`. */
  unload(key: string): void;
  /** Every strategy on picture `key` (a camera frame), each `repeats` times. */
  search(key: string, repeats: number): SearchRun[];
  /**
   * One mosaic of `faces`, `columns` cells wide: each cell a square of the face's picture `cropScale` times
   * the face's larger side around its centre, clipped to the picture, scaled to `cellPx` (as followLayouts
   * lays out a cell); the `range` detector once over the whole mosaic, `repeats` times.
   */
  mosaic(faces: readonly MosaicFace[], options: { cropScale: number; cellPx: number; columns: number; range: DetectorRange }, repeats: number): MosaicRun;
  /**
   * Faces in picture `key` at full size, for listing ground truth: the full-range detector on square tiles
   * of `tilePx`, neighbours overlapping by half a tile, merged (no score threshold beyond the detector's).
   */
  listFaces(key: string, tilePx: number): Found[];
}

declare global {
  interface Window {
    emofaceSearch: Promise<SearchBenchApi>;
  }
}

/** One detector call of a strategy: which detector, on which part of the view (whole view when absent). */
interface DetectorCall {
  readonly range: DetectorRange;
  readonly region?: Box;
}

/** A way to search a frame: the view it paints of it, and the detector calls over that view. */
interface SearchStrategy {
  readonly name: string;
  readonly description: string;
  readonly view: (frameWidth: number, frameHeight: number) => ViewLayout;
  readonly calls: (view: ViewLayout) => DetectorCall[];
}

/** Detector input sides, pixels (128 close range, 192 full range). */
const INPUT_PX: Record<DetectorRange, number> = { near: detectorFacts.inputSize[0]!, far: detectorFacts.fullRange.inputSize[0]! };

/** The whole frame scaled by `scale` (never up), as searchLayout scales it. */
function scaledView(frameWidth: number, frameHeight: number, scale: number): ViewLayout {
  const s = Math.min(1, scale);
  const width = Math.max(1, Math.round(frameWidth * s));
  const height = Math.max(1, Math.round(frameHeight * s));
  return { kind: 'search', width, height, cells: [{ source: { x: 0, y: 0, width: 1, height: 1 }, x: 0, y: 0, width, height }] };
}

/** The frame scaled so that its longer side is `longPx`. */
const viewOfLongSide = (longPx: number) => (frameWidth: number, frameHeight: number) => scaledView(frameWidth, frameHeight, longPx / Math.max(frameWidth, frameHeight));

/** `columns` × `rows` square tiles of `side` over a `width` × `height` view, spread evenly as searchTiles spreads them. */
function grid(width: number, height: number, side: number, columns: number, rows: number): Box[] {
  const starts = (length: number, count: number) => (count === 1 ? [0] : Array.from({ length: count }, (_, i) => Math.round((i * (length - side)) / (count - 1))));
  return starts(height, rows).flatMap((y) => starts(width, columns).map((x) => ({ x, y, width: side, height: side })));
}

/**
 * Tiles of `tileFramePx` frame pixels, `columns` × `rows`, for the `range` detector: the frame scaled so one
 * tile is that detector's input (as searchLayout scales it for DEFAULTS.search.tileShare), then the grid.
 */
function tiled(name: string, range: DetectorRange, tileFramePx: number, columns: number, rows: number, description: string): SearchStrategy {
  return {
    name, description,
    view: (w, h) => scaledView(w, h, INPUT_PX[range] / tileFramePx),
    calls: (view) => grid(view.width, view.height, INPUT_PX[range], columns, rows).map((region) => ({ range, region })),
  };
}

const STRATEGIES: readonly SearchStrategy[] = [
  { name: 'near 320×180', description: 'close range on the whole frame scaled to 320×180 (the search before full range)', view: viewOfLongSide(320), calls: () => [{ range: 'near' }] },
  { name: 'near 640×360', description: 'close range on the whole frame scaled to 640×360', view: viewOfLongSide(640), calls: () => [{ range: 'near' }] },
  { name: 'far whole', description: 'full range on the whole 1280×720 frame (MediaPipe scales it to its input)', view: (w, h) => scaledView(w, h, 1), calls: () => [{ range: 'far' }] },
  tiled('far 2×1 of 720', 'far', 720, 2, 1, 'full range on 2×1 tiles of 720 frame pixels (a 341×192 view)'),
  {
    name: 'far 3×2 of 480', description: "full range on searchTiles of searchLayout (512×288 view, 3×2 tiles of 192 = 480 frame pixels): the extension's tiles",
    view: searchLayout, calls: (view) => searchTiles(view.width, view.height).map((region) => ({ range: 'far', region })),
  },
  tiled('far 4×3 of 360', 'far', 360, 4, 3, 'full range on 4×3 tiles of 360 frame pixels (a 683×384 view)'),
  tiled('near 5×3 of 320', 'near', 320, 5, 3, 'close range on 5×3 tiles of 320 frame pixels (a 512×288 view)'),
  {
    name: 'extension search', description: "the analyser's search with every tile (as for a photo): close range on the whole 512×288 view and full range on its 3×2 tiles, merged",
    view: searchLayout, calls: (view) => [{ range: 'near' }, ...searchTiles(view.width, view.height).map((region): DetectorCall => ({ range: 'far', region }))],
  },
];

/**
 * The follow cell of a face `box` (fractions of a `width` × `height` picture) at `x`, `y`: followLayouts'
 * cell, in its arithmetic, with cropScale and cellPx as given.
 */
function followCell(box: Box, width: number, height: number, cropScale: number, cellPx: number, x: number, y: number): ViewCell {
  const sidePx = cropScale * Math.max(box.width * width, box.height * height);
  const centre = centreOf(box);
  const square = { x: centre.x - sidePx / width / 2, y: centre.y - sidePx / height / 2, width: sidePx / width, height: sidePx / height };
  const left = Math.max(square.x, 0);
  const top = Math.max(square.y, 0);
  const source = { x: left, y: top, width: Math.min(square.x + square.width, 1) - left, height: Math.min(square.y + square.height, 1) - top };
  return {
    source, x, y,
    width: Math.max(1, Math.round((cellPx * source.width) / square.width)), height: Math.max(1, Math.round((cellPx * source.height) / square.height)),
  };
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const toFound = ({ box, score }: Detection): Found => ({ box, score });

/** The bench: both detectors and the pictures Node has sent. */
class SearchBench implements SearchBenchApi {
  readonly strategies = STRATEGIES.map(({ name, description }) => ({ name, description }));
  readonly #finders: Record<DetectorRange, FaceFinder>;
  readonly #pictures = new Map<string, ImageBitmap>();

  constructor(finders: Record<DetectorRange, FaceFinder>) {
    this.#finders = finders;
    // The grids of the other tilings are spread as searchTiles spreads the extension's: check it on its own.
    const view = searchLayout(1280, 720);
    if (!sameJson(grid(view.width, view.height, INPUT_PX.far, 3, 2), searchTiles(view.width, view.height))) {
      throw new Error('grid() no longer spreads tiles as searchTiles does: the tilings compared would not be alike');
    }
  }

  async load(key: string, png: string): Promise<{ width: number; height: number }> {
    const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    this.#pictures.get(key)?.close();
    this.#pictures.set(key, bitmap);
    return { width: bitmap.width, height: bitmap.height };
  }

  unload(key: string): void {
    this.#pictures.get(key)?.close();
    this.#pictures.delete(key);
  }

  search(key: string, repeats: number): SearchRun[] {
    const frame = this.#picture(key);
    return STRATEGIES.map((strategy) => {
      const layout = strategy.view(frame.width, frame.height);
      const image = paintView(frame, frame.width, frame.height, layout);
      const calls = strategy.calls(layout);
      const runs = Array.from({ length: repeats }, () => this.#timed(() => calls.flatMap(({ range, region }) => this.#finders[range].detect(image, region))));
      const cell = layout.cells[0]!;
      const inFrame = (box: Box): Box => {
        const a = viewToFrame(box, cell, frame.width, frame.height);
        const b = viewToFrame({ x: box.x + box.width, y: box.y + box.height }, cell, frame.width, frame.height);
        return { x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y };
      };
      // Tiles overlap, so a face may be found twice: merged as the analyser's #search merges them.
      const merge = (found: Detection[]) => (calls.length > 1 ? suppressDuplicates([...found].sort((a, b) => b.score - a.score), (d) => d.box, DEFAULTS.detector.suppressionIou) : found);
      const first = merge(runs[0]!.value);
      return {
        strategy: strategy.name,
        found: first.map((d) => ({ box: inFrame(d.box), score: d.score })),
        ms: runs.map((r) => r.ms),
        calls: calls.length,
        stable: runs.every((r) => merge(r.value).length === first.length),
      };
    });
  }

  mosaic(faces: readonly MosaicFace[], options: { cropScale: number; cellPx: number; columns: number; range: DetectorRange }, repeats: number): MosaicRun {
    const { cropScale, cellPx, columns, range } = options;
    const rows = Math.ceil(faces.length / columns);
    const canvas = new OffscreenCanvas(columns * cellPx, rows * cellPx);
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.fillStyle = 'black';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const cells = faces.map(({ picture, box }, i) => {
      const source = this.#picture(picture);
      const fractions = { x: box.x / source.width, y: box.y / source.height, width: box.width / source.width, height: box.height / source.height };
      const cell = followCell(fractions, source.width, source.height, cropScale, cellPx, (i % columns) * cellPx, Math.floor(i / columns) * cellPx);
      const alone = { ...cell, x: 0, y: 0 };
      if (cropScale === DEFAULTS.follow.cropScale && cellPx === DEFAULTS.follow.cellPx
        && !sameJson(followLayouts([fractions], source.width, source.height)[0]?.cells[0], alone)) {
        throw new Error("followCell() no longer lays out a cell as followLayouts does: the mosaics measured would not be the extension's");
      }
      // Each cell painted on its own (faces come from different pictures), as paintView paints a cell of a mosaic.
      ctx.putImageData(paintView(source, source.width, source.height, { kind: 'follow', width: cellPx, height: cellPx, cells: [alone] }), cell.x, cell.y);
      return cell;
    });
    const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const runs = Array.from({ length: repeats }, () => this.#timed(() => this.#finders[range].detect(image)));
    const first = runs[0]!.value;
    return {
      width: canvas.width, height: canvas.height, cells, found: first.map(toFound),
      ms: runs.map((r) => r.ms), stable: runs.every((r) => r.value.length === first.length),
    };
  }

  listFaces(key: string, tilePx: number): Found[] {
    const picture = this.#picture(key);
    const image = paintView(picture, picture.width, picture.height, scaledView(picture.width, picture.height, 1));
    const side = Math.min(tilePx, picture.width, picture.height);
    const count = (length: number) => Math.ceil(Math.max(0, length - side) / (side / 2)) + 1;
    const tiles = grid(picture.width, picture.height, side, count(picture.width), count(picture.height));
    const found = tiles.flatMap((region) => this.#finders.far.detect(image, region));
    return suppressDuplicates([...found].sort((a, b) => b.score - a.score), (d) => d.box, DEFAULTS.detector.suppressionIou).map(toFound);
  }

  #picture(key: string): ImageBitmap {
    const picture = this.#pictures.get(key);
    if (!picture) throw new Error(`no picture ${key} loaded`);
    return picture;
  }

  /** `work`'s value and its wall time, ms. */
  #timed<T>(work: () => T): { value: T; ms: number } {
    const started = performance.now();
    const value = work();
    return { value, ms: performance.now() - started };
  }
}

const resolveUrl = (path: string) => new URL(path, location.origin).href;
window.emofaceSearch = Promise.all([FaceFinder.create(resolveUrl, 'near'), FaceFinder.create(resolveUrl, 'far')])
  .then(([near, far]) => new SearchBench({ near, far }));
