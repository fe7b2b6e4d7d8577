import { EMOJI_SETS, type LabelMode } from './emoji/emojiSets';

/** Sites emoface works on out of the box (content scripts in the manifest), by host name. */
export const BUILT_IN_SITES = ['meet.google.com', 'discord.com'] as const;

/** What the user chose for one site. */
export interface SiteSettings {
  /** Off here even when emoface is on everywhere. */
  readonly enabled: boolean;
}

/** The user's settings, stored as one object in chrome.storage.sync under SETTINGS_KEY. */
export interface Settings {
  /** Shape version, for migrations. */
  readonly version: 1;
  /** On or off everywhere. Default true. */
  readonly enabled: boolean;
  /** Per-site choices by host name; a site not listed follows `enabled`. Default {}. */
  readonly sites: Readonly<Record<string, SiteSettings>>;
  /** Host names the user switched on beyond BUILT_IN_SITES (host permission granted). Default []. */
  readonly addedSites: readonly string[];
  /** Name of the emoji set. Default 'faces'. */
  readonly emojiSet: string;
  /** Seven labels or the paper's five. Default 'seven'. */
  readonly labelMode: LabelMode;
}

/** The key of the settings object in chrome.storage.sync. */
export const SETTINGS_KEY = 'settings';

/** Every default of the settings. */
export const DEFAULT_SETTINGS: Settings = {
  version: 1, enabled: true, sites: {}, addedSites: [], emojiSet: 'faces', labelMode: 'seven',
};

/** Settings read from storage, and what was wrong with what was stored (empty when nothing was). */
export interface ReadSettings {
  readonly settings: Settings;
  readonly problems: readonly string[];
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
    return { settings: DEFAULT_SETTINGS, problems: [`stored settings are not an object (${describe(stored)}); using defaults`] };
  }
  const raw = stored as Record<string, unknown>;
  const problems: string[] = [];
  if (raw.version !== undefined && raw.version !== DEFAULT_SETTINGS.version) {
    problems.push(`stored settings have version ${describe(raw.version)}, this emoface reads version ${DEFAULT_SETTINGS.version}; fields it understands are kept`);
  }
  const field = <T>(name: keyof Settings, ok: (v: unknown) => v is T, what: string): T => {
    const value = raw[name];
    if (value === undefined) return DEFAULT_SETTINGS[name] as T;
    if (ok(value)) return value;
    problems.push(`settings.${name} must be ${what}, got ${describe(value)}; using ${JSON.stringify(DEFAULT_SETTINGS[name])}`);
    return DEFAULT_SETTINGS[name] as T;
  };
  const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
  const isSet = (v: unknown): v is string => typeof v === 'string' && Object.hasOwn(EMOJI_SETS, v);
  const isMode = (v: unknown): v is LabelMode => v === 'seven' || v === 'five';
  const isHostList = (v: unknown): v is string[] => Array.isArray(v) && v.length <= 200 && v.every(isHostName);
  const isSites = (v: unknown): v is Record<string, SiteSettings> => v !== null && typeof v === 'object' && !Array.isArray(v)
    && Object.keys(v).length <= 500
    && Object.entries(v).every(([host, site]) => isHostName(host) && site !== null && typeof site === 'object' && isBoolean((site as SiteSettings).enabled));
  return {
    settings: {
      version: 1,
      enabled: field('enabled', isBoolean, 'true or false'),
      sites: field('sites', isSites, 'an object of host name → {enabled: true|false}'),
      addedSites: [...new Set(field('addedSites', isHostList, 'a list of host names'))],
      emojiSet: field('emojiSet', isSet, `one of ${Object.keys(EMOJI_SETS).join(', ')}`),
      labelMode: field('labelMode', isMode, '"seven" or "five"'),
    },
    problems,
  };
}

/** Whether emoface covers `host` at all: a built-in site or one the user added. */
export function isCoveredSite(settings: Settings, host: string): boolean {
  return (BUILT_IN_SITES as readonly string[]).includes(host) || settings.addedSites.includes(host);
}

/** Whether emoface is on for `host`: on everywhere, not switched off there, and covered. */
export function isOnForSite(settings: Settings, host: string): boolean {
  return settings.enabled && settings.sites[host]?.enabled !== false && isCoveredSite(settings, host);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
