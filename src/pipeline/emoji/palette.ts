/**
 * The emoji emoface has artwork for: faces, hand-over-face monkeys, animal faces and a few characters,
 * each bundled from @twemoji/svg (vite.config.ts copies them, and fails the build when one is missing).
 * Built-in sets use only these; a custom set picks its Unicode emoji from them.
 */
const RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1f600, 0x1f64f], // Emoticons: faces, cat faces, monkeys
  [0x1f910, 0x1f92f], // supplemental faces (zipper-mouth … exploding head)
  [0x1f970, 0x1f97a], // smiling face with hearts … pleading face
  [0x1fae0, 0x1fae8], // melting face … shaking face
];
const SINGLES = [
  0x2639, 0x263a, 0x1f9d0, 0x1f47b, 0x1f47d, 0x1f480, 0x1f4a9, 0x1f916, // frowning, smiling, monocle, ghost, alien, skull, poo, robot
  0x1f421, // blowfish (puffed cheeks)
  0x1f431, 0x1f436, 0x1f43b, 0x1f43c, 0x1f438, 0x1f435, 0x1f42f, 0x1f430, 0x1f437, 0x1f428, 0x1f98a, 0x1f981, 0x1f984, // animal faces
];

/** Every emoji of the palette, in code point order. */
export const PALETTE: readonly string[] = [
  ...RANGES.flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => from + i)),
  ...SINGLES,
].sort((a, b) => a - b).filter((c, i, all) => all.indexOf(c) === i).map((c) => String.fromCodePoint(c));

const PALETTE_SET = new Set(PALETTE.map((e) => e.replace(/\uFE0F/g, '')));

/** Whether emoface has artwork for `emoji` (a variation selector 16 is ignored). */
export function hasArtwork(emoji: string): boolean {
  return PALETTE_SET.has(emoji.replace(/\uFE0F/g, ''));
}
