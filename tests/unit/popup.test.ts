import { describe, expect, it } from 'vitest';
import { localized } from '../../src/pipeline/i18n';
import type { TabStatus } from '../../src/pipeline/messages';
import { DEFAULT_SETTINGS, withAddedSite } from '../../src/pipeline/settings';
import { preview, setChoices, setGestures, setTitle, siteOf, siteScope, statusLines, withEnabled, withoutSiteChoices, withSite } from '../../src/popup/view';
import { english, getMessage } from './locales';

const stream = {
  streamId: 's', width: 1280, height: 720, fpsIn: 30, fpsOut: 29.6, emojiFps: 29.6, analysesPerSecond: 18, analysisIntervalMs: 30, yielding: false,
  compositeMs: 2, frameMs: 3, copyMs: 0.5, analysisCopyMs: 1, replyMs: 30, resultAgeMs: 40, movingFrames: 10, movingAgeMs: 35, placementErrorPct: 2, placementErrorMaxPct: 5,
  faces: 2, drawing: true, cameraFrames: 300, framesOut: 300,
};
const status = (extra: Partial<TabStatus> = {}): TabStatus => ({ host: 'meet.google.com', on: true, streams: [stream], backend: 'wasm', lastError: null, stageMs: null, relayMs: null, analyserTrackers: null, gesturesShown: {}, ...extra });

