// The benchmark's scenes: real photos with 1, 3 and 7 faces at 640×480 and 1280×720, as JPEG bytes.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

const require = createRequire(import.meta.url);
const demo = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
const SIZES = [[640, 480], [1280, 720]];

async function collage(width, height) {
  // two group photos side by side: 3 + 4 faces
  const half = Math.floor(width / 2);
  const [a, b] = await Promise.all([join(demo, 'sample1.jpg'), join(demo, 'sample6.jpg')]
    .map((p) => sharp(p).resize(half, height, { fit: 'cover' }).toBuffer()));
  return sharp({ create: { width, height, channels: 3, background: '#000' } })
    .composite([{ input: a, left: 0, top: 0 }, { input: b, left: half, top: 0 }]).jpeg({ quality: 90 }).toBuffer();
}

/** [{name, faces, width, height, jpeg}] */
export async function buildScenes() {
  const scenes = [];
  for (const [width, height] of SIZES) {
    const cover = (path) => sharp(path).resize(width, height, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer();
    scenes.push({ name: '1 face', faces: 1, width, height, jpeg: await cover('/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg') });
    scenes.push({ name: '3 faces', faces: 3, width, height, jpeg: await cover(join(demo, 'sample1.jpg')) });
    scenes.push({ name: '7 faces', faces: 7, width, height, jpeg: await collage(width, height) });
  }
  return scenes;
}
