// The 'room' camera clip (demo/fakeCamera.mjs makeRoomVideo): a meeting room seen from a laptop, people
// 2–5 m away, faces 40–90 px tall in a 1280×720 frame (with a laptop camera's ~70° field of view, a
// 22-cm face is 90 px tall at 2.2 m and 40 px at 5 m). Cropped real group photos stand on a blurred,
// darkened backdrop: two people at the back (faces 40 and 47 px), two in the middle who slide ±60 px
// over the clip (55 and 61 px), one in front (90 px), and one who enters by a cut halfway through
// (50 px). A binary frame counter in the bottom-left corner tells a receiver which clip frame it sees,
// even after a WebRTC round trip has rescaled it. Pure data and maths: the ffmpeg graph, the faces on
// each frame and the counter's decoding all come from the constants below.
//
// Six faces at most, the analyser's DEFAULTS.analysis.maxFaces, so that what the clip tests is the
// faces' size, not that cap. The photos are @vladmandic/face-api's demo group photos; each face box is
// in the original photo's pixels, measured with MediaPipe's full-range face detector on tiles of the
// full-resolution photo (score ≥ 0.85). No crop holds any other face, whole or in part.

/** Which frames show what, in the clip's pixels; faces' boxes are in their photo's original pixels. */
export const ROOM = deepFreeze({
  width: 1280,
  height: 720,
  fps: 30,
  /** 8 s: one period of the middle group's slide, so the looped clip does not jump. */
  frames: 240,
  /** A face-free corner of sample1.jpg (a dark wall), blurred past recognition, covering the frame. */
  backdrop: { photo: 'sample1.jpg', crop: { x: 0, y: 0, width: 640, height: 360 }, blurPx: 24, brightness: -0.08 },
  /**
   * Each group: a crop of a photo, scaled so that its smallest face is `smallestFacePx` tall, its
   * top-left corner at `at` (even pixels: yuv420p places pictures at even x). `slide`: it moves
   * ±amplitudePx horizontally, a sine of the clip's period. `fromFrame`: it appears by a cut on that frame.
   */
  groups: [
    {
      id: 'back', photo: 'sample4.jpg', crop: { x: 880, y: 40, width: 740, height: 720 }, smallestFacePx: 40, at: { x: 560, y: 110 },
      faces: [{ id: 'back-left', box: { x: 944, y: 208, width: 203, height: 203 } }, { id: 'back-right', box: { x: 1280, y: 206, width: 172, height: 172 } }],
    },
    {
      id: 'middle', photo: 'sample6.jpg', crop: { x: 1000, y: 200, width: 900, height: 800 }, smallestFacePx: 55, at: { x: 160, y: 250 },
      slide: { amplitudePx: 60 },
      faces: [{ id: 'middle-left', box: { x: 1156, y: 400, width: 222, height: 222 } }, { id: 'middle-right', box: { x: 1471, y: 312, width: 246, height: 246 } }],
    },
    {
      id: 'front', photo: 'sample3.jpg', crop: { x: 900, y: 60, width: 500, height: 1000 }, smallestFacePx: 90, at: { x: 860, y: 300 },
      faces: [{ id: 'front', box: { x: 1060, y: 259, width: 240, height: 240 } }],
    },
    {
      id: 'entering', photo: 'sample5.jpg', crop: { x: 1330, y: 260, width: 540, height: 740 }, smallestFacePx: 50, at: { x: 1080, y: 70 },
      fromFrame: 120,
      faces: [{ id: 'entering', box: { x: 1357, y: 408, width: 257, height: 257 } }],
    },
  ],
  /**
   * The frame counter: a row of square cells, black or white, from `at` (the strip's top-left corner).
   * Left to right: a white and a black reference, the frame index's `bits` bits from the highest, and an
   * even-parity bit. Cells of whole 16-px codec blocks (32 px, on the 16-px grid) keep sharp edges
   * through compression, and are still 16 px if the call halves the frame.
   */
  counter: { at: { x: 16, y: 672 }, cellPx: 32, bits: 9 },
});

const enteringGroup = ROOM.groups.find((group) => group.fromFrame !== undefined);

