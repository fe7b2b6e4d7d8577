/** The 'room' clip's geometry (demo/roomScene.mjs) and its frame counter, drawn by ffmpeg and read back. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  decodeFrameCounter, encodeFrameCounter, ENTERING, frameCounterFilter, frameCounterRegions, ROOM, roomFacesAt, type Box,
} from '../../demo/roomScene.mjs';
import { DEFAULTS } from '../../src/pipeline/defaults';

const FRAMES = Array.from({ length: ROOM.frames }, (_, i) => i);

/** `box` (fractions of the frame) in pixels, grown `factor` times about its centre. */
function inPixels(box: Box, factor = 1): Box {
  const [width, height] = [box.width * ROOM.width * factor, box.height * ROOM.height * factor];
  return { x: (box.x + box.width / 2) * ROOM.width - width / 2, y: (box.y + box.height / 2) * ROOM.height - height / 2, width, height };
}

function overlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

const COUNTER_STRIP: Box = {
  x: ROOM.counter.at.x, y: ROOM.counter.at.y, width: ROOM.counter.cellPx * frameCounterRegions().length, height: ROOM.counter.cellPx,
};

describe('the room scene', () => {
  it('shows 4 to maxFaces target faces on every frame, each 40–90 px tall and inside the frame', () => {
    for (const frame of FRAMES) {
      const faces = roomFacesAt(frame);
      expect(faces.length).toBeGreaterThanOrEqual(4);
      expect(faces.length).toBeLessThanOrEqual(DEFAULTS.analysis.maxFaces);
      for (const { id, box, heightPx } of faces) {
        expect(heightPx, id).toBeGreaterThanOrEqual(40);
        expect(heightPx, id).toBeLessThanOrEqual(91);
        expect(Math.min(box.x, box.y), id).toBeGreaterThanOrEqual(0);
        expect(Math.max(box.x + box.width, box.y + box.height), id).toBeLessThanOrEqual(1);
      }
    }
  });

  it('has faces of about 40, 60 and 90 px, and one of them sliding', () => {
    const heights = roomFacesAt(0).map((face) => Math.round(face.heightPx));
    expect(heights).toEqual([47, 40, 55, 61, 90]);
    const left = (frame: number) => roomFacesAt(frame).find((face) => face.id === 'middle-left')!.box.x * ROOM.width;
    expect(left(60) - left(0)).toBeCloseTo(60, 0);
    expect(left(180) - left(0)).toBeCloseTo(-60, 0);
  });

  it('shows the entering face from its cut to the end of the clip only', () => {
    expect(ENTERING).toEqual({ ids: ['entering'], fromFrame: 120, fromSeconds: 4 });
    for (const frame of FRAMES) {
      expect(roomFacesAt(frame).some((face) => face.id === 'entering'), `frame ${frame}`).toBe(frame >= ENTERING.fromFrame);
    }
  });

  it('loops without a jump: from each frame to the next (the last to the first too) faces move 2 px at most', () => {
    for (const frame of FRAMES) {
      const next = roomFacesAt(frame + 1);
      for (const face of roomFacesAt(frame)) {
        const after = next.find((other) => other.id === face.id);
        if (!after) continue; // the entering face, gone at the loop's cut
        expect(Math.round(Math.abs(after.box.x - face.box.x) * ROOM.width), `${face.id} at frame ${frame}`).toBeLessThanOrEqual(2);
        expect(after.box.y).toBe(face.box.y);
      }
    }
  });

  it('keeps every emoji (the face box\'s larger side × render.scale) clear of the others, the counter and the frame\'s edges', () => {
    for (const frame of FRAMES) {
      const emoji = roomFacesAt(frame).map((face) => inPixels(face.box, DEFAULTS.render.scale));
      emoji.forEach((square, i) => {
        expect(overlap(square, COUNTER_STRIP), `frame ${frame}`).toBe(false);
        expect(Math.min(square.x, square.y)).toBeGreaterThanOrEqual(0);
        expect(square.x + square.width).toBeLessThanOrEqual(ROOM.width);
        expect(square.y + square.height).toBeLessThanOrEqual(ROOM.height);
        for (const other of emoji.slice(i + 1)) expect(overlap(square, other), `frame ${frame}`).toBe(false);
      });
    }
  });
});

describe('the frame counter', () => {
  const levelsOf = (cells: readonly number[], white = 230, black = 25) => cells.map((cell) => (cell ? white : black));

  it('decodes what it encodes, for every frame of the clip', () => {
    for (const frame of FRAMES) expect(decodeFrameCounter(levelsOf(encodeFrameCounter(frame)))).toBe(frame);
  });

  it('reads nothing from a flipped cell, a grey cell, low contrast or an index past the clip', () => {
    const cells = encodeFrameCounter(150);
    cells.forEach((_, i) => {
      const flipped = cells.map((cell, j) => (j === i ? 1 - cell : cell));
      expect(decodeFrameCounter(levelsOf(flipped)), `cell ${i}`).toBeNull();
    });
    const grey = levelsOf(cells);
    grey[4] = 128;
    expect(decodeFrameCounter(grey)).toBeNull();
    expect(decodeFrameCounter(levelsOf(cells, 150, 110))).toBeNull();
    expect(decodeFrameCounter(levelsOf(encodeFrameCounter(ROOM.frames)))).toBeNull();
    expect(decodeFrameCounter([])).toBeNull();
  });

  it('is drawn by ffmpeg as encoded: each frame of a clip with the counter filter reads as its index', () => {
    const { at, cellPx } = ROOM.counter;
    const [stripWidth, stripHeight] = [COUNTER_STRIP.width, cellPx];
    const raw = execFileSync('ffmpeg', [
      '-loglevel', 'error', '-f', 'lavfi', '-i', `color=c=0x404040:s=${ROOM.width}x${ROOM.height}:r=${ROOM.fps}:d=${ROOM.frames / ROOM.fps}`,
      '-vf', `${frameCounterFilter()},crop=${stripWidth}:${stripHeight}:${at.x}:${at.y}`, '-frames:v', String(ROOM.frames),
      '-f', 'rawvideo', '-pix_fmt', 'gray', '-',
    ], { maxBuffer: 64 << 20 });
    const frameBytes = stripWidth * stripHeight;
    expect(raw.length).toBe(ROOM.frames * frameBytes);
    const read = FRAMES.map((frame) => decodeFrameCounter(frameCounterRegions().map((region) => {
      const [x0, y0] = [Math.round(region.x * ROOM.width) - at.x, Math.round(region.y * ROOM.height) - at.y];
      const [x1, y1] = [x0 + Math.round(region.width * ROOM.width), y0 + Math.round(region.height * ROOM.height)];
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += raw[frame * frameBytes + y * stripWidth + x]!;
      return sum / ((x1 - x0) * (y1 - y0));
    })));
    expect(read).toEqual(FRAMES);
  });
});
