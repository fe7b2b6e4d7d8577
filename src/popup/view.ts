/**
 * What the popup shows, as pure functions of the settings, the active tab's URL and its live status, so
 * they are tested without a browser. popup.ts puts the result on the page and writes settings back.
 */
import { EMOJI_SETS, FIVE_LABELS, type LabelMode } from '../pipeline/emoji/emojiSets';
import type { TabStatus } from '../pipeline/messages';
import { BUILT_IN_SITES, isHostName, isOnForSite, type Settings } from '../pipeline/settings';

/** Every string the popup shows, in one place. */
export const STRINGS = {
  onEverywhere: 'emoface on',
  onForSite: (host: string) => `On for ${host}`,
  addSite: (host: string) => `Use emoface on ${host}`,
  removeSite: (host: string) => `Stop using emoface on ${host}`,
  reloadToStart: 'Reload the page to start.',
  notAWebPage: 'emoface works on https call pages (Google Meet, Discord, or sites you switch on).',
  notRunning: 'emoface is not running on this page. If you switched it on or installed it after opening the page, reload the page.',
  noCamera: 'No camera in use on this page yet.',
  offHere: 'Off here: the call gets your camera as it is.',
  camera: (width: number, height: number, fps: number) => `Camera ${width}×${height}, ${fps.toFixed(0)} fps to the call`,
  faces: (n: number) => (n === 1 ? '1 face covered' : `${n} faces covered`),
  analysis: (rate: number, backend: string | null) => `Analysis ${rate.toFixed(0)}/s${backend ? ` on ${backend.toUpperCase()}` : ''}`,
  passingThrough: 'Frames pass through unchanged right now.',
  lastProblem: (text: string) => `Last problem: ${text}`,
  settingsProblem: 'Stored settings had problems; emoface uses defaults for those:',
  resetSettings: 'Reset settings',
  sevenLabels: 'Seven expressions',
  fiveLabels: 'Five (as in the paper)',
} as const;

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

/** Settings with emoface on or off everywhere. */
export function withEnabled(settings: Settings, enabled: boolean): Settings {
  return { ...settings, enabled };
}

/** Settings with emoface on or off for `host` (absent from `sites` when on: the global setting applies). */
export function withSite(settings: Settings, host: string, enabled: boolean): Settings {
  const { [host]: _, ...others } = settings.sites;
  return { ...settings, sites: enabled ? others : { ...others, [host]: { enabled: false } } };
}

/** Settings with `host` added to or removed from the sites the user switched on. */
export function withAddedSite(settings: Settings, host: string, added: boolean): Settings {
  const rest = settings.addedSites.filter((h) => h !== host);
  return { ...settings, addedSites: added ? [...rest, host] : rest };
}

/** The emoji set or label mode changed. */
export function withChoice(settings: Settings, choice: { emojiSet?: string; labelMode?: LabelMode }): Settings {
  return { ...settings, ...choice };
}

/** Each label of the set the mode shows, with its emoji from calm to intense. */
export function preview(settings: Settings): { label: string; emoji: readonly string[] }[] {
  const set = EMOJI_SETS[settings.emojiSet] ?? EMOJI_SETS.faces!;
  const labels = Object.keys(set.levels).filter((l) => settings.labelMode === 'seven' || (FIVE_LABELS as readonly string[]).includes(l));
  return labels.map((label) => ({ label, emoji: set.levels[label]! }));
}

/** Lines describing the tab's live state; `status` null when no content script answered. */
export function statusLines(kind: SiteKind, settings: Settings, host: string | null, status: TabStatus | null): string[] {
  if (kind === 'none' || host === null) return [STRINGS.notAWebPage];
  if (!status) return [kind === 'available' ? STRINGS.notAWebPage : STRINGS.notRunning];
  const lines: string[] = [];
  if (!isOnForSite(settings, host)) lines.push(STRINGS.offHere);
  if (status.streams.length === 0) lines.push(STRINGS.noCamera);
  for (const stream of status.streams) {
    lines.push(STRINGS.camera(stream.width, stream.height, stream.fpsOut));
    if (stream.drawing) {
      lines.push(STRINGS.faces(stream.faces), STRINGS.analysis(stream.analysesPerSecond, status.backend));
      if (stream.analysesPerSecond === 0) lines.push(STRINGS.passingThrough);
    }
  }
  if (status.lastError) lines.push(STRINGS.lastProblem(status.lastError));
  return lines;
}
