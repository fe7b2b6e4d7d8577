/** Real photos, models and data for the tests: all from installed packages or ../shared, nothing downloaded. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { Frame } from '../src/index.js';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(import.meta.url);
const FACE_API_DEMO = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

/** Photos with the number of faces a person counts in them. */
export const PHOTOS = {
  /** Grace Hopper, Debian python-matplotlib-data. */
  graceHopper: { path: '/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg', faces: 1 },
  /** Eileen Collins, Debian python3-skimage (PNG: decoded identically by every library). */
  astronaut: { path: '/usr/lib/python3/dist-packages/skimage/data/astronaut.png', faces: 1 },
  /** Group photos from @vladmandic/face-api's demo folder. */
  group3: { path: join(FACE_API_DEMO, 'sample1.jpg'), faces: 3 },
  group4: { path: join(FACE_API_DEMO, 'sample6.jpg'), faces: 4 },
  group5: { path: join(FACE_API_DEMO, 'sample5.jpg'), faces: 5 },
} as const;

export const MODELS = {
  front: join(REPO, 'vendor', 'blazeface', 'face_detection_front_128x128.onnx'),
  back: join(REPO, 'vendor', 'blazeface', 'face_detection_back_256x256.onnx'),
  expression: join(REPO, 'models', 'expression.onnx'),
  metadata: join(REPO, 'models', 'expression.json'),
} as const;

export const FER2013 = join(REPO, '..', 'shared', 'datasets', 'fer2013');
export const HAVE_FER2013 = existsSync(join(FER2013, 'test'));
export const PYTHON = join(REPO, 'training', '.venv', 'bin', 'python');

/** Decodes an image file to an upright RGBA frame. */
export async function loadFrame(path: string): Promise<Frame> {
  const { data, info } = await sharp(path).rotate().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

export const readModel = (path: string) => readFileSync(path);
