import { twemojiName } from '../pipeline/emoji/emojiSets';
import { hasArtwork } from '../pipeline/emoji/palette';

/** Side of the emoji images sent to the page, px: sharp on a face filling a 720p frame. */
const ARTWORK_SIDE_PX = 256;
const PNG_DATA_URL = 'data:image/png;base64,';

/**
 * Each emoji (of the palette) rasterised from its bundled Twemoji SVG to a square PNG, base64, by emoji.
 * The page draws these: it cannot load extension files itself under the call site's CSP.
 */
export async function renderArtwork(emoji: readonly string[], resolveUrl: (path: string) => string): Promise<Record<string, string>> {
  // A document canvas, encoded synchronously: OffscreenCanvas.convertToBlob and canvas.toBlob can stay
  // pending for good in an offscreen document, which never renders (toBlob waits for idle time).
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = ARTWORK_SIDE_PX;
  const ctx = canvas.getContext('2d')!;
  const images: Record<string, string> = {};
  for (const one of emoji) {
    if (!hasArtwork(one)) throw new RangeError(`no artwork for ${one}: it is not in the palette`);
    const file = `emoji/twemoji/${twemojiName(one)}.svg`;
    const image = await loadImage(resolveUrl(file)).catch(() => {
      throw new Error(`no artwork for ${one} (${file})`);
    });
    ctx.clearRect(0, 0, ARTWORK_SIDE_PX, ARTWORK_SIDE_PX);
    ctx.drawImage(image, 0, 0, ARTWORK_SIDE_PX, ARTWORK_SIDE_PX);
    images[one] = canvas.toDataURL('image/png').slice(PNG_DATA_URL.length);
  }
  return images;
}

/** An image, once loaded (the load event: image.decode() can stay pending in a document that never renders). */
function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image(ARTWORK_SIDE_PX, ARTWORK_SIDE_PX);
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error(`${url} did not load`));
    image.src = url;
  });
}
