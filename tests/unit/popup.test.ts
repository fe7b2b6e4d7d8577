import { describe, expect, it } from 'vitest';
import type { TabStatus } from '../../src/pipeline/messages';
import { DEFAULT_SETTINGS } from '../../src/pipeline/settings';
import { preview, siteOf, statusLines, STRINGS, withAddedSite, withEnabled, withSite } from '../../src/popup/view';

const stream = { streamId: 's', width: 1280, height: 720, fpsIn: 30, fpsOut: 29.6, analysesPerSecond: 18, compositeMs: 2, resultAgeMs: 40, faces: 2, drawing: true };
const status = (extra: Partial<TabStatus> = {}): TabStatus => ({ host: 'meet.google.com', on: true, streams: [stream], backend: 'wasm', lastError: null, stageMs: null, ...extra });

describe('popup view', () => {
  it('knows which sites emoface covers, only on https', () => {
    expect(siteOf('https://meet.google.com/abc-defg-hij', DEFAULT_SETTINGS)).toEqual({ host: 'meet.google.com', kind: 'built-in' });
    expect(siteOf('https://call.example.org/x', DEFAULT_SETTINGS)).toEqual({ host: 'call.example.org', kind: 'available' });
    expect(siteOf('https://call.example.org/x', { ...DEFAULT_SETTINGS, addedSites: ['call.example.org'] }).kind).toBe('added');
    for (const url of ['http://meet.google.com/', 'chrome://extensions', undefined, 'not a url']) expect(siteOf(url, DEFAULT_SETTINGS).kind).toBe('none');
  });
  it('switches everywhere, per site and added sites without touching the rest', () => {
    const off = withSite(DEFAULT_SETTINGS, 'meet.google.com', false);
    expect(off.sites).toEqual({ 'meet.google.com': { enabled: false } });
    expect(withSite(off, 'meet.google.com', true).sites).toEqual({});
    expect(withEnabled(off, false)).toMatchObject({ enabled: false, sites: off.sites });
    const added = withAddedSite(DEFAULT_SETTINGS, 'a.example', true);
    expect(withAddedSite(added, 'a.example', true).addedSites).toEqual(['a.example']);
    expect(withAddedSite(added, 'a.example', false).addedSites).toEqual([]);
    expect(DEFAULT_SETTINGS.sites).toEqual({}); // not mutated
  });
  it('previews the chosen set, five labels in five-label mode', () => {
    expect(preview(DEFAULT_SETTINGS).map((p) => p.label)).toEqual(['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise']);
    const five = preview({ ...DEFAULT_SETTINGS, emojiSet: 'cats', labelMode: 'five' });
    expect(five.map((p) => p.label)).toEqual(['angry', 'happy', 'neutral', 'sad', 'surprise']);
    expect(five.find((p) => p.label === 'happy')!.emoji).toEqual(['😺', '😸', '😹']);
  });
  it('describes the tab in words: camera, faces, analysis, backend, the last problem', () => {
    expect(statusLines('built-in', DEFAULT_SETTINGS, 'meet.google.com', status())).toEqual([
      'Camera 1280×720, 30 fps to the call', '2 faces covered', 'Analysis 18/s on WASM',
    ]);
    expect(statusLines('built-in', DEFAULT_SETTINGS, 'meet.google.com', status({ streams: [], lastError: 'the analyser stopped' })))
      .toEqual([STRINGS.noCamera, 'Last problem: the analyser stopped']);
    expect(statusLines('built-in', { ...DEFAULT_SETTINGS, enabled: false }, 'meet.google.com', status({ streams: [] }))[0]).toBe(STRINGS.offHere);
    expect(statusLines('built-in', DEFAULT_SETTINGS, 'meet.google.com', null)).toEqual([STRINGS.notRunning]);
    expect(statusLines('none', DEFAULT_SETTINGS, null, null)).toEqual([STRINGS.notAWebPage]);
  });
});
