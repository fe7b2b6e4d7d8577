/**
 * Emoji sets the user makes: per label, one to three entries from calm to intense, each a Unicode emoji
 * (drawn from the bundled Twemoji artwork) or an image the user chose (kept as a normalised PNG).
 * Stored in chrome.storage.local under CUSTOM_SETS_KEY; exported and imported as one JSON file with the
 * images inlined. Everything read from storage or a file is checked here, with a message naming the
 * problem, before anything uses it.
 */
import { GESTURES, type Gesture } from '../gestures/gestureReader';
import { localized, type Localized, type MessageArg, type MessageKey } from '../i18n';
import type { EmojiSet } from './emojiSets';
import { hasArtwork } from './palette';

/** One entry: a Unicode emoji, or an image as a `data:image/png;base64,` URL. */
export type CustomEntry = { readonly emoji: string } | { readonly image: string };

/** A set the user made. */
export interface CustomSet {
  /** Key of the set: [a-z0-9-], unique among the user's sets. */
  readonly id: string;
  /** Name the user gave it. */
  readonly title: string;
  /** Entries by label, calm to intense. */
  readonly levels: Readonly<Record<string, readonly CustomEntry[]>>;
  /** One entry for each gesture the set shows (a set made before gestures has none). */
  readonly gestures?: Readonly<Partial<Record<Gesture, CustomEntry>>>;
}

/** The key of the user's sets in chrome.storage.local: `{version: 1, sets: CustomSet[]}`. */
export const CUSTOM_SETS_KEY = 'customSets';
/** What `settings.emojiSet` holds for a custom set: this prefix and the set's id. */
export const CUSTOM_PREFIX = 'custom:';
/** The `format` of an exported set file. */
export const SET_FILE_FORMAT = 'emoface-emoji-set/1';

/** How big the user's sets may be (characters of stored JSON, bytes of a file, px). */
export const CUSTOM_LIMITS = {
  /** An image file as chosen, before it is normalised. */
  imageFileBytes: 2 * 1024 * 1024,
  /** A stored image (PNG data URL), after normalising. */
  storedImageChars: 200_000,
  /** A whole set as stored (JSON). */
  setChars: 2_000_000,
  /** Every set together (chrome.storage.local holds 10 MB). */
  totalChars: 8_000_000,
  sets: 20,
  levelsPerLabel: 3,
  titleChars: 40,
  /** Side of a normalised image, px. */
  imageSidePx: 256,
} as const;

const PNG_DATA_URL = 'data:image/png;base64,';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A problem with a set, a file or an image: a message naming what is wrong, for the user's language. */
export class SetProblem extends Error {
  override name = 'SetProblem';
  readonly problem: Localized;

  constructor(key: MessageKey, ...args: MessageArg[]) {
    super(key);
    this.problem = localized(key, ...args);
  }
}

/** The settings value that selects custom set `id`. */
export const customSetName = (id: string) => `${CUSTOM_PREFIX}${id}`;

/** The id in a settings value that selects a custom set, or null for a built-in set's name. */
export function customSetId(name: string): string | null {
  return name.startsWith(CUSTOM_PREFIX) ? name.slice(CUSTOM_PREFIX.length) : null;
}

/** True for a settings value naming a custom set (whether or not it still exists). */
export const isCustomSetName = (value: string) => /^custom:[a-z0-9-]{1,40}$/.test(value);

