// Which of the room clip's faces (demo/roomScene.mjs) the other side of a call sees covered by an emoji:
// the remote frame's burned-in counter says which clip frame it shows, so each face is checked where that
// frame has it. Shared by the room's end-to-end test and `npm run bench`'s room scene.
import { decodeFrameCounter, ENTERING, frameCounterRegions, roomFacesAt } from './roomScene.mjs';

/**
 * The fills of the faces set's emoji (Twemoji): yellow, and the red of 😡 and 🤬 and the green of 🤢,
 * which have no yellow. Over a face box grown GROWTH times, an emoji drawn on the face (render.scale ×
 * its larger side, centred) fills 0.51–0.84 of it, 😱 0.24 (measured on the SVGs at 135 px over a
 * 100-px face); on the remote side of a call the covered faces' medians were 0.52–0.69, and with no
 * extension every bare face of the clip filled at most 0.01 of its box.
 */
const EMOJI_FILLS = [[255, 204, 77], [218, 47, 71], [119, 178, 85]];
/** A face counts as covered when EMOJI_FILLS fill at least this much of its grown box. */
export const COVERED_FILL = 0.2;
/** Face boxes are grown this much about their centre: the extension's detector draws its own box, not MediaPipe full range's. */
const GROWTH = 1.2;

function grown(box, factor) {
  const [width, height] = [box.width * factor, box.height * factor];
  return { x: box.x + (box.width - width) / 2, y: box.y + (box.height - height) / 2, width, height };
}

/**
 * The newest remote frame of the demo call on `page`, held while its counter and then its faces are read:
 * {frameIndex, faces: [{id, heightPx, fill}]}, or null when its counter cannot be read.
 */
export async function lookAtRemote(page) {
  const levels = await page.evaluate(
    (regions) => (window.emofaceCall.holdRemote() ? window.emofaceCall.brightness(regions, { which: 'held' }) : null),
    frameCounterRegions(),
  );
  const frameIndex = levels && decodeFrameCounter(levels);
  if (frameIndex === null) return null;
  const faces = roomFacesAt(frameIndex);
  const fills = await page.evaluate(({ boxes, colors }) => boxes.map((region) => colors.reduce(
    (sum, rgb) => sum + (window.emofaceCall.colorFraction(rgb, { which: 'held', region }) ?? 0), 0,
  )), { boxes: faces.map((face) => grown(face.box, GROWTH)), colors: EMOJI_FILLS });
  return { frameIndex, faces: faces.map((face, i) => ({ id: face.id, heightPx: face.heightPx, fill: fills[i] })) };
}

/**
 * Each face's samples in `looks` and how many of them covered it: {heightPx, present, covered, fills} by
 * face id. The entering face's first `entryFrames` after its cut are judged by entryDelays instead.
 */
export function coverageByFace(looks, entryFrames) {
  const byFace = new Map();
  for (const look of looks) {
    for (const face of look.faces) {
      if (ENTERING.ids.includes(face.id) && look.frameIndex - ENTERING.fromFrame < entryFrames) continue;
      const entry = byFace.get(face.id) ?? { heightPx: face.heightPx, present: 0, covered: 0, fills: [] };
      entry.present++;
      if (face.fill >= COVERED_FILL) entry.covered++;
      entry.fills.push(face.fill);
      byFace.set(face.id, entry);
    }
  }
  return byFace;
}

/**
 * For each pass through the clip that sampled a frame before the entering face's cut and enough frames
 * after it to judge (`entryFrames`): how many clip frames after the cut its first covering sample came
 * (Infinity: none did within them). A pass ends where the frame index goes back (the camera looped the clip).
 */
export function entryDelays(looks, entryFrames) {
  const passes = [];
  for (const look of looks) {
    const pass = passes.at(-1);
    if (pass && look.frameIndex >= pass.at(-1).frameIndex) pass.push(look);
    else passes.push([look]);
  }
  const delays = [];
  for (const pass of passes) {
    const after = pass.filter((look) => look.frameIndex >= ENTERING.fromFrame);
    if (!pass.some((look) => look.frameIndex < ENTERING.fromFrame) || after.length === 0) continue;
    const covering = after.find((look) => look.faces.filter((face) => ENTERING.ids.includes(face.id)).every((face) => face.fill >= COVERED_FILL));
    if (covering) delays.push(covering.frameIndex - ENTERING.fromFrame);
    else if (after.at(-1).frameIndex >= ENTERING.fromFrame + entryFrames) delays.push(Infinity);
  }
  return delays;
}
