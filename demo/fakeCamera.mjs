// A camera clip from real face photos, for Chromium's --use-file-for-fake-video-capture (which loops it).
// No registry package ships a talking-face video, so this makes one with ffmpeg. Motion 'drift': each
// photo fills the frame, drifts slowly (a hand-held camera) and turns a few degrees back and forth (head
// roll). Motion 'move': the photo, its upper part in the frame, travels across a blurred copy of itself
// (a head moving in front of a still background) and rolls the same way. makeRoomVideo: a meeting
// room of small, distant faces (demo/roomScene.mjs).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOM, roomFilterGraph } from './roomScene.mjs';

const FACE_API_DEMO = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');

/** Real photos by number of faces: Debian's Grace Hopper and astronaut (one face each), face-api's sample1 (three). */
export const FACE_PHOTOS = {
  1: ['/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg', '/usr/lib/python3/dist-packages/skimage/data/astronaut.png'],
  3: [join(FACE_API_DEMO, 'sample1.jpg')],
};

/** Degrees of head roll at the clip's extremes. */
const ROLL_DEGREES = 6;

/** How the face moves in the clip: see the comment at the top. */
export const MOTIONS = ['drift', 'move'];

/**
 * Motion 'move'. The photo is scaled to fit a box of `fit` frame widths × heights (taller than the
 * frame, for larger faces; narrower, so that a group's outer faces stay in frame) and hangs from `top`
 * frame heights (its lower part, bodies, is cut off; the faces, in the upper half of every photo, are
 * not). It travels `horizontal` frame widths each side of the centre with a period of `periodSeconds`,
 * and `vertical` frame heights up and down twice as often. At the centre it moves 2π × 0.15 / 4 ≈ 0.24
 * frame widths a second: at 16:9 about one face width a second for Grace Hopper (her face ≈ 0.22 frame
 * widths wide), 1.4 for the astronaut (≈ 0.17). Unlike 'drift', which covers the frame and pans the
 * crop, this keeps the face in frame: at 1280×720, covering already cuts the astronaut's face off.
 */
export const MOVE = Object.freeze({ fit: { width: 0.85, height: 1.3 }, top: -0.05, horizontal: 0.15, vertical: 0.04, periodSeconds: 4 });

/**
 * The path of a .y4m (yuv420p) clip of `seconds` at `width`×`height` and `fps`, showing `faces` real faces
 * moving as `motion` says (default 'drift'), made once and cached in the temp folder. Each photo gets an
 * equal share of the clip. 'move' shows the first photo only, so that the face moves without ever jumping
 * to another's place, over a whole number of its motion's periods (the looped clip does not jump either),
 * the nearest to MOVE.periodSeconds: give it that long to keep the speed MOVE describes. `photos`, when
 * given, are shown instead of FACE_PHOTOS[faces].
 * @param {{width?: number, height?: number, fps?: number, seconds?: number, faces?: 1 | 3, motion?: 'drift' | 'move', photos?: string[]}} options
 */
export function makeFaceVideo({ width = 640, height = 480, fps = 30, seconds = 4, faces = 1, motion = 'drift', photos: own = null } = {}) {
  if (!own && !FACE_PHOTOS[faces]) throw new RangeError(`makeFaceVideo: faces must be 1 or 3, got ${faces}`);
  const chosen = own ?? FACE_PHOTOS[faces];
  const photos = motion === 'move' ? chosen.slice(0, 1) : chosen;
  if (!MOTIONS.includes(motion)) throw new RangeError(`makeFaceVideo: motion must be ${MOTIONS.join(' or ')}, got ${motion}`);
  for (const photo of photos) if (!existsSync(photo)) throw new Error(`makeFaceVideo: ${photo} is missing (apt-get install python-matplotlib-data python3-skimage; npm install)`);
  const share = seconds / photos.length;
  const roll = (ROLL_DEGREES * Math.PI) / 180;
  const chains = photos.map((_, i) => (motion === 'drift' ? driftChain : moveChain)({ i, width, height, fps, share, roll }));
  const graph = `${chains.join(';')};${photos.map((_, i) => `[v${i}]`).join('')}concat=n=${photos.length}:v=1:a=0[out]`;
  const inputs = photos.flatMap((photo) => ['-loop', '1', '-t', String(share), '-i', photo]);
  return cachedClip(`${own ? 'photos' : `faces${faces}`}-${width}x${height}-${fps}fps-${seconds}s-${motion}`, [...inputs, '-filter_complex', graph, '-map', '[out]', '-r', String(fps)]);
}

/**
 * The path of the 'room' clip, a .y4m (yuv420p) of ROOM.frames frames at ROOM.width×ROOM.height and
 * ROOM.fps (demo/roomScene.mjs: people 2–5 m away, one group sliding, one person entering halfway, a
 * frame counter), made once and cached in the temp folder.
 */
