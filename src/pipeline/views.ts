/**
 * What the analyser is shown of a camera frame. A frame is too large to send whole at every analysis, and
 * a face two metres away is too small to find in a copy of it small enough to send often. So the page
 * sends views: a **search** view, the whole frame scaled so that the far-range detector, run over square
 * tiles of it, finds faces down to DEFAULTS.search.minFaceShare of the frame's height (sent a few times a
 * second), and **follow** views, mosaics of square crops around the faces already known, each scaled to one
 * cell (sent at every analysis: one detector call per mosaic finds its faces again, at a size where
 * alignment works as it does for a face close to the camera). Layouts are plain data; the page fills them with
 * pixels, the analyser reads detections back through them.
 */
import { DEFAULTS } from './defaults';
import { centreOf } from './math';
import type { Box, Point } from './types';

/** What a view is for: finding faces anywhere, or finding the known ones again around where they were. */
export type ViewKind = 'search' | 'follow';

/** A part of the frame in a view: `source` in fractions of the frame, drawn at `x`, `y` of the view at `width` × `height` pixels. */
export interface ViewCell {
  readonly source: Box;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A view's size in pixels and the parts of the frame it shows. */
export interface ViewLayout {
  readonly kind: ViewKind;
  readonly width: number;
  readonly height: number;
  readonly cells: readonly ViewCell[];
}

const WHOLE_FRAME: Box = { x: 0, y: 0, width: 1, height: 1 };

/**
 * The search view of a `frameWidth` × `frameHeight` frame: the whole frame scaled (never up) so that one
 * search tile, tileShare of its shorter side, is the detector's input size.
 */
export function searchLayout(frameWidth: number, frameHeight: number): ViewLayout {
  const { tileShare, detectorInputPx } = DEFAULTS.search;
  const scale = Math.min(1, detectorInputPx / (tileShare * Math.min(frameWidth, frameHeight)));
  const width = Math.max(1, Math.round(frameWidth * scale));
  const height = Math.max(1, Math.round(frameHeight * scale));
  return { kind: 'search', width, height, cells: [{ source: WHOLE_FRAME, x: 0, y: 0, width, height }] };
}

/**
 * The square tiles a search view is searched in (view pixels): side tileShare of the view's shorter side,
 * as few as cover it with neighbours overlapping by at least minTileOverlap of a side (so a face of the
 * smallest size searched for lies whole in one tile), spread evenly.
 */
export function searchTiles(width: number, height: number): Box[] {
  const { tileShare, minTileOverlap } = DEFAULTS.search;
  const side = Math.max(1, Math.round(tileShare * Math.min(width, height)));
  const starts = (length: number) => {
    if (length <= side) return [0];
    const count = Math.ceil((length - side) / (side * (1 - minTileOverlap))) + 1;
    return Array.from({ length: count }, (_, i) => Math.round((i * (length - side)) / (count - 1)));
  };
  return starts(height).flatMap((y) => starts(width).map((x) => ({ x, y, width: side, height: side })));
}

/**
 * The follow views for `faces` (boxes in fractions of a `frameWidth` × `frameHeight` frame; at most
 * DEFAULTS.analysis.maxFaces are taken): mosaics of up to cellsPerView square cells of cellPx, one per face,
 * each showing a square of the frame cropScale times the face's larger side, centred on it. None for no face.
 */
export function followLayouts(faces: readonly Box[], frameWidth: number, frameHeight: number): ViewLayout[] {
  const { cellPx, cropScale, cellsPerView } = DEFAULTS.follow;
  const shown = faces.slice(0, DEFAULTS.analysis.maxFaces);
  const layouts: ViewLayout[] = [];
  for (let first = 0; first < shown.length; first += cellsPerView) {
    const group = shown.slice(first, first + cellsPerView);
    const columns = Math.ceil(Math.sqrt(group.length));
    const rows = Math.ceil(group.length / columns);
    const cells = group.map((face, i): ViewCell => {
      const sidePx = cropScale * Math.max(face.width * frameWidth, face.height * frameHeight);
      const centre = centreOf(face);
      const square = { x: centre.x - sidePx / frameWidth / 2, y: centre.y - sidePx / frameHeight / 2, width: sidePx / frameWidth, height: sidePx / frameHeight };
      // The part of the square inside the frame, at the square's scale: a face at the frame's edge is not
      // shown beside a black band (the detector and the alignment see only the frame, as for any face).
      const source = intersect(square, WHOLE_FRAME) ?? square;
      return {
        source, x: (i % columns) * cellPx, y: Math.floor(i / columns) * cellPx,
        width: Math.max(1, Math.round((cellPx * source.width) / square.width)), height: Math.max(1, Math.round((cellPx * source.height) / square.height)),
      };
    });
    layouts.push({ kind: 'follow', width: columns * cellPx, height: rows * cellPx, cells });
  }
  return layouts;
}

/** The overlap of two boxes, or null when they do not overlap. */
function intersect(a: Box, b: Box): Box | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const width = Math.min(a.x + a.width, b.x + b.width) - x;
  const height = Math.min(a.y + a.height, b.y + b.height) - y;
  return width > 0 && height > 0 ? { x, y, width, height } : null;
}

/** The cell of `layout` a point of the view (pixels) lies in, or null (outside every cell). */
export function cellAt(layout: ViewLayout, point: Point): ViewCell | null {
  return layout.cells.find((c) => point.x >= c.x && point.x < c.x + c.width && point.y >= c.y && point.y < c.y + c.height) ?? null;
}

/** A point of `cell` (view pixels) in the pixels of the `frameWidth` × `frameHeight` frame. */
export function viewToFrame(point: Point, cell: ViewCell, frameWidth: number, frameHeight: number): Point {
  return {
    x: (cell.source.x + ((point.x - cell.x) / cell.width) * cell.source.width) * frameWidth,
    y: (cell.source.y + ((point.y - cell.y) / cell.height) * cell.source.height) * frameHeight,
  };
}
