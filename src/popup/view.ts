/**
 * What the popup shows, as pure functions of the settings, the active tab's URL and its live status, so
 * they are tested without a browser. popup.ts puts the result on the page and writes settings back.
 */
import { customSetName, type CustomEntry, type CustomSet } from '../pipeline/emoji/customSets';
import { EMOJI_SETS, FIVE_LABELS, type EmojiSet, type LabelMode } from '../pipeline/emoji/emojiSets';
import { GESTURES, type Gesture } from '../pipeline/gestures/gestureReader';
import { labelKey, localized, type Localized, type MessageKey } from '../pipeline/i18n';
import type { TabStatus } from '../pipeline/messages';
import { BUILT_IN_SITES, DEFAULT_SETTINGS, emojiSetForSite, isHostName, isOnForSite, type SiteSettings, type Settings } from '../pipeline/settings';

/** How emoface relates to the active tab's site. */
export type SiteKind = 'built-in' | 'added' | 'available' | 'none';

/** The active tab's site: its host name and kind (https only). */
export function siteOf(url: string | undefined, settings: Settings): { host: string | null; kind: SiteKind } {
  let parsed: URL;
  try {
    parsed = new URL(url ?? '');
  } catch {
    return { host: null, kind: 'none' };
  }
  if (parsed.protocol !== 'https:' || !isHostName(parsed.hostname)) return { host: null, kind: 'none' };
  const host = parsed.hostname;
  if ((BUILT_IN_SITES as readonly string[]).includes(host)) return { host, kind: 'built-in' };
  return { host, kind: settings.addedSites.includes(host) ? 'added' : 'available' };
}

/** The name the popup shows for a set: the built-in sets' in the user's language. */
export function setTitle(set: EmojiSet): Localized {
  const key = BUILT_IN_SET_TITLES[set.name];
  return key ? localized(key) : localized('plainText', set.title);
}

const BUILT_IN_SET_TITLES: Readonly<Record<string, MessageKey>> = { faces: 'setFaces', cats: 'setCats' };

/** A set the user can choose: its settings value, its name, and its entries by label, calm to intense. */
export interface SetChoice {
  readonly name: string;
  readonly title: Localized;
  readonly levels: Readonly<Record<string, readonly CustomEntry[]>>;
  /** The entries of the gestures the set shows. */
  readonly gestures: Readonly<Partial<Record<Gesture, CustomEntry>>>;
}

/** The built-in sets, then the user's own. */
export function setChoices(custom: readonly CustomSet[]): SetChoice[] {
  return [
    ...Object.values(EMOJI_SETS).map((set) => ({
      name: set.name, title: setTitle(set),
      levels: Object.fromEntries(Object.entries(set.levels).map(([label, emoji]) => [label, emoji.map((e) => ({ emoji: e }))])),
      gestures: Object.fromEntries(Object.entries(set.gestures ?? {}).map(([gesture, emoji]) => [gesture, { emoji }])),
    })),
    ...custom.map((set) => ({ name: customSetName(set.id), title: localized('plainText', set.title), levels: set.levels, gestures: set.gestures ?? {} })),
  ];
}

/** The choice `name` selects; the default set's when it is gone (as the call does). */
export function chosenSet(choices: readonly SetChoice[], name: string): SetChoice {
  return choices.find((c) => c.name === name) ?? choices.find((c) => c.name === DEFAULT_SETTINGS.emojiSet)!;
}

/** Settings with emoface on or off everywhere. */
export function withEnabled(settings: Settings, enabled: boolean): Settings {
  return { ...settings, enabled };
}

/**
 * Settings with `host`'s own choice changed. A value equal to the setting for every site, or null,
 * drops the site's own choice (it follows that setting again); a site with no choice left is removed.
 */