/** The faces that enter the room: their ids, and the frame (and second) of the cut that shows them. */
export const ENTERING = deepFreeze({
  ids: enteringGroup.faces.map((face) => face.id), fromFrame: enteringGroup.fromFrame, fromSeconds: enteringGroup.fromFrame / ROOM.fps,
});

/**
 * The target faces on clip frame `frameIndex` (taken modulo ROOM.frames, as the camera loops the clip):
 * each face's id, its box in fractions of the frame, and its height in pixels at 1280×720.
 * @param {number} frameIndex
 * @returns {{id: string, box: {x: number, y: number, width: number, height: number}, heightPx: number}[]}
 */
export function roomFacesAt(frameIndex) {
  const frame = ((frameIndex % ROOM.frames) + ROOM.frames) % ROOM.frames;
  return ROOM.groups.filter((group) => frame >= (group.fromFrame ?? 0)).flatMap((group) => {
    const { width, height } = scaledSize(group);
    const [scaleX, scaleY] = [width / group.crop.width, height / group.crop.height];
    const left = groupLeft(group, frame);
    return group.faces.map(({ id, box }) => ({
      id,
      box: {
        x: (left + (box.x - group.crop.x) * scaleX) / ROOM.width,
        y: (group.at.y + (box.y - group.crop.y) * scaleY) / ROOM.height,
        width: (box.width * scaleX) / ROOM.width,
        height: (box.height * scaleY) / ROOM.height,
      },
      heightPx: box.height * scaleY,
    }));
  });
}

/**
 * The ffmpeg filter graph of the clip: its inputs are the photos in `photos` (file names in
 * @vladmandic/face-api's demo folder, each given once with -i, in that order); its output, [out], is
 * ROOM.frames yuv420p frames at ROOM.fps.
 * @returns {{photos: string[], graph: string}}
 */
export function roomFilterGraph() {
  const { backdrop, groups, frames, fps, width, height } = ROOM;
  const photos = [backdrop.photo, ...groups.map((group) => group.photo)];
  // Each input is one still picture: the backdrop is looped to the clip's length, and overlay repeats
  // each group's single frame (its default at the end of a secondary input).
  const chains = [
    `[0:v]crop=${cropArguments(backdrop.crop)},scale=${width}:${height},boxblur=${backdrop.blurPx}:2,`
      + `eq=brightness=${backdrop.brightness},format=yuv420p,loop=loop=${frames - 1}:size=1,setpts=N/${fps}/TB[room0]`,
    ...groups.map((group, i) => {
      const { width: w, height: h } = scaledSize(group);
      return `[${i + 1}:v]crop=${cropArguments(group.crop)},scale=${w}:${h},format=yuv420p[${group.id}]`;
    }),
    // `n`, the frame's number, rather than `t`: a cut on frame 120 must not depend on rounding 120/30.
    ...groups.map((group, i) => {
      const x = group.slide ? `'${group.at.x}+2*floor(${group.slide.amplitudePx}*sin(2*PI*n/${frames})/2)'` : group.at.x;
      const enable = group.fromFrame !== undefined ? `:enable='gte(n,${group.fromFrame})'` : '';
      return `[room${i}][${group.id}]overlay=x=${x}:y=${group.at.y}:eval=frame${enable}[room${i + 1}]`;
    }),
    `[room${groups.length}]${frameCounterFilter()},format=yuv420p,setsar=1[out]`,
  ];
  return { photos, graph: chains.join(';') };
}

/** A group's picture size in the clip, even (yuv420p) and from its smallest face's height. */
function scaledSize(group) {
  const scale = group.smallestFacePx / Math.min(...group.faces.map((face) => face.box.height));
  return { width: 2 * Math.round((group.crop.width * scale) / 2), height: 2 * Math.round((group.crop.height * scale) / 2) };
}

/** A group's left edge on `frame`, in pixels: the same formula as its overlay's x in the graph. */
function groupLeft(group, frame) {
  if (!group.slide) return group.at.x;
  return group.at.x + 2 * Math.floor((group.slide.amplitudePx * Math.sin((2 * Math.PI * frame) / ROOM.frames)) / 2);
}

function cropArguments({ x, y, width, height }) {
  return `${width}:${height}:${x}:${y}`;
}

