import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/pipeline/defaults';
import { centreOf } from '../../src/pipeline/math';
import { cellAt, followLayouts, searchLayout, searchTiles, viewToFrame } from '../../src/pipeline/views';

describe('the search view', () => {
  it('scales the frame so a tile is the far-range detector\'s input, never up', () => {
    expect(searchLayout(1280, 720)).toMatchObject({ kind: 'search', width: 512, height: 288 });
    expect(searchLayout(640, 480)).toMatchObject({ width: 384, height: 288 });
    expect(searchLayout(1920, 1080)).toMatchObject({ width: 512, height: 288 });
    expect(searchLayout(320, 180)).toMatchObject({ width: 320, height: 180 });
    expect(searchLayout(1280, 720).cells).toEqual([{ source: { x: 0, y: 0, width: 1, height: 1 }, x: 0, y: 0, width: 512, height: 288 }]);
  });

  it('covers the view with as few tiles as keep every smallest face whole in one of them', () => {
    const { width, height } = searchLayout(1280, 720);
    const tiles = searchTiles(width, height);
    expect(tiles).toHaveLength(6); // 3 × 2 at 16:9
    for (const tile of tiles) {
      expect(tile.width).toBe(DEFAULTS.search.detectorInputPx);
      expect(tile.x + tile.width).toBeLessThanOrEqual(width);
      expect(tile.y + tile.height).toBeLessThanOrEqual(height);
    }
    // A face of the smallest size searched for (1/18 of the frame's height), anywhere: whole in some tile.
    const face = Math.ceil((DEFAULTS.search.minTileOverlap * DEFAULTS.search.detectorInputPx));
    for (let x = 0; x + face <= width; x += 3) {
      for (let y = 0; y + face <= height; y += 3) {
        expect(tiles.some((t) => x >= t.x && y >= t.y && x + face <= t.x + t.width && y + face <= t.y + t.height), `${x}, ${y}`).toBe(true);
      }
    }
  });
});

describe('follow views', () => {
  const faces = [
    { x: 0.4, y: 0.3, width: 0.1, height: 0.2 },
    { x: 0.05, y: 0.1, width: 0.05, height: 0.08 },
    { x: 0.95, y: 0.9, width: 0.06, height: 0.1 },
  ];

  it('crops a square of the frame cropScale times each face\'s larger side, centred on it, into one cell each', () => {
    const [view] = followLayouts(faces, 1280, 720);
    expect(view).toMatchObject({ kind: 'follow', width: 2 * DEFAULTS.follow.cellPx, height: 2 * DEFAULTS.follow.cellPx });
    view!.cells.forEach((cell, i) => {
      const face = faces[i]!;
      const sidePx = DEFAULTS.follow.cropScale * Math.max(face.width * 1280, face.height * 720);
      // Only the part inside the frame is shown, at the square's scale (a face at the edge: a smaller cell).
      expect(cell.source.x).toBeGreaterThanOrEqual(0);
      expect(cell.source.x + cell.source.width).toBeLessThanOrEqual(1 + 1e-9);
      expect(cell.source.y + cell.source.height).toBeLessThanOrEqual(1 + 1e-9);
      expect((cell.source.width * 1280) / cell.width).toBeCloseTo(sidePx / DEFAULTS.follow.cellPx, 1);
      expect((cell.source.height * 720) / cell.height).toBeCloseTo(sidePx / DEFAULTS.follow.cellPx, 1);
      // The face's centre in the frame is where it lies in the cell.
      const centre = centreOf(face);
      const inCell = { x: cell.x + ((centre.x - cell.source.x) / cell.source.width) * cell.width, y: cell.y + ((centre.y - cell.source.y) / cell.source.height) * cell.height };
      expect(cellAt(view!, inCell)).toBe(cell);
      const inFrame = viewToFrame(inCell, cell, 1280, 720);
      expect(inFrame.x).toBeCloseTo(centre.x * 1280, 6);
      expect(inFrame.y).toBeCloseTo(centre.y * 720, 6);
    });
    // A face in the middle gets the whole square, cropScale times its larger side.
    expect(view!.cells[0]!.width).toBe(DEFAULTS.follow.cellPx);
    expect(view!.cells[0]!.source.width * 1280).toBeCloseTo(DEFAULTS.follow.cropScale * 0.2 * 720, 6);
    expect(view!.cells[2]!.width).toBeLessThan(DEFAULTS.follow.cellPx); // at the right edge
    expect(cellAt(view!, { x: view!.width - 1, y: view!.height - 1 })).toBeNull(); // the grid's fourth cell is empty
  });

  it('takes more views for more faces than a view holds, and none for none', () => {
    expect(followLayouts([], 1280, 720)).toEqual([]);
    const many = Array.from({ length: 9 }, (_, i) => ({ x: i / 10, y: 0.4, width: 0.05, height: 0.09 }));
    const views = followLayouts(many, 1280, 720);
    expect(views.map((v) => v.cells.length)).toEqual([DEFAULTS.follow.cellsPerView, DEFAULTS.analysis.maxFaces - DEFAULTS.follow.cellsPerView]);
  });
});