describe('popup view', () => {
  it('knows which sites emoface covers, only on https', () => {
    expect(siteOf('https://meet.google.com/abc-defg-hij', DEFAULT_SETTINGS)).toEqual({ host: 'meet.google.com', kind: 'built-in' });
    expect(siteOf('https://call.example.org/x', DEFAULT_SETTINGS)).toEqual({ host: 'call.example.org', kind: 'available' });
    expect(siteOf('https://call.example.org/x', { ...DEFAULT_SETTINGS, addedSites: ['call.example.org'] }).kind).toBe('added');
    for (const url of ['http://meet.google.com/', 'chrome://extensions', undefined, 'not a url']) expect(siteOf(url, DEFAULT_SETTINGS).kind).toBe('none');
  });
  it('switches everywhere, per site and added sites without touching the rest', () => {
    const off = withSite(DEFAULT_SETTINGS, 'meet.google.com', { enabled: false });
    expect(off.sites).toEqual({ 'meet.google.com': { enabled: false } });
    expect(withSite(off, 'meet.google.com', { enabled: true }).sites).toEqual({}); // the same as everywhere: follows it again
    expect(withEnabled(off, false)).toMatchObject({ enabled: false, sites: off.sites });
    const cats = withSite(off, 'meet.google.com', { emojiSet: 'cats' });
    expect(cats.sites).toEqual({ 'meet.google.com': { enabled: false, emojiSet: 'cats' } });
    expect(english(siteScope(cats, 'meet.google.com'))).toBe('meet.google.com has its own settings.');
    expect(withSite(cats, 'meet.google.com', { emojiSet: null }).sites).toEqual(off.sites);
    expect(withoutSiteChoices(cats, 'meet.google.com').sites).toEqual({});
    expect(english(siteScope(DEFAULT_SETTINGS, 'discord.com'))).toBe('discord.com follows the settings for every site.');
    const added = withAddedSite(DEFAULT_SETTINGS, 'a.example', true);
    expect(withAddedSite(added, 'a.example', true).addedSites).toEqual(['a.example']);
    expect(withAddedSite(added, 'a.example', false).addedSites).toEqual([]);
    expect(DEFAULT_SETTINGS.sites).toEqual({}); // not mutated
  });
  it('previews the chosen set, five labels in five-label mode', () => {
    expect(setGestures(DEFAULT_SETTINGS, null, setChoices([])).map(({ entry, name }) => `${'emoji' in entry ? entry.emoji : 'image'} ${english(name)}`)).toEqual([
      '😴 eyes closed 2 s', '😌 eyes closed', '😘 kiss held, or with a wink', '😉 wink', '😗 kiss', '😮 mouth wide open', '🐡 cheeks puffed', '🤨 one eyebrow raised',
    ]);
    const custom = { id: 'mine', title: 'Mine', levels: Object.fromEntries(['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise'].map((l) => [l, [{ emoji: '🙂' }]])) };
    expect(setGestures({ ...DEFAULT_SETTINGS, emojiSet: 'custom:mine' }, null, setChoices([custom]))).toEqual([]);
    const winking = { ...custom, gestures: { wink: { emoji: '😜' } } };
    expect(setGestures({ ...DEFAULT_SETTINGS, emojiSet: 'custom:mine' }, null, setChoices([winking])).map(({ entry, name }) => [entry, english(name)])).toEqual([[{ emoji: '😜' }, 'wink']]);
    expect(preview(DEFAULT_SETTINGS, null, setChoices([])).map((p) => p.label)).toEqual(['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise']);
    const five = preview({ ...DEFAULT_SETTINGS, emojiSet: 'cats', labelMode: 'five' }, null, setChoices([]));
    expect(five.map((p) => p.label)).toEqual(['angry', 'happy', 'neutral', 'sad', 'surprise']);
    expect(five.find((p) => p.label === 'happy')!.entries).toEqual(['😺', '😸', '😹'].map((emoji) => ({ emoji })));
    const catsOnMeet = withSite(DEFAULT_SETTINGS, 'meet.google.com', { emojiSet: 'cats' });
    expect(preview(catsOnMeet, 'meet.google.com', setChoices([])).find((p) => p.label === 'happy')!.entries).toEqual(['😺', '😸', '😹'].map((emoji) => ({ emoji })));
    expect(preview(catsOnMeet, 'discord.com', setChoices([])).find((p) => p.label === 'happy')!.entries).toEqual(['🙂', '😀', '😄'].map((emoji) => ({ emoji })));
    expect(english(five.find((p) => p.label === 'happy')!.name!)).toBe('happy');
    expect(english(setTitle({ name: 'cats', title: 'Cats', levels: {} }))).toBe('Cats');
    expect(english(setTitle({ name: 'mine', title: 'My set', levels: {} }))).toBe('My set');
  });
  it('describes the tab in words: camera, faces, analysis, backend, the last problem', () => {
    const words = (...args: Parameters<typeof statusLines>) => statusLines(...args).map(english);
    expect(words('built-in', DEFAULT_SETTINGS, 'meet.google.com', status())).toEqual([
      'Camera 1280×720, 30 fps to the call', 'Faces covered: 2', 'Analysis 18/s on WASM',
    ]);
    expect(words('built-in', DEFAULT_SETTINGS, 'meet.google.com', status({ streams: [], lastError: localized('analyserStopped') })))
      .toEqual(['No camera in use on this page yet.', 'Last problem: the analyser stopped; emoface restarts it with the next frame']);
    expect(words('built-in', { ...DEFAULT_SETTINGS, enabled: false }, 'meet.google.com', status({ streams: [] }))[0]).toMatch(/^Off here/);
    expect(words('built-in', DEFAULT_SETTINGS, 'meet.google.com', status({ streams: [{ ...stream, analysesPerSecond: 2, yielding: true }] })).at(-1))
      .toBe('Analysing less often to keep the call smooth: this computer is busy.');
    expect(statusLines('built-in', DEFAULT_SETTINGS, 'meet.google.com', null)).toEqual([localized('notRunning')]);
    expect(statusLines('none', DEFAULT_SETTINGS, null, null)).toEqual([localized('notAWebPage')]);
  });
  it('says the same in Korean', () => {
    const korean = statusLines('built-in', DEFAULT_SETTINGS, 'meet.google.com', status())
      .map((line) => getMessage('ko', line.key, line.args as string[]));
    expect(korean).toEqual(['카메라 1280×720, 통화로 초당 30프레임', '이모지로 가린 얼굴: 2', '분석 초당 18회 (WASM)']);
  });
});
