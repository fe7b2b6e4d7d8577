import { DEFAULTS } from '../defaults';
import { centreOf } from '../math';
import type { Planes } from '../render/planarBlend';
import type { Box, Frame } from '../types';

/** A search view's brightness in blocks of DEFAULTS.search.blockPx: mean luma (0..255) per block, row by row. */
export interface BlockLuma {
  readonly columns: number;
  readonly rows: number;
  readonly means: Float32Array;
}

/** The mean luma of each blockPx × blockPx block of `image` (RGBA; blocks at the right and bottom edges may be smaller). */
export function blockLuma(image: Frame, blockPx: number = DEFAULTS.search.blockPx): BlockLuma {
  const columns = Math.ceil(image.width / blockPx);
  const rows = Math.ceil(image.height / blockPx);
  const sums = new Float32Array(columns * rows);
  const counts = new Uint32Array(columns * rows);
  const { data, width, height } = image;
  for (let y = 0; y < height; y++) {
    const rowBlock = Math.floor(y / blockPx) * columns;
    for (let x = 0, i = y * width * 4; x < width; x++, i += 4) {
      const block = rowBlock + Math.floor(x / blockPx);
      // BT.601's luma weights in 256ths (close enough to tell change from no change).
      sums[block] = sums[block]! + ((data[i]! * 77 + data[i + 1]! * 150 + data[i + 2]! * 29) >> 8);
      counts[block] = counts[block]! + 1;
    }
  }
  return { columns, rows, means: sums.map((sum, i) => sum / counts[i]!) };
}

/** Frame pixels between the luma samples planeBlockLuma averages, each way (a block's mean needs no more). */
const PLANE_SAMPLE_STEP = 2;

/**
 * blockLuma of a `view` (its size) of the whole frame in `planes`, read from the frame's luma plane alone
 * (every PLANE_SAMPLE_STEP-th pixel each way), as 0..255 luma like blockLuma's (`fullRange`: the plane's
 * codes span 0..255, else 16..235): the page watches for change without making a view.
 */
export function planeBlockLuma(planes: Planes, fullRange: boolean, view: { width: number; height: number }, blockPx: number = DEFAULTS.search.blockPx): BlockLuma {
  const columns = Math.ceil(view.width / blockPx);
  const rows = Math.ceil(view.height / blockPx);
  const means = new Float32Array(columns * rows);
  const { data, width, height } = planes;
  const { offset, stride } = planes.layout[0]!;
  const blockWidth = (blockPx * width) / view.width;
  const blockHeight = (blockPx * height) / view.height;
  const [scale, shift] = fullRange ? [1, 0] : [255 / 219, 16];
  for (let row = 0; row < rows; row++) {
    const top = Math.floor(row * blockHeight);
    const bottom = Math.min(height, Math.floor((row + 1) * blockHeight));
    for (let column = 0; column < columns; column++) {
      const left = Math.floor(column * blockWidth);
      const right = Math.min(width, Math.floor((column + 1) * blockWidth));
      let sum = 0;
      let count = 0;
      for (let y = top; y < bottom; y += PLANE_SAMPLE_STEP) {
        for (let i = offset + y * stride + left, end = offset + y * stride + right; i < end; i += PLANE_SAMPLE_STEP) {
          sum += data[i]!;
          count++;
        }
      }
      // Codes beyond the range (a camera's blacker than black) count as its ends, as a view's RGB clamps them.
      means[row * columns + column] = count > 0 ? Math.min(255, Math.max(0, (sum / count - shift) * scale)) : 0;
    }
  }
  return { columns, rows, means };
}

/** How a camera's picture changed since a search: see sceneChange. */
export type SceneChange = 'still' | 'local' | 'moving';

/**
 * How a camera's picture changed from `reference` to `luma` (blockLuma of the same view), away from the
 * people at `faces` (view pixels): 'still' (no tile of `tiles` changed), 'local' (some did: a person may
 * have come), 'moving' (more than half did: the camera or the light moved, not a person).
 */
