import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { makeRoomVideo } from '../../demo/fakeCamera.mjs';
import { ENTERING, ROOM, roomFacesAt } from '../../demo/roomScene.mjs';
import { DEFAULTS } from '../../src/pipeline/defaults';
import type { Planes } from '../../src/pipeline/render/planarBlend';
import { blockLuma, planeBlockLuma, sceneChange, SearchScheduler } from '../../src/pipeline/schedule/searchScheduler';
import type { Box, Frame } from '../../src/pipeline/types';
import { searchLayout, searchTiles } from '../../src/pipeline/views';

const { width, height } = searchLayout(1280, 720);
const tiles = searchTiles(width, height);

/** A grey (90) search view with each of `squares` (view pixels) painted at its `level`, white (250) by default. */
function view(...squares: (Box & { level?: number })[]): Frame {
  const data = new Uint8ClampedArray(width * height * 4).fill(90);
  for (const square of squares) {
    for (let y = square.y; y < square.y + square.height; y++) data.fill(square.level ?? 250, (y * width + square.x) * 4, (y * width + square.x + square.width) * 4);
  }
  return { data, width, height };
}

/** The tiles that contain `square` whole. */
const holding = (square: Box) => tiles.map((t, i) => i).filter((i) => {
  const t = tiles[i]!;
  return square.x >= t.x && square.y >= t.y && square.x + square.width <= t.x + t.width && square.y + square.height <= t.y + t.height;
});

