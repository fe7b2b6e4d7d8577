// A camera clip from real face photos, for Chromium's --use-file-for-fake-video-capture (which loops it).
// No registry package ships a talking-face video, so this makes one with ffmpeg: each photo fills the
// frame, drifts slowly (a hand-held camera) and turns a few degrees back and forth (head roll).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const FACE_API_DEMO = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');

/** Real photos by number of faces: Debian's Grace Hopper and astronaut (one face each), face-api's sample1 (three). */
export const FACE_PHOTOS = {
  1: ['/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg', '/usr/lib/python3/dist-packages/skimage/data/astronaut.png'],
  3: [join(FACE_API_DEMO, 'sample1.jpg')],
};

/** Degrees of head roll at the clip's extremes. */
const ROLL_DEGREES = 6;

/**
 * The path of a .y4m (yuv420p) clip of `seconds` at `width`×`height` and `fps`, showing `faces` real faces,
 * made once and cached in the temp folder. Each photo gets an equal share of the clip.
 * @param {{width?: number, height?: number, fps?: number, seconds?: number, faces?: 1 | 3}} options
 */
export function makeFaceVideo({ width = 640, height = 480, fps = 30, seconds = 4, faces = 1 } = {}) {
  const photos = FACE_PHOTOS[faces];
  if (!photos) throw new RangeError(`makeFaceVideo: faces must be 1 or 3, got ${faces}`);
  for (const photo of photos) if (!existsSync(photo)) throw new Error(`makeFaceVideo: ${photo} is missing (apt-get install python-matplotlib-data python3-skimage; npm install)`);
  const folder = join(tmpdir(), 'emoface-camera');
  mkdirSync(folder, { recursive: true });
  const out = join(folder, `faces${faces}-${width}x${height}-${fps}fps-${seconds}s.y4m`);
  if (existsSync(out)) return out;
  const share = seconds / photos.length;
  const roll = (ROLL_DEGREES * Math.PI) / 180;
  // Each photo: cover a frame 12 % larger than the output, turn it, then cut the output from a drifting window.
  const chains = photos.map((_, i) => `[${i}:v]scale=${Math.round(width * 1.12)}:${Math.round(height * 1.12)}:force_original_aspect_ratio=increase,`
    + `crop=${Math.round(width * 1.12)}:${Math.round(height * 1.12)},`
    + `rotate=${roll.toFixed(4)}*sin(2*PI*t/${share.toFixed(3)}):fillcolor=black,`
    + `crop=${width}:${height}:(iw-ow)/2+(iw-ow)/3*sin(2*PI*t/${(share * 1.3).toFixed(3)}):(ih-oh)/2+(ih-oh)/3*cos(2*PI*t/${(share * 1.7).toFixed(3)}),`
    + `fps=${fps},format=yuv420p,setsar=1[v${i}]`);
  const graph = `${chains.join(';')};${photos.map((_, i) => `[v${i}]`).join('')}concat=n=${photos.length}:v=1:a=0[out]`;
  const inputs = photos.flatMap((photo) => ['-loop', '1', '-t', String(share), '-i', photo]);
  const temporary = `${out}.${process.pid}.tmp.y4m`;
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...inputs, '-filter_complex', graph, '-map', '[out]', '-r', String(fps), '-pix_fmt', 'yuv420p', temporary]);
  renameSync(temporary, out);
  return out;
}
