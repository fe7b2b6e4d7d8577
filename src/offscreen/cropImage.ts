import type { Box } from '../pipeline/types';

/** The pixels of `region` (whole pixels inside `image`) as an image of their own. */
export function cropImage(image: ImageData, region: Box): ImageData {
  const out = new ImageData(region.width, region.height);
  for (let row = 0; row < region.height; row++) {
    const from = ((region.y + row) * image.width + region.x) * 4;
    out.data.set(image.data.subarray(from, from + region.width * 4), row * region.width * 4);
  }
  return out;
}
