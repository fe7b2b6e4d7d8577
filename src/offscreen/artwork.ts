import { emojiOfSet, twemojiName, type EmojiSet } from '../pipeline/emoji/emojiSets';
import { bytesToBase64 } from '../pipeline/transport';

/** Side of the emoji images sent to the page, px: sharp on a face filling a 720p frame. */
const ARTWORK_SIDE_PX = 256;

/**
 * Every emoji of `set` rasterised from its bundled Twemoji SVG to a square PNG, base64, by emoji. The
 * page draws these: it cannot load extension files itself under the call site's CSP.
 */
export async function renderArtwork(set: EmojiSet, resolveUrl: (path: string) => string): Promise<Record<string, string>> {
  const canvas = new OffscreenCanvas(ARTWORK_SIDE_PX, ARTWORK_SIDE_PX);
  const ctx = canvas.getContext('2d')!;
  const images: Record<string, string> = {};
  for (const emoji of emojiOfSet(set)) {
    const image = new Image(ARTWORK_SIDE_PX, ARTWORK_SIDE_PX);
    image.src = resolveUrl(`emoji/twemoji/${twemojiName(emoji)}.svg`);
    await image.decode().catch(() => {
      throw new Error(`emoji set ${set.name}: no artwork for ${emoji} (emoji/twemoji/${twemojiName(emoji)}.svg)`);
    });
    ctx.clearRect(0, 0, ARTWORK_SIDE_PX, ARTWORK_SIDE_PX);
    ctx.drawImage(image, 0, 0, ARTWORK_SIDE_PX, ARTWORK_SIDE_PX);
    const png = await canvas.convertToBlob({ type: 'image/png' });
    images[emoji] = bytesToBase64(new Uint8Array(await png.arrayBuffer()));
  }
  return images;
}
