import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMOJI_SETS } from '../../src/pipeline/emoji/emojiSets';
import { labelKey, localized } from '../../src/pipeline/i18n';
import { HOOK_PROBLEMS } from '../../src/pipeline/messages';
import { setTitle } from '../../src/popup/view';
import { english, getMessage, MESSAGES } from './locales';
import expression from '../../models/expression.json';

/** Message names the code and pages use: localized('…'), data-i18n="…", __MSG_…__, labels' and sets' names, the hook's problems. */
function keysUsed(): Set<string> {
  const files = ['src/pipeline/settings.ts', 'src/pipeline/i18n.ts', 'src/pipeline/emoji/customSets.ts', 'src/popup/sets.ts', 'src/popup/sets.html', 'src/popup/imageFile.ts', 'src/popup/view.ts', 'src/popup/popup.ts', 'src/popup/index.html',
    'src/content/bridge.ts', 'src/offscreen/analyserHost.ts', 'src/background/background.ts', 'manifest.config.ts'];
  const keys = new Set<string>([...Object.values(HOOK_PROBLEMS), ...Object.values(EMOJI_SETS).map((set) => setTitle(set).key)]);
  for (const label of expression.labels) keys.add(labelKey(label) ?? `no message for label ${label}`);
  for (const file of files) {
    const text = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
    for (const pattern of [/localized\('([A-Za-z0-9_]+)'/g, /SetProblem\('([A-Za-z0-9_]+)'/g, /return '(svg[A-Za-z]+)'/g, /data-i18n(?:-label)?="([A-Za-z0-9_]+)"/g, /__MSG_([A-Za-z0-9_]+)__/g]) {
      for (const match of text.matchAll(pattern)) keys.add(match[1]!);
    }
  }
  return keys;
}

describe('languages', () => {
  const languages = Object.keys(MESSAGES);
  it('are English and Korean', () => {
    expect(languages.sort()).toEqual(['en', 'ko']);
  });
  it('have every message the code uses, and the same messages, placeholders included', () => {
    const used = keysUsed();
    expect(used.size).toBeGreaterThan(40);
    for (const language of languages) {
      const missing = [...used].filter((key) => !MESSAGES[language]![key]);
      expect(missing, `missing from _locales/${language}`).toEqual([]);
      expect(Object.keys(MESSAGES[language]!).sort(), `${language} vs en`).toEqual(Object.keys(MESSAGES.en!).sort());
      for (const [key, entry] of Object.entries(MESSAGES[language]!)) {
        expect(Object.keys(entry.placeholders ?? {}).sort(), `${language}/${key} placeholders`).toEqual(Object.keys(MESSAGES.en![key]!.placeholders ?? {}).sort());
        for (const name of entry.message.matchAll(/\$([A-Za-z0-9_]+)\$/g)) {
          expect(entry.placeholders?.[name[1]!.toLowerCase()], `${language}/${key} uses $${name[1]}$`).toBeDefined();
        }
      }
    }
  });
  it('put substitutions and nested messages where their placeholders are', () => {
    expect(english(localized('camera', '1280', '720', '30'))).toBe('Camera 1280×720, 30 fps to the call');
    expect(english(localized('lastProblem', localized('analyserCannotStart', 'no wasm')))).toBe('Last problem: the expression analyser could not start: no wasm');
    expect(getMessage('ko', 'onForSite', ['meet.google.com'])).toBe('meet.google.com에서 켜기');
    expect(getMessage('ko', 'extName')).toBe('emoface');
  });
});