export function sceneChange(luma: BlockLuma, reference: BlockLuma, tiles: readonly Box[], faces: readonly Box[]): SceneChange {
  const masked = faceMask(luma, faces);
  const count = tiles.filter((tile) => changed(luma, reference.means, tile, masked)).length;
  return count === 0 ? 'still' : count > tiles.length / 2 ? 'moving' : 'local';
}

/**
 * Which of a search view's tiles the far-range detector looks in at each search of one camera stream. A
 * tile is searched when something in it changed since it was last searched (a block's brightness moved
 * by more than changeLevel, in at least changedBlocks blocks, away from the people already known, who
 * move all the time), or when it was last searched tileRefreshMs ago or more (a face may have turned
 * back to the camera without changing much, or a search missed it), at most maxTilesPerSearch at a
 * search, but every tile at a stream's first search. Changed tiles go first, those whose change is fresh
 * (new since the previous search, after a quiet spell) before those that change at every search (a
 * screen, a swaying plant, people the mask misses), then those searched longest ago; one place is kept
 * for a tile due for its refresh. A still room costs almost no searching, a person who walks in is
 * looked for at the next search, and a camera that pans (most tiles changed since the previous search)
 * is searched one tile at a time. Time is the camera's (`timestampMs`, ms); the scheduler reads no clock.
 */
export class SearchScheduler {
  /** Each tile's blocks' brightness when it was last searched (null: never), and when. */
  #reference: (Float32Array | null)[] = [];
  #searchedMs: number[] = [];
  /** The whole view's brightness at the previous search, and for how many searches in a row each tile has changed since the one before. */
  #previous: Float32Array | null = null;
  #changingFor: number[] = [];
  #layout = '';
  #pending = false;

  /**
   * Whether the latest choice left tiles that changed (or hold a lost face) unsearched, beyond the tiles
   * due only for their refresh: the stream's next search should come soon, though its picture may look
   * unchanged since this search to whoever compares with it (the page does).
   */
  get pending(): boolean {
    return this.#pending;
  }

