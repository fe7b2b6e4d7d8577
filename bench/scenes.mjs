// The benchmark's scenes: real photos with 1, 3 and 5 faces at 640×480 and 1280×720, as JPEG bytes.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { GRACE_HOPPER } from '../scripts/browser-harness.mjs';

const require = createRequire(import.meta.url);
const demo = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
const SIZES = [[640, 480], [1280, 720]];
/** Photos and the faces a person counts in them; the group photos come with @vladmandic/face-api. */
export const PHOTOS = [
  { name: '1 face', faces: 1, path: GRACE_HOPPER },
  { name: '3 faces', faces: 3, path: join(demo, 'sample1.jpg') },
  { name: '5 faces', faces: 5, path: join(demo, 'sample5.jpg') },
];

/** [{name, faces, width, height, jpeg}] */
export async function buildScenes() {
  const scenes = [];
  for (const [width, height] of SIZES) {
    for (const photo of PHOTOS) {
      scenes.push({ ...photo, width, height, jpeg: await sharp(photo.path).resize(width, height, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer() });
    }
  }
  return scenes;
}
