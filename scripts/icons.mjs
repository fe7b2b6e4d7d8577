// Renders icons/emoface.svg to the PNG sizes the manifest and the store ask for (icons/icon-<size>.png).
//   node scripts/icons.mjs
import sharp from 'sharp';
import { readFileSync } from 'node:fs';

// The sizes manifest.config.ts names.
const ICON_SIZES = [16, 32, 48, 128];
const svg = readFileSync(new URL('../icons/emoface.svg', import.meta.url));
for (const size of ICON_SIZES) {
  await sharp(svg, { density: (72 * size) / 128 * 4 }).resize(size, size).png({ compressionLevel: 9 }).toFile(new URL(`../icons/icon-${size}.png`, import.meta.url).pathname);
}
console.log(`wrote icons/icon-{${ICON_SIZES.join(',')}}.png`);
