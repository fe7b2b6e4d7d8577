import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Real face photos from installed packages, for benchmarks and tests (none is downloaded). */
export interface SamplePhoto {
  readonly name: string;
  readonly path: string;
  /** Faces a person counts in the photo. */
  readonly faces: number;
}

function faceApiDemo(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
  } catch {
    return undefined;
  }
}

/**
 * The sample photos that are present: @vladmandic/face-api's demo pictures (a dev dependency) and
 * Debian's python-matplotlib-data (grace_hopper.jpg) and python3-skimage (astronaut.png).
 */
export function samplePhotos(): SamplePhoto[] {
  const demo = faceApiDemo();
  const candidates: SamplePhoto[] = [
    { name: 'grace-hopper', path: '/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg', faces: 1 },
    { name: 'astronaut', path: '/usr/lib/python3/dist-packages/skimage/data/astronaut.png', faces: 1 },
    ...(demo ? [
      { name: 'group-3', path: join(demo, 'sample1.jpg'), faces: 3 },
      { name: 'group-3b', path: join(demo, 'sample3.jpg'), faces: 3 },
      { name: 'group-4', path: join(demo, 'sample6.jpg'), faces: 4 },
    ] : []),
  ];
  return candidates.filter((photo) => existsSync(photo.path));
}
