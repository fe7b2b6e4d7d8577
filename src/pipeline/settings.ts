import { isCustomSetName } from './emoji/customSets';
import { EMOJI_SETS, type LabelMode } from './emoji/emojiSets';
import { localized, type Localized } from './i18n';

/** Sites emoface works on out of the box (content scripts in the manifest), by host name. */
export const BUILT_IN_SITES = ['meet.google.com', 'discord.com'] as const;

/** What the user chose for one site; what is absent follows the setting for every site. */
export interface SiteSettings {
  /** On or off here. */
  readonly enabled?: boolean;
  /** The emoji set here. */
  readonly emojiSet?: string;
}

/** The user's settings, stored as one object in chrome.storage.sync under SETTINGS_KEY. */
export interface Settings {
  /** Shape version, for migrations (1: sites held only `enabled`). */
  readonly version: 2;
  /** On or off on every site without its own choice. Default true. */
  readonly enabled: boolean;
  /** Per-site choices by host name; a site not listed follows `enabled` and `emojiSet`. Default {}. */
  readonly sites: Readonly<Record<string, SiteSettings>>;
  /** Host names the user switched on beyond BUILT_IN_SITES (host permission granted). Default []. */
  readonly addedSites: readonly string[];
  /** Name of the emoji set on every site without its own. Default 'faces'. */
  readonly emojiSet: string;
  /** Seven labels or the paper's five. Default 'seven'. */
  readonly labelMode: LabelMode;
  /**
   * Gestures (a wink, a kiss, closed eyes…: src/pipeline/gestures/) show their own emoji. Default false
   * until their cost is shown within the call's budget over repeated runs (README, "Gestures").
   */
  readonly gestures: boolean;
}

/** The key of the settings object in chrome.storage.sync. */
export const SETTINGS_KEY = 'settings';

/** Every default of the settings. */
export const DEFAULT_SETTINGS: Settings = {
  version: 2, enabled: true, sites: {}, addedSites: [], emojiSet: 'faces', labelMode: 'seven', gestures: false,
};

/** Settings read from storage, and what was wrong with what was stored (empty when nothing was). */
export interface ReadSettings {
  readonly settings: Settings;
  readonly problems: readonly Localized[];
}

const HOST = /^(?=.{1,253}$)[a-z0-9-]+(\.[a-z0-9-]+)*$/;

/** True for a host name the settings can hold (lower-case, no scheme, port or path). */
export function isHostName(value: unknown): value is string {
  return typeof value === 'string' && HOST.test(value);
}

/**
 * Validates what storage holds: each field that is missing takes its default silently, each field that
 * is present but wrong takes its default with a problem naming the field. Never throws.
 */
export function readSettings(stored: unknown): ReadSettings {
  if (stored === undefined) return { settings: DEFAULT_SETTINGS, problems: [] };
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) {
    return { settings: DEFAULT_SETTINGS, problems: [localized('settingsNotObject', describe(stored))] };
  }
  const raw = stored as Record<string, unknown>;
  const problems: Localized[] = [];
  if (raw.version !== undefined && raw.version !== 1 && raw.version !== DEFAULT_SETTINGS.version) {
    problems.push(localized('settingsVersion', describe(raw.version), String(DEFAULT_SETTINGS.version)));
  }
  const field = <T>(name: keyof Settings, ok: (v: unknown) => v is T, what: string): T => {
    const value = raw[name];
    if (value === undefined) return DEFAULT_SETTINGS[name] as T;
    if (ok(value)) return value;
    problems.push(localized('settingsField', name, what, describe(value), JSON.stringify(DEFAULT_SETTINGS[name])));
    return DEFAULT_SETTINGS[name] as T;
  };
  const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
  // A custom set is checked against the user's sets where they are read (chrome.storage.local).
  const isSet = (v: unknown): v is string => typeof v === 'string' && (Object.hasOwn(EMOJI_SETS, v) || isCustomSetName(v));
  const isMode = (v: unknown): v is LabelMode => v === 'seven' || v === 'five';
  const isHostList = (v: unknown): v is string[] => Array.isArray(v) && v.length <= 200 && v.every(isHostName);
  const isSite = (v: unknown): v is SiteSettings => v !== null && typeof v === 'object' && !Array.isArray(v)
    && Object.keys(v).every((key) => key === 'enabled' || key === 'emojiSet')
    && ((v as SiteSettings).enabled === undefined || isBoolean((v as SiteSettings).enabled))
    && ((v as SiteSettings).emojiSet === undefined || isSet((v as SiteSettings).emojiSet));
  const isSites = (v: unknown): v is Record<string, SiteSettings> => v !== null && typeof v === 'object' && !Array.isArray(v)
    && Object.keys(v).length <= 500 && Object.entries(v).every(([host, site]) => isHostName(host) && isSite(site));
  return {
    settings: {
      version: 2,
      enabled: field('enabled', isBoolean, 'true or false'),
      sites: field('sites', isSites, 'an object of host name → {enabled?: true|false, emojiSet?: set name}'),
      addedSites: [...new Set(field('addedSites', isHostList, 'a list of host names'))],
      emojiSet: field('emojiSet', isSet, `one of ${Object.keys(EMOJI_SETS).join(', ')} or custom:<id>`),
      labelMode: field('labelMode', isMode, '"seven" or "five"'),
      gestures: field('gestures', isBoolean, 'true or false'),
    },
    problems,
  };
}

/** Whether emoface covers `host` at all: a built-in site or one the user added. */
export function isCoveredSite(settings: Settings, host: string): boolean {
  return (BUILT_IN_SITES as readonly string[]).includes(host) || settings.addedSites.includes(host);
}

/** Whether emoface is on for `host`: covered, and on by the site's own choice or else by the setting for every site. */
export function isOnForSite(settings: Settings, host: string): boolean {
  return isCoveredSite(settings, host) && (settings.sites[host]?.enabled ?? settings.enabled);
}

/** Settings with `host` added to or removed from the sites the user switched on. */
export function withAddedSite(settings: Settings, host: string, added: boolean): Settings {
  const rest = settings.addedSites.filter((h) => h !== host);
  return { ...settings, addedSites: added ? [...rest, host] : rest };
}

/** The emoji set on `host`: the site's own choice or else the set for every site. */
export function emojiSetForSite(settings: Settings, host: string): string {
  return settings.sites[host]?.emojiSet ?? settings.emojiSet;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
