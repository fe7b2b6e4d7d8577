/** Real photos and data for the unit tests: all from installed packages or ../shared, nothing downloaded. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const FACE_API_DEMO = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

/** Photos with the number of faces a person counts in them. */
export const PHOTOS = {
  /** Grace Hopper, Debian python-matplotlib-data. */
  graceHopper: { path: '/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg', faces: 1 },
  /** Eileen Collins, Debian python3-skimage (PNG: decoded identically by every library). */
  astronaut: { path: '/usr/lib/python3/dist-packages/skimage/data/astronaut.png', faces: 1 },
  /** A group photo from @vladmandic/face-api's demo folder. */
  group3: { path: join(FACE_API_DEMO, 'sample1.jpg'), faces: 3 },
} as const;

export const FER2013 = join(REPO, '..', 'shared', 'datasets', 'fer2013');
export const HAVE_FER2013 = existsSync(join(FER2013, 'test'));
export const PYTHON = join(REPO, 'training', '.venv', 'bin', 'python');

/** An RGBA frame, as the pipeline takes it. */
export interface RgbaFrame {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Decodes an image file to an upright RGBA frame. */
export async function loadFrame(path: string): Promise<RgbaFrame> {
  const { data, info } = await sharp(path).rotate().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
