import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, emojiSetForSite, isOnForSite, readSettings } from '../../src/pipeline/settings';
import { english } from './locales';

describe('settings read from storage', () => {
  it('gives the defaults, silently, when nothing is stored', () => {
    expect(readSettings(undefined)).toEqual({ settings: DEFAULT_SETTINGS, problems: [] });
    expect(readSettings({})).toEqual({ settings: DEFAULT_SETTINGS, problems: [] });
  });
  it('keeps every valid field', () => {
    const stored = { version: 2, enabled: false, sites: { 'meet.google.com': { enabled: true, emojiSet: 'cats' }, 'discord.com': {} }, addedSites: ['call.example.org'], emojiSet: 'cats', labelMode: 'five', gestures: true };
    expect(readSettings(stored)).toEqual({ settings: stored, problems: [] });
  });
  it('migrates version 1 (sites held only enabled) without a problem', () => {
    const stored = { version: 1, enabled: true, sites: { 'meet.google.com': { enabled: false } }, addedSites: [], emojiSet: 'cats', labelMode: 'seven' };
    // Settings stored before gestures existed take its default, without a problem.
    expect(readSettings(stored)).toEqual({ settings: { ...stored, version: 2, gestures: false }, problems: [] });
  });
  it('replaces each bad field by its default and names the field and what was wrong', () => {
    const { settings, problems: localizedProblems } = readSettings({ enabled: 'yes', emojiSet: 'dogs', labelMode: 6, sites: { 'meet.google.com': { emojiSet: 'dogs' } }, addedSites: 'x', gestures: 'on' });
    const problems = localizedProblems.map(english);
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(problems).toHaveLength(6);
    expect(problems[0]).toMatch(/settings\.enabled must be true or false, got "yes"; using true/);
    expect(problems.find((p) => p.startsWith('settings.emojiSet'))).toMatch(/one of faces, cats or custom:<id>, got "dogs"/);
    expect(problems.find((p) => p.includes('labelMode'))).toMatch(/"seven" or "five", got 6/);
    expect(problems.find((p) => p.startsWith('settings.sites'))).toMatch(/got {"meet.google.com":{"emojiSet":"dogs"}}; using {}/);
    expect(problems.find((p) => p.startsWith('settings.gestures'))).toMatch(/must be true or false, got "on"; using false/);
  });
  it('survives anything storage could hold', () => {
    for (const junk of [null, 42, 'settings', [1, 2], { version: 99, enabled: true }]) {
      const { settings, problems } = readSettings(junk);
      expect(settings.version).toBe(2);
      expect(problems.length).toBeGreaterThan(0);
    }
    expect(readSettings({ version: 99, labelMode: 'five' }).settings.labelMode).toBe('five');
  });
  it('drops duplicate added sites', () => {
    expect(readSettings({ addedSites: ['a.example', 'a.example'] }).settings.addedSites).toEqual(['a.example']);
  });
});

describe('on for a site, and its set', () => {
  it('follows the site\'s own choice, else the setting for every site', () => {
    const own = { ...DEFAULT_SETTINGS, enabled: false, sites: { 'meet.google.com': { enabled: true, emojiSet: 'cats' } } };
    expect(isOnForSite(own, 'meet.google.com')).toBe(true);
    expect(isOnForSite(own, 'discord.com')).toBe(false);
    expect(emojiSetForSite(own, 'meet.google.com')).toBe('cats');
    expect(emojiSetForSite(own, 'discord.com')).toBe('faces');
    expect(isOnForSite({ ...own, sites: { 'example.com': { enabled: true } } }, 'example.com')).toBe(false); // not covered: never on
  });
  it('is on for the built-in sites and added sites, unless off everywhere or for that site', () => {
    expect(isOnForSite(DEFAULT_SETTINGS, 'meet.google.com')).toBe(true);
    expect(isOnForSite(DEFAULT_SETTINGS, 'discord.com')).toBe(true);
    expect(isOnForSite(DEFAULT_SETTINGS, 'example.com')).toBe(false);
    expect(isOnForSite({ ...DEFAULT_SETTINGS, addedSites: ['example.com'] }, 'example.com')).toBe(true);
    expect(isOnForSite({ ...DEFAULT_SETTINGS, enabled: false }, 'meet.google.com')).toBe(false);
    expect(isOnForSite({ ...DEFAULT_SETTINGS, sites: { 'meet.google.com': { enabled: false } } }, 'meet.google.com')).toBe(false);
    expect(isOnForSite({ ...DEFAULT_SETTINGS, sites: { 'meet.google.com': { enabled: false } } }, 'discord.com')).toBe(true);
  });
});
