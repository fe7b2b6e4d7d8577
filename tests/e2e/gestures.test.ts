/**
 * Gestures in Chromium, end to end: the built extension with gestures switched on, a loopback call from
 * a camera of real faces. The bridge counts the faces shown with each gesture (TabStatus.gesturesShown).
 * The demo faces (a neutral face, a smiling one, three people) must show none; film stills of a mouth
 * wide open and of closed eyes (SFEW, where ../shared/datasets has it) must show theirs. No clip of a
 * talking face, a wink or a kiss is among those we have: the unit tests hold those rules
 * (tests/unit/gestureReader.test.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, DIST, emojiShown, launchBrowser, makeFaceVideo, openCall, paddedStill, REPO, startCallServer, tabStatus, waitFor, writeSettings, type CallSite } from './harness';

const SFEW = join(REPO, '..', 'shared', 'datasets', 'sfew');
const MOUTH_OPEN = join(SFEW, 'fear', 'DeepBlueSea_010340320_00000006.png');
const EYES_CLOSED = join(SFEW, 'sad', 'Bridesmaids_014427000_00000005.png');

let site: CallSite;

beforeAll(async () => {
  assertBuilt();
  site = await startCallServer();
});

afterAll(async () => {
  await site?.close();
});

/** A call from `video` with gestures on, run for `ms` once the emoji shows; the tab's status then. */
async function callWithGestures(video: string, size: { width: number; height: number }, ms: number) {
  const browser = await launchBrowser({ extensionDir: DIST, video, port: site.port });
  try {
    await writeSettings(browser.serviceWorker!, { gestures: true });
    const { page } = await openCall(browser.context, 'meet.google.com', { ...size, frameRate: 30 });
    await waitFor(page, emojiShown, 20_000);
    await page.waitForTimeout(ms);
    const status = await tabStatus(browser.serviceWorker!, 'https://meet.google.com/*');
    return { status, emojiShown: await page.evaluate(emojiShown) };
  } finally {
    await browser.close();
  }
}

describe('gestures switched on', () => {
  it('shows the expression emoji as before on the demo faces, neutral and smiling, and no gesture', async () => {
    const { status, emojiShown: shown } = await callWithGestures(makeFaceVideo({ width: 640, height: 480, faces: 1 }), { width: 640, height: 480 }, 8000);
    // The landmarker read the faces (its own stage took time) and found no gesture on them.
    expect(status.stageMs?.gestures).toBeGreaterThan(0);
    expect(status.gesturesShown).toEqual({});
    expect(status.lastError).toBeNull();
    expect(shown).toBe(true);
  }, 60_000);

  it('reads three people at once: none winks, kisses, opens the mouth or raises a brow', async () => {
    const { status } = await callWithGestures(makeFaceVideo({ width: 1280, height: 720, faces: 3, seconds: 3 }), { width: 1280, height: 720 }, 8000);
    // Three, or more for a moment where a face is held at its last place while found anew.
    expect(status.streams[0]?.faces).toBeGreaterThanOrEqual(3);
    expect(status.stageMs?.gestures).toBeGreaterThan(0);
    // The woman in the middle of face-api's sample1 looks down with her eyes nearly shut (the landmarker
    // reads 0.55 and 0.50 from the photo itself, more from the clip's smaller face): closed eyes are what
    // she shows, and all that may show.
    expect(Object.keys(status.gesturesShown).filter((gesture) => gesture !== 'eyesClosed' && gesture !== 'asleep')).toEqual([]);
  }, 60_000);

  it.skipIf(!existsSync(MOUTH_OPEN))('shows 😮 on a mouth held wide open', async () => {
    const { status } = await callWithGestures(makeFaceVideo({ photos: [paddedStill(MOUTH_OPEN)] }), { width: 640, height: 480 }, 4000);
    expect(status.gesturesShown.mouthOpen).toBeGreaterThan(0);
  }, 60_000);

  it.skipIf(!existsSync(EYES_CLOSED))('shows 😌 on closed eyes, then 😴 once they stay closed', async () => {
    const { status } = await callWithGestures(makeFaceVideo({ photos: [paddedStill(EYES_CLOSED)] }), { width: 640, height: 480 }, 5000);
    expect(status.gesturesShown.eyesClosed).toBeGreaterThan(0);
    expect(status.gesturesShown.asleep).toBeGreaterThan(0);
  }, 60_000);
});