/** What each counter cell shows, left to right (see ROOM.counter). */
const COUNTER_CELLS = deepFreeze([
  { shows: 'white' },
  { shows: 'black' },
  ...Array.from({ length: ROOM.counter.bits }, (_, i) => ({ shows: 'bit', bit: ROOM.counter.bits - 1 - i })),
  { shows: 'parity' },
]);

/**
 * The ffmpeg filters (a comma-separated chain) that draw the frame counter on each frame, its index the
 * frame's number in the chain's input (`n`): a black strip, then a white box on each cell that is 1.
 */
export function frameCounterFilter() {
  const { at, cellPx } = ROOM.counter;
  const bitExpression = (bit) => `mod(floor(n/${2 ** bit}),2)`;
  const expressions = COUNTER_CELLS.map((cell) => {
    if (cell.shows === 'white') return '1';
    if (cell.shows === 'black') return null;
    if (cell.shows === 'bit') return bitExpression(cell.bit);
    return `mod(${COUNTER_CELLS.filter((c) => c.shows === 'bit').map((c) => bitExpression(c.bit)).join('+')},2)`;
  });
  const strip = `drawbox=x=${at.x}:y=${at.y}:w=${cellPx * COUNTER_CELLS.length}:h=${cellPx}:color=black:t=fill`;
  const cells = expressions.flatMap((expression, i) => (expression === null ? [] : [
    `drawbox=x=${at.x + i * cellPx}:y=${at.y}:w=${cellPx}:h=${cellPx}:color=white:t=fill:enable='${expression}'`,
  ]));
  return [strip, ...cells].join(',');
}

/**
 * What the counter shows on frame `frameIndex`: 1 (white) or 0 (black) per cell, left to right; the
 * same values the filters of frameCounterFilter draw.
 * @param {number} frameIndex
 * @returns {(0 | 1)[]}
 */
export function encodeFrameCounter(frameIndex) {
  const bitOf = (bit) => Math.floor(frameIndex / 2 ** bit) % 2;
  const parity = COUNTER_CELLS.filter((cell) => cell.shows === 'bit').reduce((sum, cell) => sum + bitOf(cell.bit), 0) % 2;
  return COUNTER_CELLS.map((cell) => {
    if (cell.shows === 'white') return 1;
    if (cell.shows === 'black') return 0;
    return cell.shows === 'bit' ? bitOf(cell.bit) : parity;
  });
}

/**
 * Where to read each counter cell, left to right, in fractions of the frame: the cell's middle half
 * (its edges blur in compression and rescaling).
 * @returns {{x: number, y: number, width: number, height: number}[]}
 */
export function frameCounterRegions() {
  const { at, cellPx } = ROOM.counter;
  return COUNTER_CELLS.map((_, i) => ({
    x: (at.x + i * cellPx + cellPx / 4) / ROOM.width,
    y: (at.y + cellPx / 4) / ROOM.height,
    width: cellPx / 2 / ROOM.width,
    height: cellPx / 2 / ROOM.height,
  }));
}

/**
 * The frame index that cells of these mean brightnesses (0–255, in frameCounterRegions' order) show,
 * or null when they cannot be read: references less than 64 apart, a cell nearer the middle between
 * them than a quarter of their distance, a parity error, or an index past the clip's end.
 * @param {readonly number[]} levels
 * @returns {number | null}
 */
export function decodeFrameCounter(levels) {
  if (levels.length !== COUNTER_CELLS.length) return null;
  const white = levels[COUNTER_CELLS.findIndex((cell) => cell.shows === 'white')];
  const black = levels[COUNTER_CELLS.findIndex((cell) => cell.shows === 'black')];
  if (white - black < 64) return null;
  const middle = (white + black) / 2;
  if (levels.some((level) => Math.abs(level - middle) < (white - black) / 4)) return null;
  const values = levels.map((level) => (level > middle ? 1 : 0));
  let index = 0;
  let ones = 0;
  COUNTER_CELLS.forEach((cell, i) => {
    if (cell.shows === 'bit') index += values[i] * 2 ** cell.bit;
    if (cell.shows === 'bit' || cell.shows === 'parity') ones += values[i];
  });
  return ones % 2 === 0 && index < ROOM.frames ? index : null;
}

function deepFreeze(value) {
  if (value && typeof value === 'object') for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}