  /**
   * The tiles (indices into `tiles`, boxes in view pixels) to search in a view whose brightness is
   * `luma`, with the known faces at `faces` (view pixels), at `timestampMs`. A tile where one of `lost`
   * (faces held without a detection, view pixels) is counts as changed: the face may be there still.
   */
  choose(tiles: readonly Box[], luma: BlockLuma, faces: readonly Box[], timestampMs: number, lost: readonly Box[] = []): number[] {
    const layout = `${luma.columns}x${luma.rows}:${tiles.map((t) => `${t.x},${t.y},${t.width}`).join(';')}`;
    if (layout !== this.#layout || timestampMs < Math.max(...this.#searchedMs.filter(Number.isFinite), -Infinity)) {
      // A new view size, or a camera restarted: start over.
      this.#layout = layout;
      this.#reference = tiles.map(() => null);
      this.#searchedMs = tiles.map(() => -Infinity);
      this.#previous = null;
      this.#changingFor = tiles.map(() => 0);
    }
    const { tileRefreshMs, maxTilesPerSearch } = DEFAULTS.search;
    const masked = faceMask(luma, faces);
    const previous = this.#previous;
    const recent = tiles.map((tile) => previous !== null && changed(luma, previous, tile, masked));
    this.#changingFor = recent.map((now, i) => (now ? this.#changingFor[i]! + 1 : 0));
    this.#previous = luma.means;
    const never = tiles.map((_, i) => i).filter((i) => this.#reference[i] === null);
    this.#pending = false;
    if (never.length > 0) return never;
    const holdsLost = (tile: Box) => lost.some((face) => {
      const { x, y } = centreOf(face);
      return x >= tile.x && x < tile.x + tile.width && y >= tile.y && y < tile.y + tile.height;
    });
    const moved = tiles.map((tile, i) => holdsLost(tile) || changed(luma, this.#reference[i]!, tile, masked));
    // Most of the view changed since the previous search: the camera moved (a hand-held laptop) or the
    // light did, not a person who walked in; the tiles are gone through one at a time.
    const limit = recent.filter(Boolean).length > tiles.length / 2 ? 1 : maxTilesPerSearch;
    const oldestFirst = (a: number, b: number) => this.#searchedMs[a]! - this.#searchedMs[b]!;
    // A change that began at this search or the one before, after a quiet spell, before all others: a tile
    // changing at every search (or that drifted slowly since it was searched) may hold nothing new.
    const fresh = (i: number) => this.#changingFor[i]! >= 1 && this.#changingFor[i]! <= 2;
    const freshFirst = (a: number, b: number) => Number(fresh(b)) - Number(fresh(a)) || oldestFirst(a, b);
    const indices = tiles.map((_, i) => i);
    const changedTiles = indices.filter((i) => moved[i]).sort(freshFirst);
    const dueTiles = indices.filter((i) => !moved[i] && timestampMs - this.#searchedMs[i]! >= tileRefreshMs).sort(oldestFirst);
    // Changed tiles first, but one place is kept for a tile due for its refresh, so that tiles changing at
    // every search (a person the mask misses) cannot keep the quiet ones from theirs.
    const changedTaken = changedTiles.slice(0, dueTiles.length > 0 ? Math.max(1, limit - 1) : limit);
    const chosen = [...changedTaken, ...dueTiles].slice(0, limit);
    this.#pending = changedTiles.some((i) => !chosen.includes(i));
    return chosen;
  }

  /** The tiles `searched` were searched at `timestampMs` in a view whose brightness was `luma`. */
  searched(searched: readonly number[], luma: BlockLuma, timestampMs: number): void {
    for (const i of searched) {
      this.#reference[i] = luma.means;
      this.#searchedMs[i] = timestampMs;
    }
  }
}

/**
 * Blocks where a known face's person is: from half a face above the face to four faces below it, one face
 * width to each side (head, shoulders, body). They are left out when looking for change: a known person
 * moving is not a new face, and a new one there is found at the tile's refresh.
 */
function faceMask(luma: BlockLuma, faces: readonly Box[]): Uint8Array {
  const mask = new Uint8Array(luma.columns * luma.rows);
  const { blockPx } = DEFAULTS.search;
  for (const face of faces) {
    const left = Math.max(0, Math.floor((face.x - face.width) / blockPx));
    const right = Math.min(luma.columns - 1, Math.floor((face.x + 2 * face.width) / blockPx));
    const top = Math.max(0, Math.floor((face.y - face.height / 2) / blockPx));
    const bottom = Math.min(luma.rows - 1, Math.floor((face.y + 5 * face.height) / blockPx));
    for (let row = top; row <= bottom; row++) mask.fill(1, row * luma.columns + left, row * luma.columns + right + 1);
  }
  return mask;
}

/** Whether at least changedBlocks unmasked blocks of `tile` moved by more than changeLevel from `reference`. */
function changed(luma: BlockLuma, reference: Float32Array, tile: Box, masked: Uint8Array): boolean {
  const { blockPx, changeLevel, changedBlocks } = DEFAULTS.search;
  let count = 0;
  for (let row = Math.floor(tile.y / blockPx); row < Math.min(luma.rows, Math.ceil((tile.y + tile.height) / blockPx)); row++) {
    for (let column = Math.floor(tile.x / blockPx); column < Math.min(luma.columns, Math.ceil((tile.x + tile.width) / blockPx)); column++) {
      const block = row * luma.columns + column;
      if (!masked[block] && Math.abs(luma.means[block]! - reference[block]!) > changeLevel && ++count >= changedBlocks) return true;
    }
  }
  return false;
}