/** Checks one set (from storage or a file); returns it typed, with only the known fields, or throws SetProblem. */
export function parseCustomSet(value: unknown, labels: readonly string[]): CustomSet {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new SetProblem('setNotObject');
  const { id, title, levels, gestures } = value as Record<string, unknown>;
  if (typeof id !== 'string' || !/^[a-z0-9-]{1,40}$/.test(id)) throw new SetProblem('setBadId', String(JSON.stringify(id)).slice(0, 50));
  const name = typeof title === 'string' ? title.trim() : '';
  if (name.length === 0 || name.length > CUSTOM_LIMITS.titleChars) throw new SetProblem('setBadName', String(CUSTOM_LIMITS.titleChars));
  if (levels === null || typeof levels !== 'object' || Array.isArray(levels)) throw new SetProblem('setBadLevels', name);
  const checked: Record<string, CustomEntry[]> = {};
  for (const label of labels) {
    const list = (levels as Record<string, unknown>)[label];
    if (!Array.isArray(list) || list.length === 0) throw new SetProblem('setLabelMissing', name, label, String(CUSTOM_LIMITS.levelsPerLabel));
    if (list.length > CUSTOM_LIMITS.levelsPerLabel) throw new SetProblem('setTooManyEntries', name, label, String(list.length), String(CUSTOM_LIMITS.levelsPerLabel));
    checked[label] = list.map((entry, level) => parseEntry(entry, name, label, level));
  }
  const set: CustomSet = { id, title: name, levels: checked, ...(gestures === undefined ? {} : { gestures: parseGestures(gestures, name) }) };
  const size = JSON.stringify(set).length;
  if (size > CUSTOM_LIMITS.setChars) throw new SetProblem('setTooBig', name, kB(size), kB(CUSTOM_LIMITS.setChars));
  return set;
}

/** A set's gesture entries: an object of gesture → entry, each a known gesture. */
function parseGestures(value: unknown, name: string): Partial<Record<Gesture, CustomEntry>> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new SetProblem('setBadGestures', name);
  const checked: Partial<Record<Gesture, CustomEntry>> = {};
  for (const [gesture, entry] of Object.entries(value)) {
    if (!(GESTURES as readonly string[]).includes(gesture)) throw new SetProblem('setUnknownGesture', name, gesture.slice(0, 40), GESTURES.join(', '));
    checked[gesture as Gesture] = parseEntry(entry, name, gesture, 0);
  }
  return checked;
}

/** A size in kB (1000 bytes or characters), rounded up, for a message. */
export const kB = (size: number) => String(Math.ceil(size / 1000));

function parseEntry(value: unknown, name: string, label: string, level: number): CustomEntry {
  const where = [name, label, String(level + 1)];
  if (value === null || typeof value !== 'object') throw new SetProblem('entryBad', ...where);
  const { emoji, image } = value as Record<string, unknown>;
  if (typeof emoji === 'string' && image === undefined) {
    if (!hasArtwork(emoji)) throw new SetProblem('entryNotEmoji', ...where, emoji.slice(0, 20));
    return { emoji };
  }
  if (typeof image === 'string' && emoji === undefined) {
    if (!image.startsWith(PNG_DATA_URL) || !BASE64.test(image.slice(PNG_DATA_URL.length))) throw new SetProblem('entryNotPng', ...where);
    if (image.length > CUSTOM_LIMITS.storedImageChars) throw new SetProblem('entryTooBig', ...where, kB(image.length), kB(CUSTOM_LIMITS.storedImageChars));
    return { image };
  }
  throw new SetProblem('entryBad', ...where);
}

/** The user's sets as storage holds them; a broken set is left out and named in `problems`. */
export function readCustomSets(stored: unknown, labels: readonly string[]): { sets: CustomSet[]; problems: Localized[] } {
  if (stored === undefined) return { sets: [], problems: [] };
  const list = (stored as { sets?: unknown } | null)?.sets;
  if (!Array.isArray(list)) return { sets: [], problems: [localized('storedSetsNotList')] };
  const sets: CustomSet[] = [];
  const problems: Localized[] = [];
  for (const item of list.slice(0, CUSTOM_LIMITS.sets)) {
    try {
      const set = parseCustomSet(item, labels);
      if (sets.some((s) => s.id === set.id)) throw new SetProblem('duplicateSetId', set.id);
      sets.push(set);
    } catch (error) {
      problems.push(error instanceof SetProblem ? error.problem : localized('plainText', String(error)));
    }
  }
  return { sets, problems };
}

/** What storage should hold for `sets`; throws SetProblem when they are too many or too big together. */
export function storedCustomSets(sets: readonly CustomSet[]): { version: 1; sets: readonly CustomSet[] } {
  if (sets.length > CUSTOM_LIMITS.sets) throw new SetProblem('tooManySets', String(CUSTOM_LIMITS.sets));
  const size = JSON.stringify(sets).length;
  if (size > CUSTOM_LIMITS.totalChars) throw new SetProblem('setsTooBig', kB(size), kB(CUSTOM_LIMITS.totalChars));
  return { version: 1, sets };
}