describe('SearchScheduler', () => {
  it('searches every tile at a stream\'s first search, then none while nothing changes, until they are due again', () => {
    const scheduler = new SearchScheduler();
    const still = blockLuma(view());
    const first = scheduler.choose(tiles, still, [], 0);
    expect(first).toEqual(tiles.map((_, i) => i));
    scheduler.searched(first, still, 0);
    for (let t = 400; t < DEFAULTS.search.tileRefreshMs; t += 400) {
      const chosen = scheduler.choose(tiles, still, [], t);
      expect(chosen, `${t} ms`).toEqual([]);
      scheduler.searched(chosen, still, t);
    }
    // Past tileRefreshMs: the tiles searched longest ago, at most maxTilesPerSearch at a time, until all are searched again.
    const again: number[] = [];
    for (let t = DEFAULTS.search.tileRefreshMs; again.length < tiles.length; t += 400) {
      const chosen = scheduler.choose(tiles, still, [], t);
      expect(chosen.length).toBeLessThanOrEqual(DEFAULTS.search.maxTilesPerSearch);
      expect(chosen.length).toBeGreaterThan(0);
      again.push(...chosen);
      scheduler.searched(chosen, still, t);
    }
    expect(again.sort()).toEqual(tiles.map((_, i) => i));
  });

  it('searches where someone walks in at the next search, and not where a known face moves', () => {
    const scheduler = new SearchScheduler();
    const still = blockLuma(view());
    scheduler.searched(scheduler.choose(tiles, still, [], 0), still, 0);
    // A person of 40 pixels at 720p (16 in the view) appears in the middle of the top right.
    const newcomer = { x: 430, y: 40, width: 32, height: 32 };
    const chosen = scheduler.choose(tiles, blockLuma(view(newcomer)), [], 400);
    expect(chosen.length).toBeGreaterThan(0);
    expect(chosen.some((i) => holding(newcomer).includes(i))).toBe(true);
    // Even when every other tile is due for its refresh, a changed tile comes first.
    const late = scheduler.choose(tiles, blockLuma(view(newcomer)), [], 400 + DEFAULTS.search.tileRefreshMs);
    expect(holding(newcomer)).toContain(late[0]);
    // A face lost where nothing changed is looked for again at the next search.
    const quiet = new SearchScheduler();
    quiet.searched(quiet.choose(tiles, still, [], 0), still, 0);
    expect(quiet.choose(tiles, still, [], 400, [newcomer])).toContain(holding(newcomer)[0]);
    // The same change under a face already known is not searched for.
    const fresh = new SearchScheduler();
    fresh.searched(fresh.choose(tiles, still, [], 0), still, 0);
    expect(fresh.choose(tiles, blockLuma(view(newcomer)), [{ x: 430, y: 40, width: 32, height: 32 }], 400)).toEqual([]);
  });

  it('says when a search left changed tiles unsearched, so that the next comes soon', () => {
    const scheduler = new SearchScheduler();
    const still = blockLuma(view());
    scheduler.searched(scheduler.choose(tiles, still, [], 0), still, 0);
    expect(scheduler.pending).toBe(false);
    // Three people appear far apart, in three tiles' own parts: two tiles a search, one left for the next.
    const people = [{ x: 20, y: 20, width: 32, height: 32 }, { x: 240, y: 20, width: 32, height: 32 }, { x: 460, y: 236, width: 32, height: 32 }];
    const crowded = blockLuma(view(...people));
    const first = scheduler.choose(tiles, crowded, [], 300);
    expect(first).toHaveLength(DEFAULTS.search.maxTilesPerSearch);
    expect(scheduler.pending).toBe(true);
    scheduler.searched(first, crowded, 300);
    const second = scheduler.choose(tiles, crowded, [], 600);
    scheduler.searched(second, crowded, 600);
    expect(people.every((person) => holding(person).some((i) => [...first, ...second].includes(i)))).toBe(true);
    expect(scheduler.pending).toBe(false);
  });

  it('keeps refreshing quiet tiles while others change at every search', () => {
    const scheduler = new SearchScheduler();
    const still = blockLuma(view());
    scheduler.searched(scheduler.choose(tiles, still, [], 0), still, 0);
    // Something moves in the top left tile at every search, in two places by turns.
    const refreshed = new Set<number>();
    for (let t = 400, n = 0; t <= 3 * DEFAULTS.search.tileRefreshMs; t += 400, n++) {
      const luma = blockLuma(view({ x: n % 2 ? 20 : 60, y: 20, width: 32, height: 32 }));
      const chosen = scheduler.choose(tiles, luma, [], t);
      chosen.forEach((i) => refreshed.add(i));
      scheduler.searched(chosen, luma, t);
    }
    expect([...refreshed].sort()).toEqual(tiles.map((_, i) => i));
  });

  it('searches a panning camera one tile at a time, and starts over when the view or the clock changes', () => {
    const scheduler = new SearchScheduler();
    const dark = blockLuma(view());
    scheduler.searched(scheduler.choose(tiles, dark, [], 0), dark, 0);
    const bright = blockLuma({ ...view(), data: new Uint8ClampedArray(width * height * 4).fill(200) });
    const first = scheduler.choose(tiles, bright, [], 400);
    expect(first).toHaveLength(1);
    scheduler.searched(first, bright, 400);
    expect(scheduler.choose(tiles, dark, [], 800)).toHaveLength(1);
    expect(scheduler.choose(tiles, dark, [], 300)).toHaveLength(tiles.length); // the clock went back: a new stream
  });

  it('looks first where a change is fresh, before a tile that drifted slowly since it was searched', () => {
    const scheduler = new SearchScheduler();
    const newcomer = { x: 430, y: 40, width: 32, height: 32 };
    const drifting = { x: 20, y: 20, width: 32, height: 32 };
    const still = blockLuma(view());
    scheduler.searched(scheduler.choose(tiles, still, [], 0), still, 0);
    // The newcomer's tiles are searched again at 300 ms (a face was lost there), the drifting one is not.
    scheduler.searched(scheduler.choose(tiles, still, [], 300, [newcomer]), still, 300);
    // A patch of wall brightens a little at each search (never by changeLevel since the previous one).
    const brighter = blockLuma(view({ ...drifting, level: 90 + 0.7 * DEFAULTS.search.changeLevel }));
    scheduler.searched(scheduler.choose(tiles, brighter, [], 600), brighter, 600);
    // Then someone walks in: their tile goes first, though the drifting one was searched longer ago.
    const chosen = scheduler.choose(tiles, blockLuma(view({ ...drifting, level: 90 + 1.4 * DEFAULTS.search.changeLevel }, newcomer)), [], 900);
    expect(holding(newcomer)).toContain(chosen[0]);
    expect(chosen.length).toBe(DEFAULTS.search.maxTilesPerSearch);
  });

  it('tells a still picture from one changed in a part, away from the people known, and from a moving camera', () => {
    const still = blockLuma(view());
    const newcomer = { x: 430, y: 40, width: 32, height: 32 };
    expect(sceneChange(blockLuma(view()), still, tiles, [])).toBe('still');
    expect(sceneChange(blockLuma(view(newcomer)), still, tiles, [])).toBe('local');
    // The same change where a known person is (their face just above it) is them moving.
    expect(sceneChange(blockLuma(view(newcomer)), still, tiles, [{ x: 430, y: 20, width: 32, height: 32 }])).toBe('still');
    expect(sceneChange(blockLuma(view({ x: 0, y: 0, width, height })), still, tiles, [])).toBe('moving');
  });

  it('measures brightness per block', () => {
    const luma = blockLuma(view({ x: 0, y: 0, width: 16, height: 16 }));
    expect(luma.columns).toBe(Math.ceil(width / DEFAULTS.search.blockPx));
    expect(luma.means[0]).toBeCloseTo(250, 0);
    expect(luma.means[1]).toBeCloseTo(90, 0);
  });

  it('on the room clip, reads the brightness of the frame\'s luma plane as that of its search view, and sees the newcomer come', () => {
    const frameAt = (frame: number, size: string, format: string) => execFileSync('ffmpeg', [
      '-loglevel', 'error', '-i', makeRoomVideo(), '-vf', `select=eq(n\\,${frame}),scale=${size}`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', format, '-',
    ], { maxBuffer: 1 << 26 });
    const planesAt = (frame: number): Planes => {
      const bytes = frameAt(frame, `${ROOM.width}:${ROOM.height}`, 'yuv420p');
      const lumaSize = ROOM.width * ROOM.height;
      const layout = [{ offset: 0, stride: ROOM.width }, { offset: lumaSize, stride: ROOM.width / 2 }, { offset: lumaSize * 1.25, stride: ROOM.width / 2 }];
      return { format: 'I420', width: ROOM.width, height: ROOM.height, data: new Uint8Array(bytes), layout };
    };
    const fromPlanes = (frame: number) => planeBlockLuma(planesAt(frame), false, { width, height });
    const before = ENTERING.fromFrame - 10;
    const fromView = blockLuma({ width, height, data: new Uint8ClampedArray(frameAt(before, `${width}:${height}`, 'rgba')) });
    const planeLuma = fromPlanes(before);
    expect([planeLuma.columns, planeLuma.rows]).toEqual([fromView.columns, fromView.rows]);
    const differences = planeLuma.means.map((mean, i) => Math.abs(mean - fromView.means[i]!)).sort();
    // Alike but for a few blocks where blacker-than-black codes meet the picture (a mean of clamped values
    // against a clamped mean) and for the view's scaling: change is judged plane against plane anyway.
    expect(differences[Math.floor(differences.length / 2)]).toBeLessThan(2);
    expect(differences[Math.floor(differences.length * 0.95)]).toBeLessThan(DEFAULTS.search.changeLevel / 2);
    // Searched just before the newcomer's cut, the picture after it changed where no known person is.
    const inView = (box: Box) => ({ x: box.x * width, y: box.y * height, width: box.width * width, height: box.height * height });
    const known = roomFacesAt(ENTERING.fromFrame).filter((face) => !ENTERING.ids.includes(face.id)).map((face) => inView(face.box));
    const cut = fromPlanes(ENTERING.fromFrame);
    expect(sceneChange(cut, fromPlanes(ENTERING.fromFrame - 1), tiles, known)).toBe('local');
    expect(sceneChange(cut, planeLuma, tiles, known)).toBe('local');
  });

  it('on the room clip, searches where the newcomer walks in at the first search after the cut, whenever the searches fall', () => {
    // The clip's frames as the search view sees them; the known faces are the clip's own, less the newcomer's.
    const clip = execFileSync('ffmpeg', ['-loglevel', 'error', '-i', makeRoomVideo(), '-vf', `scale=${width}:${height}`, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { maxBuffer: 1 << 28 });
    const frameBytes = width * height * 4;
    const lumaAt = (frame: number) => blockLuma({ width, height, data: new Uint8ClampedArray(clip.buffer, clip.byteOffset + frame * frameBytes, frameBytes) });
    const inView = (box: Box) => ({ x: box.x * width, y: box.y * height, width: box.width * width, height: box.height * height });
    const newcomer = roomFacesAt(ENTERING.fromFrame).find((face) => ENTERING.ids.includes(face.id))!;
    const newcomerTiles = holding(inView(newcomer.box));
    expect(newcomerTiles.length).toBeGreaterThan(0);
    const framesPerSearch = Math.round((DEFAULTS.search.intervalMs * ROOM.fps) / 1000);
    const ms = (frame: number) => (frame * 1000) / ROOM.fps;
    for (let phase = 0; phase < framesPerSearch; phase++) {
      const scheduler = new SearchScheduler();
      let frame = phase;
      for (; frame < ENTERING.fromFrame; frame += framesPerSearch) {
        const luma = lumaAt(frame);
        const known = roomFacesAt(frame).map((face) => inView(face.box));
        scheduler.searched(scheduler.choose(tiles, luma, known, ms(frame)), luma, ms(frame));
      }
      const known = roomFacesAt(frame).filter((face) => !ENTERING.ids.includes(face.id)).map((face) => inView(face.box));
      const chosen = scheduler.choose(tiles, lumaAt(frame), known, ms(frame));
      expect(chosen.some((i) => newcomerTiles.includes(i)), `searches from frame ${phase}, the first after the cut at ${frame}: tiles ${chosen}`).toBe(true);
    }
  });
});
