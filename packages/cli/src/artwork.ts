import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Image, loadImage } from '@napi-rs/canvas';
import sharp from 'sharp';
import type { EmojiSet } from '@emoface/core';
import { assertEmojiSet, EMOJI_SETS, twemojiName } from '@emoface/core';
import { CliError } from './errors.js';

/** Pixels per side the emoji artwork is rasterised at (then drawn scaled, with smoothing). */
const RASTER_SIZE = 512;
const TWEMOJI_DIR = dirname(createRequire(import.meta.url).resolve('@twemoji/svg/package.json'));

/** Twemoji's SVG file for a Unicode emoji (Twemoji drops U+FE0F from most names), or undefined. */
export function twemojiFile(emoji: string): string | undefined {
  for (const name of [twemojiName(emoji, true), twemojiName(emoji)]) {
    const file = join(TWEMOJI_DIR, `${name}.svg`);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** An emoji set plus, for entries that are image files, where they are. */
export interface LoadedEmojiSet {
  readonly set: EmojiSet;
  /** Entry → image file, for entries that are not Unicode emoji. */
  readonly images: ReadonlyMap<string, string>;
}

/**
 * A built-in set by name, or a JSON file {name, levels: {label: [entry…]}} whose entries are Unicode
 * emoji or image files (PNG, JPEG, WebP, SVG; relative to the JSON file).
 */
export function loadEmojiSet(nameOrFile: string, labels: readonly string[]): LoadedEmojiSet {
  const builtIn = EMOJI_SETS[nameOrFile];
  if (builtIn) return { set: builtIn, images: new Map() };
  if (!existsSync(nameOrFile)) {
    throw new CliError(`--emoji ${nameOrFile}: not a built-in set (${Object.keys(EMOJI_SETS).join(', ')}) nor a JSON file`);
  }
  let set: EmojiSet;
  try {
    set = JSON.parse(readFileSync(nameOrFile, 'utf8')) as EmojiSet;
    assertEmojiSet(set, labels);
  } catch (error) {
    throw new CliError(`--emoji ${nameOrFile}: ${(error as Error).message}`);
  }
  const images = new Map<string, string>();
  for (const entry of Object.values(set.levels).flat()) {
    if (twemojiFile(entry)) continue;
    const file = isAbsolute(entry) ? entry : resolve(dirname(nameOrFile), entry);
    if (!existsSync(file)) throw new CliError(`--emoji ${nameOrFile}: ${entry} is neither an emoji with artwork nor an image file`);
    images.set(entry, file);
  }
  return { set, images };
}

/** Rasterised artwork for every entry of a set, by entry, ready for drawImage. */
export async function loadArtwork(loaded: LoadedEmojiSet): Promise<Map<string, Image>> {
  const out = new Map<string, Image>();
  for (const entry of new Set(Object.values(loaded.set.levels).flat())) {
    const file = loaded.images.get(entry) ?? twemojiFile(entry);
    if (!file) throw new CliError(`emoji ${entry}: no artwork`);
    const bytes = readFileSync(file);
    const raster = file.endsWith('.svg')
      ? await sharp(bytes, { density: 72 * 16 }).resize(RASTER_SIZE, RASTER_SIZE, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } }).png().toBuffer()
      : bytes;
    out.set(entry, await loadImage(raster));
  }
  return out;
}