/** The JSON file a set exports to. */
export function setFile(set: CustomSet): string {
  return `${JSON.stringify({ format: SET_FILE_FORMAT, title: set.title, levels: set.levels, gestures: set.gestures }, null, 1)}\n`;
}

/**
 * A set from an exported file's text, given a fresh `id`; throws SetProblem naming the file's problem.
 */
export function parseSetFile(text: string, id: string, labels: readonly string[]): CustomSet {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SetProblem('fileNotJson');
  }
  if ((value as { format?: unknown } | null)?.format !== SET_FILE_FORMAT) throw new SetProblem('fileNotSetFile', SET_FILE_FORMAT);
  const { title, levels, gestures } = value as Record<string, unknown>;
  return parseCustomSet({ id, title, levels, gestures }, labels);
}

/** A fresh id for a set titled `title`, unlike any of `taken`. */
export function newSetId(title: string, taken: readonly string[]): string {
  const stem = title.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 30) || 'set';
  for (let n = 1; ; n++) {
    const id = n === 1 ? stem : `${stem}-${n}`;
    if (!taken.includes(id)) return id;
  }
}

/** Key under which an image's artwork travels: from its content, so an edited image never meets a stale copy. */
export function imageKey(dataUrl: string): string {
  let hash = 0x811c9dc5; // FNV-1a, 32 bits
  for (let i = 0; i < dataUrl.length; i++) hash = Math.imul(hash ^ dataUrl.charCodeAt(i), 0x01000193);
  return `image:${(hash >>> 0).toString(16).padStart(8, '0')}`;
}

/** The set as the analyser and the page use it: each entry's artwork key (the emoji itself, or its image key). */
export function toEmojiSet(set: CustomSet): EmojiSet {
  const key = (entry: CustomEntry) => ('emoji' in entry ? entry.emoji : imageKey(entry.image));
  return {
    name: customSetName(set.id), title: set.title,
    levels: Object.fromEntries(Object.entries(set.levels).map(([label, entries]) => [label, entries.map(key)])),
    ...(set.gestures ? { gestures: Object.fromEntries(Object.entries(set.gestures).map(([gesture, entry]) => [gesture, key(entry)])) } : {}),
  };
}

/** The set's images by artwork key, as PNG bytes. */
export function imagesOf(set: CustomSet): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const entry of [...Object.values(set.levels).flat(), ...Object.values(set.gestures ?? {})]) {
    if ('image' in entry) out.set(imageKey(entry.image), Uint8Array.from(atob(entry.image.slice(PNG_DATA_URL.length)), (c) => c.charCodeAt(0)));
  }
  return out;
}

/** The kind of image in `bytes`, by its signature (not its file name), or null for none emoface takes. */
export function imageKind(bytes: Uint8Array): 'png' | 'webp' | 'gif' | 'svg' | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes[0] === 0x89 && ascii(1, 4) === 'PNG') return 'png';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(0, 4) === 'GIF8') return 'gif';
  const head = new TextDecoder().decode(bytes.subarray(0, 1024)).replace(/^\uFEFF/, '').trimStart();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(head)) return 'svg';
  return null;
}

/**
 * What makes an SVG unsafe to use (the message's name), or null: scripts, event handlers, javascript:
 * URLs, embedded HTML, or references to anything outside the file.
 */
export function svgProblem(text: string): MessageKey | null {
  if (/<script[\s>]/i.test(text)) return 'svgScript';
  if (/\son[a-z]+\s*=/i.test(text)) return 'svgEventHandler';
  if (/javascript:/i.test(text)) return 'svgJavascriptUrl';
  if (/<foreignObject[\s>]/i.test(text)) return 'svgForeignObject';
  if (/(?:href|src)\s*=\s*["']\s*(?!#|data:image\/)/i.test(text) || /url\(\s*["']?\s*(?!#|data:image\/)/i.test(text)) return 'svgExternal';
  return null;
}
