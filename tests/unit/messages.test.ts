import { describe, expect, it } from 'vitest';
import { parseHookMessage } from '../../src/pipeline/messages';

const frame = (width: number, height: number, bytes = width * height * 4) => ({
  type: 'analyse', streamId: 'a1b2-c3', seq: 7, width, height, pixels: new ArrayBuffer(bytes), timestampMs: 1234.5, classify: true,
});
const stats = {
  streamId: 's-1', width: 1280, height: 720, fpsIn: 30, fpsOut: 30, emojiFps: 29, analysesPerSecond: 18, analysisIntervalMs: 250, yielding: false,
  compositeMs: 2.1, frameMs: 3.4, copyMs: 0.6, analysisCopyMs: 1.1, resultAgeMs: 40, movingFrames: 3, movingAgeMs: 33, placementErrorPct: 1.5, placementErrorMaxPct: 4.2,
  faces: 1, drawing: true, cameraFrames: 3000, framesOut: 2999,
};

describe('messages from the page world (the bridge checks each)', () => {
  it('accepts well-formed messages and returns only the known fields', () => {
    expect(parseHookMessage(frame(320, 180))).toMatchObject({ type: 'analyse', width: 320, height: 180, seq: 7 });
    expect(parseHookMessage({ type: 'stats', stats: { ...stats, extra: 'x' } })).toEqual({ type: 'stats', stats });
    expect(parseHookMessage({ type: 'streamEnded', streamId: 's-1' })).toEqual({ type: 'streamEnded', streamId: 's-1' });
    const long = parseHookMessage({ type: 'problem', streamId: 's-1', problem: 'frame', detail: 'x'.repeat(10_000) });
    expect(typeof long !== 'string' && long.type === 'problem' && long.detail.length).toBe(300);
  });
  it('rejects frames that are too big, mis-sized or not bytes, naming what is wrong', () => {
    expect(parseHookMessage(frame(1280, 720))).toMatch(/width and height must be 1\.\.320/);
    expect(parseHookMessage(frame(320, 180, 100))).toMatch(/pixels must be an ArrayBuffer of width × height × 4 bytes/);
    expect(parseHookMessage({ ...frame(32, 32), pixels: 'AAAA' })).toMatch(/pixels/);
    expect(parseHookMessage({ ...frame(32, 32), seq: -1 })).toMatch(/seq/);
    expect(parseHookMessage({ ...frame(32, 32), timestampMs: Number.NaN })).toMatch(/timestampMs/);
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
    expect(parseHookMessage({ ...frame(320, 180), classify: 'no' })).toMatch(/classify must be true or false/);
    expect(parseHookMessage({ type: 'stats', stats: { ...stats, placementErrorPct: Number.NaN } })).toMatch(/placementErrorPct/);
    expect(parseHookMessage({ type: 'stats', stats: { ...stats, cameraFrames: -1 } })).toMatch(/cameraFrames must be a count/);
    expect(parseHookMessage({ type: 'problem', streamId: 's', problem: 'frame', detail: 42 })).toMatch(/detail must be text/);
    expect(parseHookMessage({ type: 'problem', streamId: 's', problem: 'settingsField', detail: '' })).toMatch(/must be one of artwork, camera, frame/);
    expect(parseHookMessage({ type: 'problem', streamId: 's', problem: 'toString', detail: '' })).toMatch(/must be one of/);
  });
});
