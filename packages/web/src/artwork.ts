import { EMOJI_SETS, twemojiName } from '@emoface/core';

/**
 * Twemoji artwork for every emoji of the built-in sets, served by the app from /assets/emoji/.
 * Returns a lookup for drawOverlay: the image once it has loaded, else undefined (drawn as text).
 */
export function loadEmojiArtwork(): (emoji: string) => HTMLImageElement | undefined {
  const artwork = new Map<string, HTMLImageElement>();
  for (const emoji of new Set(Object.values(EMOJI_SETS).flatMap((set) => Object.values(set.levels).flat()))) {
    const image = new Image();
    image.src = `/assets/emoji/${twemojiName(emoji)}.svg`;
    artwork.set(emoji, image);
  }
  return (emoji) => {
    const image = artwork.get(emoji);
    return image?.complete && image.naturalWidth ? image : undefined;
  };
}
