import type { CustomEntry } from '../pipeline/emoji/customSets';
import { twemojiName } from '../pipeline/emoji/emojiSets';

/** An emoji set's entry drawn small on an extension page: its bundled Twemoji artwork, or its image. */
export function entryImage(entry: CustomEntry, imageAlt: string, side = 24): HTMLImageElement {
  const image = document.createElement('img');
  image.width = image.height = side;
  if ('emoji' in entry) {
    image.src = `/emoji/twemoji/${twemojiName(entry.emoji)}.svg`;
    image.alt = entry.emoji;
  } else {
    image.src = entry.image;
    image.alt = imageAlt;
  }
  return image;
}
