import { describe, expect, it } from 'vitest';
import { parseHookMessage } from '../../src/pipeline/messages';
import { followLayouts, searchLayout, type ViewLayout } from '../../src/pipeline/views';

const view = (layout: ViewLayout, bytes = layout.width * layout.height * 4) => ({ layout, pixels: new ArrayBuffer(bytes) });
const search = searchLayout(1280, 720);
const follow = followLayouts([{ x: 0.4, y: 0.3, width: 0.1, height: 0.2 }, { x: 0.95, y: 0.9, width: 0.1, height: 0.2 }], 1280, 720)[0]!;
const frame = (views: unknown[] = [view(search), view(follow)]) => ({
  type: 'analyse', streamId: 'a1b2-c3', seq: 7, frameWidth: 1280, frameHeight: 720, views, timestampMs: 1234.5, classify: true, gestureIntervalMs: 400,
});
const stats = {
  streamId: 's-1', width: 1280, height: 720, fpsIn: 30, fpsOut: 30, emojiFps: 29, analysesPerSecond: 18, analysisIntervalMs: 250, yielding: false,
  compositeMs: 2.1, frameMs: 3.4, copyMs: 0.6, analysisCopyMs: 1.1, replyMs: 30, resultAgeMs: 40, movingFrames: 3, movingAgeMs: 33, placementErrorPct: 1.5, placementErrorMaxPct: 4.2,
  faces: 1, drawing: true, cameraFrames: 3000, framesOut: 2999,
};

describe('messages from the page world (the bridge checks each)', () => {
  it('accepts well-formed messages and returns only the known fields', () => {
    const parsed = parseHookMessage({ ...frame(), extra: 1 });
    expect(parsed).toMatchObject({ type: 'analyse', frameWidth: 1280, frameHeight: 720, seq: 7, classify: true });
    expect(typeof parsed !== 'string' && parsed.type === 'analyse' && parsed.views.map((v) => v.layout)).toEqual([search, follow]);
    expect(parseHookMessage({ type: 'stats', stats: { ...stats, extra: 'x' } })).toEqual({ type: 'stats', stats });
    expect(parseHookMessage({ type: 'streamEnded', streamId: 's-1' })).toEqual({ type: 'streamEnded', streamId: 's-1' });
    expect(parseHookMessage({ type: 'clock', streamId: 's-1', intervalMs: 1000 / 30 })).toEqual({ type: 'clock', streamId: 's-1', intervalMs: 1000 / 30 });
    expect(parseHookMessage({ type: 'clock', streamId: 's-1', intervalMs: null })).toEqual({ type: 'clock', streamId: 's-1', intervalMs: null });
    const long = parseHookMessage({ type: 'problem', streamId: 's-1', problem: 'frame', detail: 'x'.repeat(10_000) });
    expect(typeof long !== 'string' && long.type === 'problem' && long.detail.length).toBe(300);
  });
  it('rejects views that are too big, mis-sized, badly laid out or not bytes, naming what is wrong', () => {
    const big = { kind: 'search', width: 2048, height: 1152, cells: [{ ...search.cells[0]!, width: 2048, height: 1152 }] } as const;
    expect(parseHookMessage(frame([view(big)]))).toMatch(/views\[0\]: layout width and height must be 1\.\.1024/);
    expect(parseHookMessage(frame([view(search, 100)]))).toMatch(/views\[0\]: pixels must be an ArrayBuffer of width × height × 4 bytes/);
    expect(parseHookMessage(frame([{ layout: search, pixels: 'AAAA' }]))).toMatch(/pixels/);
    expect(parseHookMessage(frame([]))).toMatch(/views must be a list of 1\.\.3/);
    expect(parseHookMessage(frame([view(search), view(search), view(search), view(search)]))).toMatch(/views must be a list/);
    expect(parseHookMessage(frame([view({ ...follow, kind: 'zoom' as 'follow' })]))).toMatch(/kind must be search or follow/);
    const outside = { ...follow, cells: [{ ...follow.cells[0]!, x: follow.width }] };
    expect(parseHookMessage(frame([view(outside)]))).toMatch(/views\[0\]: cell 0 must lie inside the view/);
    const nowhere = { ...follow, cells: [{ ...follow.cells[0]!, source: { x: Number.NaN, y: 0, width: 1, height: 1 } }] };
    expect(parseHookMessage(frame([view(nowhere)]))).toMatch(/cell 0: source must be a box in fractions of the frame/);
    expect(parseHookMessage(frame([view({ ...search, cells: [...search.cells, ...search.cells] })]))).toMatch(/cells must be a list of 1\.\.1/);
    expect(parseHookMessage({ ...frame(), frameWidth: 0 })).toMatch(/frameWidth and frameHeight must be 1\.\.8192/);
    expect(parseHookMessage({ ...frame(), seq: -1 })).toMatch(/seq/);
    expect(parseHookMessage({ ...frame(), timestampMs: Number.NaN })).toMatch(/timestampMs/);
  });
  it('rejects forged or malformed messages of every kind', () => {
    expect(parseHookMessage(null)).toBe('not an object');
    expect(parseHookMessage('{"type":"analyse"}')).toBe('not an object');
    expect(parseHookMessage({ type: 'setSettings', streamId: 'x', enabled: false })).toMatch(/unknown message type "setSettings"/);
    expect(parseHookMessage({ type: 'faces', streamId: 'x', faces: [] })).toMatch(/unknown message type/);
    expect(parseHookMessage({ type: 'streamEnded', streamId: '../../etc' })).toMatch(/bad streamId/);
    expect(parseHookMessage({ type: 'stats', stats: { ...stats, fpsIn: 1e9 } })).toMatch(/fpsIn/);
    expect(parseHookMessage({ type: 'stats', stats: { ...stats, drawing: 'yes' } })).toMatch(/drawing/);
    expect(parseHookMessage({ type: 'stats', stats: { ...stats, yielding: 1 } })).toMatch(/yielding must be true or false/);
    expect(parseHookMessage({ ...frame(), classify: 'no' })).toMatch(/classify must be true or false/);
    // Gestures read more often than the default (a page driving the landmarker), or not at all: refused.
    for (const gestureIntervalMs of [0, 399, 1601, Infinity, '400', undefined]) {
      expect(parseHookMessage({ ...frame(), gestureIntervalMs }), String(gestureIntervalMs)).toMatch(/gestureIntervalMs must be a number 400\.\.1600/);
    }
    expect(parseHookMessage({ type: 'stats', stats: { ...stats, placementErrorPct: Number.NaN } })).toMatch(/placementErrorPct/);
    expect(parseHookMessage({ type: 'stats', stats: { ...stats, cameraFrames: -1 } })).toMatch(/cameraFrames must be a count/);
    expect(parseHookMessage({ type: 'problem', streamId: 's', problem: 'frame', detail: 42 })).toMatch(/detail must be text/);
    // A clock faster than a 120-fps camera's would only keep the extension busy.
    for (const intervalMs of [0, 1, -33, 5000, Number.NaN, '33', undefined]) {
      expect(parseHookMessage({ type: 'clock', streamId: 's', intervalMs })).toMatch(/clock: intervalMs must be null or 8\.\.1000/);
    }
    expect(parseHookMessage({ type: 'problem', streamId: 's', problem: 'settingsField', detail: '' })).toMatch(/must be one of artwork, camera, frame/);
    expect(parseHookMessage({ type: 'problem', streamId: 's', problem: 'toString', detail: '' })).toMatch(/must be one of/);
  });
});
