/**
 * A meeting room on the Meet-like page: the 'room' clip (demo/roomScene.mjs) of six people 2–5 m away,
 * faces 40–90 px tall at 1280×720, one group sliding, one person walking in halfway through. The remote
 * side is sampled for 10 s; the clip's burned-in frame counter says which frame each sample is, so each
 * face is checked where that frame shows it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRoomVideo } from '../../demo/fakeCamera.mjs';
import { COVERED_FILL, coverageByFace, entryDelays, lookAtRemote, type Look } from '../../demo/roomCoverage.mjs';
import { ENTERING, ROOM } from '../../demo/roomScene.mjs';
import {
  assertBuilt, DIST, FLOWING_FPS, launchBrowser, median, openCall, startCallServer, type Browser, type CallSite,
} from './harness';

/** The first seconds of a call are not judged: the analyser loads and warms up. */
const WARM_UP_MS = 3000;
const SAMPLING_MS = 10_000;
/** Pause between samples, so that reading the remote frame does not starve the extension on a small machine. */
const SAMPLE_EVERY_MS = 100;
/** A face this tall or taller must be covered in COVERED_SHARE of the samples that show it. */
const SMALLEST_JUDGED_PX = 40;
const COVERED_SHARE = 0.9;
/** The entering face must be covered within this many clip frames of the cut that shows it (1 s). */
const ENTRY_FRAMES = ROOM.fps;

let site: CallSite;
let browser: Browser;

beforeAll(async () => {
  assertBuilt();
  site = await startCallServer();
  browser = await launchBrowser({ extensionDir: DIST, video: makeRoomVideo(), port: site.port });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

const percent = (part: number, whole: number) => `${Math.round((100 * part) / Math.max(1, whole))} %`;

describe('a meeting room of small, distant faces', () => {
  it('covers every face of 40 px and more on nearly every frame, and a person who walks in within a second', async () => {
    const { page, track } = await openCall(browser.context, 'meet.google.com', { width: ROOM.width, height: ROOM.height, frameRate: ROOM.fps });
    expect(track.settings).toMatchObject({ width: ROOM.width, height: ROOM.height });
    await page.waitForTimeout(WARM_UP_MS);

    const samples: (Look | null)[] = [];
    const started = Date.now();
    while (Date.now() - started < SAMPLING_MS) {
      samples.push(await lookAtRemote(page));
      await page.waitForTimeout(SAMPLE_EVERY_MS);
    }
    const stats = await page.evaluate(() => window.emofaceCall.remoteStats());
    const looks = samples.filter((look): look is Look => look !== null);
    const byFace = coverageByFace(looks, ENTRY_FRAMES);
    const delays = entryDelays(looks, ENTRY_FRAMES);

    console.log(`room: ${samples.length} samples, counter read on ${looks.length} (${percent(looks.length, samples.length)}), `
      + `frames ${Math.min(...looks.map((l) => l.frameIndex))}–${Math.max(...looks.map((l) => l.frameIndex))}; remote ${stats.width}×${stats.height} at ${stats.fps} fps`);
    console.log('face           height  present  covered  median fill  each sample: # covered, . bare, blank absent');
    for (const [id, face] of byFace) {
      const timeline = looks.map((look) => {
        const shown = look.faces.find((f) => f.id === id);
        return shown ? (shown.fill >= COVERED_FILL ? '#' : '.') : ' ';
      }).join('');
      console.log(`${id.padEnd(14)} ${face.heightPx.toFixed(0).padStart(4)} px  ${String(face.present).padStart(7)}  ${percent(face.covered, face.present).padStart(7)}  ${median(face.fills).toFixed(3).padStart(11)}  ${timeline}`);
    }
    console.log(`entering (${ENTERING.ids.join(', ')}, from frame ${ENTERING.fromFrame}): covered ${delays.map((d) => (Number.isFinite(d) ? `${d} frames` : 'never')).join(', ') || 'no entry sampled'} after the cut`);

    expect(looks.length, 'samples whose frame counter was read').toBeGreaterThanOrEqual(0.9 * samples.length);
    expect(stats.fps).toBeGreaterThanOrEqual(FLOWING_FPS);
    const uncovered = [...byFace].filter(([, face]) => face.heightPx >= SMALLEST_JUDGED_PX && face.covered < COVERED_SHARE * face.present)
      .map(([id, face]) => `${id} (${face.heightPx.toFixed(0)} px): ${percent(face.covered, face.present)} of ${face.present}`);
    expect.soft(uncovered, `faces covered on fewer than ${percent(COVERED_SHARE, 1)} of the samples showing them`).toEqual([]);
    expect.soft(delays.length, 'passes through the cut that show whether the entering face was covered').toBeGreaterThanOrEqual(1);
    expect.soft(delays.filter((delay) => delay > ENTRY_FRAMES), `entries covered later than ${ENTRY_FRAMES} frames after the cut`).toEqual([]);
    await page.close();
  });
});