export function withSite(settings: Settings, host: string, choice: { enabled?: boolean | null; emojiSet?: string | null }): Settings {
  const own: { enabled?: boolean; emojiSet?: string } = { ...settings.sites[host] };
  if (choice.enabled !== undefined) {
    if (choice.enabled === null || choice.enabled === settings.enabled) delete own.enabled;
    else own.enabled = choice.enabled;
  }
  if (choice.emojiSet !== undefined) {
    if (choice.emojiSet === null || choice.emojiSet === settings.emojiSet) delete own.emojiSet;
    else own.emojiSet = choice.emojiSet;
  }
  const { [host]: _, ...others } = settings.sites;
  return { ...settings, sites: Object.keys(own).length > 0 ? { ...others, [host]: own satisfies SiteSettings } : others };
}

/** Settings where `host` follows the settings for every site. */
export function withoutSiteChoices(settings: Settings, host: string): Settings {
  return withSite(settings, host, { enabled: null, emojiSet: null });
}

/** Whether `host` has its own settings or follows those for every site, in words. */
export function siteScope(settings: Settings, host: string): Localized {
  return localized(settings.sites[host] ? 'siteOwn' : 'siteFollows', host);
}

/** The emoji set, label mode or gestures switch changed. */
export function withChoice(settings: Settings, choice: { emojiSet?: string; labelMode?: LabelMode; gestures?: boolean }): Settings {
  return { ...settings, ...choice };
}

/** Each label the mode shows, with its entries from calm to intense, in the set used on `host` (or everywhere). */
export function preview(settings: Settings, host: string | null, choices: readonly SetChoice[]): { label: string; name: Localized | null; entries: readonly CustomEntry[] }[] {
  const set = chosenSet(choices, host ? emojiSetForSite(settings, host) : settings.emojiSet);
  const labels = Object.keys(set.levels).filter((l) => settings.labelMode === 'seven' || (FIVE_LABELS as readonly string[]).includes(l));
  return labels.map((label) => {
    const key = labelKey(label);
    return { label, name: key && localized(key), entries: set.levels[label]! };
  });
}

/** The gestures the set used on `host` (or everywhere) shows: each with its entry and its name, in GESTURES' order. */
export function setGestures(settings: Settings, host: string | null, choices: readonly SetChoice[]): { entry: CustomEntry; name: Localized }[] {
  const set = chosenSet(choices, host ? emojiSetForSite(settings, host) : settings.emojiSet);
  return GESTURES.flatMap((gesture) => {
    const entry = set.gestures[gesture];
    return entry ? [{ entry, name: gestureName(gesture) }] : [];
  });
}

/** A gesture's name in words. */
export const gestureName = (gesture: Gesture): Localized => localized(GESTURE_NAMES[gesture]);

const GESTURE_NAMES: Readonly<Record<Gesture, MessageKey>> = {
  asleep: 'gestureAsleep', eyesClosed: 'gestureEyesClosed', blowKiss: 'gestureBlowKiss', wink: 'gestureWink',
  kiss: 'gestureKiss', mouthOpen: 'gestureMouthOpen', cheeksPuffed: 'gestureCheeksPuffed', browRaised: 'gestureBrowRaised',
};

/** Lines describing the tab's live state; `status` null when no content script answered. */
export function statusLines(kind: SiteKind, settings: Settings, host: string | null, status: TabStatus | null): Localized[] {
  if (kind === 'none' || host === null) return [localized('notAWebPage')];
  if (!status) return [localized(kind === 'available' ? 'notAWebPage' : 'notRunning')];
  const lines: Localized[] = [];
  if (!isOnForSite(settings, host)) lines.push(localized('offHere'));
  if (status.streams.length === 0) lines.push(localized('noCamera'));
  for (const stream of status.streams) {
    lines.push(localized('camera', String(stream.width), String(stream.height), stream.fpsOut.toFixed(0)));
    if (stream.drawing) {
      lines.push(localized('facesCovered', String(stream.faces)),
        localized('analysisRate', stream.analysesPerSecond.toFixed(0), (status.backend ?? '…').toUpperCase()));
      if (stream.analysesPerSecond === 0) lines.push(localized('passingThrough'));
      if (stream.yielding) lines.push(localized('yieldingForCall'));
    }
  }
  if (status.lastError) lines.push(localized('lastProblem', status.lastError));
  return lines;
}