export function makeRoomVideo() {
  const { photos, graph } = roomFilterGraph();
  const paths = photos.map((photo) => join(FACE_API_DEMO, photo));
  for (const path of paths) if (!existsSync(path)) throw new Error(`makeRoomVideo: ${path} is missing (npm install)`);
  return cachedClip(`room-${ROOM.width}x${ROOM.height}`, [
    ...paths.flatMap((path) => ['-i', path]), '-filter_complex', graph, '-map', '[out]', '-frames:v', String(ROOM.frames), '-r', String(ROOM.fps),
  ]);
}

/**
 * For Firefox, whose fake camera cannot play a file (demo/firefox.mjs plays the clip in the page): the
 * .y4m `clip` as a looping-friendly VP8 WebM beside it (same name, .webm; a key frame every second, high
 * quality), made once by ffmpeg unless it exists and is newer than the clip. Returns its path.
 * @param {string} clip
 */
export function webmOf(clip) {
  const out = clip.replace(/\.y4m$/, '') + '.webm';
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(clip).mtimeMs) return out;
  const temporary = `${out}.${process.pid}.tmp.webm`;
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', clip, '-an', '-c:v', 'libvpx', '-deadline', 'good', '-cpu-used', '4',
    '-crf', '8', '-b:v', '6M', '-g', '30', '-auto-alt-ref', '0', '-pix_fmt', 'yuv420p', temporary]);
  renameSync(temporary, out);
  return out;
}

/**
 * The path of <temp>/emoface-camera/`name`-<digest of args>.y4m, made by ffmpeg with `args` (inputs, graph,
 * output options) unless it exists: a clip whose making changed is made anew.
 */
function cachedClip(name, args) {
  const folder = join(tmpdir(), 'emoface-camera');
  mkdirSync(folder, { recursive: true });
  const digest = createHash('sha256').update(args.join('\n')).digest('hex').slice(0, 12);
  const out = join(folder, `${name}-${digest}.y4m`);
  if (existsSync(out)) return out;
  // Written aside and renamed: a run stopped halfway leaves no clip that looks finished.
  const temporary = `${out}.${process.pid}.tmp.y4m`;
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args, '-pix_fmt', 'yuv420p', temporary]);
  renameSync(temporary, out);
  return out;
}

/**
 * 'drift': cover a frame 12 % larger than the output, turn it, then cut the output from a drifting window.
 * What covering cuts off a taller photo is cut a quarter from its top, three quarters from its bottom:
 * portraits have the face in their upper half (cut evenly, the astronaut lost her forehead and eyes at
 * 16:9, and the clip showed half a face half of the time).
 */
function driftChain({ i, width, height, fps, share, roll }) {
  return `[${i}:v]scale=${Math.round(width * 1.12)}:${Math.round(height * 1.12)}:force_original_aspect_ratio=increase,`
    + `crop=${Math.round(width * 1.12)}:${Math.round(height * 1.12)}:(iw-ow)/2:(ih-oh)/4,`
    + `rotate=${roll.toFixed(4)}*sin(2*PI*t/${share.toFixed(3)}):fillcolor=black,`
    + `crop=${width}:${height}:(iw-ow)/2+(iw-ow)/3*sin(2*PI*t/${(share * 1.3).toFixed(3)}):(ih-oh)/2+(ih-oh)/3*cos(2*PI*t/${(share * 1.7).toFixed(3)}),`
    + `fps=${fps},format=yuv420p,setsar=1[v${i}]`;
}

/**
 * 'move': the photo, framed as MOVE says and turned as in 'drift', slides over a still, blurred copy of
 * itself that covers the frame.
 */
function moveChain({ i, width, height, fps, share, roll }) {
  const period = share / Math.max(1, Math.round(share / MOVE.periodSeconds));
  // fps first: the motion is evaluated at every output frame, not at the still input's 25 fps.
  return `[${i}:v]fps=${fps},split[still${i}][photo${i}];`
    + `[still${i}]scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height},boxblur=24:2,format=yuv420p[back${i}];`
    + `[photo${i}]scale=${Math.round(MOVE.fit.width * width)}:${Math.round(MOVE.fit.height * height)}:force_original_aspect_ratio=decrease,format=rgba,`
    + `rotate=${roll.toFixed(4)}*sin(2*PI*t/${share.toFixed(3)}):ow=rotw(${roll.toFixed(4)}):oh=roth(${roll.toFixed(4)}):fillcolor=none[front${i}];`
    + `[back${i}][front${i}]overlay=x=(W-w)/2+${(MOVE.horizontal * width).toFixed(1)}*sin(2*PI*t/${period.toFixed(3)})`
    + `:y=${(MOVE.top * height).toFixed(1)}+${(MOVE.vertical * height).toFixed(1)}*cos(4*PI*t/${period.toFixed(3)}):eval=frame:format=yuv420,`
    + `format=yuv420p,setsar=1[v${i}]`;
}
