import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  CUSTOM_LIMITS, imageKey, imageKind, imagesOf, isCustomSetName, newSetId, parseCustomSet, parseSetFile, readCustomSets, SetProblem, setFile,
  storedCustomSets, svgProblem, toEmojiSet, type CustomSet,
} from '../../src/pipeline/emoji/customSets';
import { SET_LABELS } from '../../src/pipeline/emoji/emojiSets';
import { english } from './locales';

const png = `data:image/png;base64,${readFileSync(new URL('../../icons/icon-16.png', import.meta.url)).toString('base64')}`;
const otherPng = `data:image/png;base64,${readFileSync(new URL('../../icons/icon-32.png', import.meta.url)).toString('base64')}`;
const levels = Object.fromEntries(SET_LABELS.map((label) => [label, [{ emoji: '😐' }]]));
const mine: CustomSet = { id: 'mine', title: 'Mine', levels: { ...levels, happy: [{ emoji: '🙂' }, { image: png }] } };

/** The English words of what `run` throws. */
function problem(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof SetProblem) return english(error.problem);
    throw error;
  }
  throw new Error('no problem was raised');
}

describe('custom emoji sets', () => {
  it('keeps a valid set, with only the fields it knows', () => {
    expect(parseCustomSet({ ...mine, extra: 1 }, SET_LABELS)).toEqual(mine);
    expect(isCustomSetName('custom:mine')).toBe(true);
    expect(isCustomSetName('custom:../x')).toBe(false);
  });
  it('names what is wrong with a bad set', () => {
    const { disgust: _, ...missing } = levels;
    expect(problem(() => parseCustomSet({ ...mine, levels: missing }, SET_LABELS))).toBe('set "Mine": the label disgust is missing (it needs 1–3 entries)');
    expect(problem(() => parseCustomSet({ ...mine, levels: { ...levels, sad: Array(4).fill({ emoji: '😢' }) } }, SET_LABELS))).toMatch(/sad has 4 entries, at most 3/);
    expect(problem(() => parseCustomSet({ ...mine, levels: { ...levels, sad: [{ emoji: '🚗' }] } }, SET_LABELS))).toMatch(/sad level 1: emoface has no artwork for "🚗"/);
    expect(problem(() => parseCustomSet({ ...mine, levels: { ...levels, sad: [{ image: 'data:image/svg+xml;base64,AAAA' }] } }, SET_LABELS))).toMatch(/must be a PNG data URL/);
    expect(problem(() => parseCustomSet({ ...mine, levels: { ...levels, sad: [{ image: png + 'A'.repeat(CUSTOM_LIMITS.storedImageChars) }] } }, SET_LABELS))).toMatch(/kB, at most 200 kB/);
    expect(problem(() => parseCustomSet({ ...mine, title: ' ' }, SET_LABELS))).toMatch(/name must be 1–40 characters/);
    expect(problem(() => parseCustomSet({ ...mine, id: 'Bad Id' }, SET_LABELS))).toMatch(/id must be/);
    expect(problem(() => parseCustomSet([], SET_LABELS))).toMatch(/must be an object/);
  });
  it('takes gesture entries, emoji or images; a set made before gestures stays as it was', () => {
    const winking: CustomSet = { ...mine, gestures: { wink: { emoji: '😜' }, kiss: { image: otherPng } } };
    expect(parseCustomSet(winking, SET_LABELS)).toEqual(winking);
    expect(parseCustomSet(mine, SET_LABELS).gestures).toBeUndefined();
    expect(parseSetFile(setFile(winking), 'again', SET_LABELS)).toEqual({ ...winking, id: 'again' });
    expect(toEmojiSet(winking).gestures).toEqual({ wink: '😜', kiss: imageKey(otherPng) });
    expect(toEmojiSet(mine).gestures).toBeUndefined();
    expect([...imagesOf(winking).keys()]).toEqual([imageKey(png), imageKey(otherPng)]);
    expect(problem(() => parseCustomSet({ ...mine, gestures: { tongueOut: { emoji: '😛' } } }, SET_LABELS))).toMatch(/set "Mine": "tongueOut" is not a gesture \(one of asleep, eyesClosed/);
    expect(problem(() => parseCustomSet({ ...mine, gestures: { wink: { emoji: '🚗' } } }, SET_LABELS))).toMatch(/wink level 1: emoface has no artwork for "🚗"/);
    expect(problem(() => parseCustomSet({ ...mine, gestures: [] }, SET_LABELS))).toBe('set "Mine": gestures must be an object of gesture → entry');
  });
  it('round-trips through its export file, and refuses files of the wrong kind', () => {
    expect(parseSetFile(setFile(mine), 'again', SET_LABELS)).toEqual({ ...mine, id: 'again' });
    expect(problem(() => parseSetFile('{"title": ', 'x', SET_LABELS))).toBe('it is not JSON');
    expect(problem(() => parseSetFile('{"title": "x", "levels": {}}', 'x', SET_LABELS))).toMatch(/not an emoface set file/);
  });
  it('reads the stored sets, leaving out a broken one and naming it', () => {
    const { sets, problems } = readCustomSets({ version: 1, sets: [mine, { ...mine, title: '' }, mine] }, SET_LABELS);
    expect(sets).toEqual([mine]);
    expect(problems.map(english)).toEqual(['a set\'s name must be 1–40 characters', 'two sets have the id mine']);
    expect(readCustomSets('junk', SET_LABELS).problems.map(english)).toEqual(['the stored custom sets are not a list; none are used']);
    expect(readCustomSets(undefined, SET_LABELS)).toEqual({ sets: [], problems: [] });
  });
  it('refuses to store more sets, or more bytes, than the limits', () => {
    expect(storedCustomSets([mine])).toEqual({ version: 1, sets: [mine] });
    expect(problem(() => storedCustomSets(Array.from({ length: 21 }, (_, i) => ({ ...mine, id: `s${i}` }))))).toBe('at most 20 custom sets');
  });
  it('gives the analyser artwork keys: the emoji, or a key from the image\'s content', () => {
    const set = toEmojiSet(mine);
    expect(set.name).toBe('custom:mine');
    expect(set.levels.happy).toEqual(['🙂', imageKey(png)]);
    expect(imageKey(png)).toMatch(/^image:[0-9a-f]{8}$/);
    expect(imageKey(png)).not.toBe(imageKey(`${png}A`));
    expect([...imagesOf(mine).values()][0]!.subarray(1, 4)).toEqual(new Uint8Array([0x50, 0x4e, 0x47]));
    expect(newSetId('Mine!', ['mine'])).toBe('mine-2');
    expect(newSetId('★', [])).toBe('set');
  });
});

describe('image files for custom sets', () => {
  it('knows an image by its bytes, not its name', async () => {
    const pixel = sharp({ create: { width: 2, height: 2, channels: 4, background: '#0c8' } });
    expect(imageKind(await pixel.clone().png().toBuffer())).toBe('png');
    expect(imageKind(await pixel.clone().webp().toBuffer())).toBe('webp');
    expect(imageKind(await pixel.clone().gif().toBuffer())).toBe('gif');
    expect(imageKind(await pixel.clone().jpeg().toBuffer())).toBeNull();
    expect(imageKind(new TextEncoder().encode('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe('svg');
    expect(imageKind(new TextEncoder().encode('hello, not an image'))).toBeNull();
  });
  it('refuses an SVG that could run or fetch anything', () => {
    const svg = (body: string) => `<svg xmlns="http://www.w3.org/2000/svg">${body}</svg>`;
    expect(svgProblem(svg('<circle r="4" fill="url(#g)"/>'))).toBeNull();
    expect(svgProblem(svg('<script>alert(1)</script>'))).toBe('svgScript');
    expect(svgProblem(svg('<circle onload="alert(1)"/>'))).toBe('svgEventHandler');
    expect(svgProblem(svg('<a href="javascript:alert(1)"/>'))).toBe('svgJavascriptUrl');
    expect(svgProblem(svg('<foreignObject><div/></foreignObject>'))).toBe('svgForeignObject');
    expect(svgProblem(svg('<image href="https://example.com/x.png"/>'))).toBe('svgExternal');
    expect(svgProblem(svg('<rect style="fill: url(https://example.com/x)"/>'))).toBe('svgExternal');
  });
});
