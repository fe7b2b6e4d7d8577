/** What the end-to-end tests share: the built extension, the call site, a browser on it, and small waits. */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser } from '../../demo/browser.mjs';
import { devtools } from '../../demo/devtools.mjs';
import { makeFaceVideo } from '../../demo/fakeCamera.mjs';
import { startCallServer } from '../../demo/server.mjs';

export const REPO = join(import.meta.dirname, '..', '..');
export const DIST = join(REPO, 'dist');

/** Twemoji's face yellow (see demo/pages/call.js colorFraction). */
export const FACE_YELLOW = [255, 204, 77] as const;

/** In the page: whether the remote frame shows emoji (their yellow over more than 5 % of it). */
export const emojiShown = (): boolean => (window.emofaceCall.colorFraction([255, 204, 77]) ?? 0) > 0.05;

/** In the page: whether the remote frame shows no emoji (their yellow over less than 1 % of it). */
export const emojiGone = (): boolean => (window.emofaceCall.colorFraction([255, 204, 77]) ?? 1) < 0.01;

/**
 * In the page: whether the remote frame shows cats rather than faces. Every cat emoji has a cream muzzle,
 * 2–3 % of its square, no face emoji has any; measured against the emoji yellow both sets share (cats:
 * cream 2.5–5 % of the yellow over the clip, faces: at most 0.2 %), so a small face counts as much as a big one.
 */
export const catsShown = (): boolean => {
  const yellow = window.emofaceCall.colorFraction([255, 204, 77]) ?? 0;
  return yellow > 0.02 && (window.emofaceCall.colorFraction([254, 231, 184], { tolerance: 12 }) ?? 0) > 0.012 * yellow;
};

export function assertBuilt(dir = DIST): void {
  if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`${dir} has no manifest.json: run npm run build first`);
}

export type CallSite = Awaited<ReturnType<typeof startCallServer>>;
export type Browser = Awaited<ReturnType<typeof launchBrowser>>;

export { devtools, launchBrowser, makeFaceVideo, startCallServer };

/** Chromium's flag that opens the DevTools protocol's Extensions domain: load, uninstall, the toolbar button. */
export const EXTENSION_DEBUGGING = '--enable-unsafe-extension-debugging';

/** A copy of the built extension in a temporary folder, whose manifest `edit` can change (now or later). */
export function extensionCopy(): { dir: string; edit(change: (manifest: chrome.runtime.ManifestV3) => void): void; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'emoface-extension-'));
  cpSync(DIST, dir, { recursive: true });
  const file = join(dir, 'manifest.json');
  return {
    dir,
    edit(change) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as chrome.runtime.ManifestV3;
      change(manifest);
      writeFileSync(file, JSON.stringify(manifest, null, 2));
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Opens the extension's real popup for the tab showing `url`, as a click on its toolbar button does
 * (Chromium started with EXTENSION_DEBUGGING). `click` clicks an element of it as the user does (with a
 * user gesture); `text` is its text; both fail once the popup has closed.
 */
export async function openPopupOn(browser: Browser, url: string): Promise<{ click(id: string): Promise<void>; text(): Promise<string> }> {
  const protocol = await devtools(browser.context);
  const { targetInfos: tabs } = await protocol.browser.send('Target.getTargets', { filter: [{ type: 'tab' }] });
  const tab = tabs.find((t) => t.url === url);
  if (!tab) throw new Error(`no tab shows ${url}`);
  await protocol.browser.send('Extensions.triggerAction', { id: browser.extensionId!, targetId: tab.targetId });
  const popupUrl = `chrome-extension://${browser.extensionId}/src/popup/index.html`;
  let popup = null;
  for (let tries = 0; !popup && tries < 50; tries++) {
    popup = await protocol.target((t) => t.url === popupUrl);
    if (!popup) await new Promise((wake) => setTimeout(wake, 100));
  }
  if (!popup) throw new Error('the popup did not open');
  const run = async (expression: string) => {
    const { result, exceptionDetails } = await protocol.send(popup, 'Runtime.evaluate', { expression, userGesture: true, awaitPromise: true, returnByValue: true });
    if (exceptionDetails) throw new Error(`popup: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value as unknown;
  };
  await run('new Promise((done) => document.readyState === "complete" ? done() : addEventListener("load", () => done()))');
  return {
    click: async (id) => void await run(`document.getElementById(${JSON.stringify(id)}).click()`),
    text: async () => String(await run('document.body.innerText')),
  };
}

/**
 * For one test file: the call site and Chromium with the built extension and a fake camera of one real
 * face, started before the file's tests and closed after them. The fields are set once `beforeAll` ran.
 */
export function callBrowserForFile(): { site: CallSite; browser: Browser } {
  const started = {} as { site: CallSite; browser: Browser };
  beforeAll(async () => {
    assertBuilt();
    started.site = await startCallServer();
    started.browser = await launchBrowser({ extensionDir: DIST, video: makeFaceVideo({ faces: 1 }), port: started.site.port });
  });
  afterAll(async () => {
    await started.browser?.close();
    await started.site?.close();
  });
  return started;
}

/** Opens https://<host>/ and starts the loopback call with `video` constraints (see startCall). */
export async function openCall(context: BrowserContext, host: string, video?: unknown, audio = false): Promise<{ page: Page; track: TrackInfo }> {
  const page = await context.newPage();
  await page.goto(`https://${host}/`);
  return { page, track: await startCall(page, video, audio) };
}

/**
 * Frames per second the other side must receive for frames to count as flowing: a third of the camera's
 * 30. What the tests check with it is that frames flow (through faults, toggles, hostile pages), not how
 * fast: a busy machine slows a call with emoface on or off alike, and `npm run bench` measures speed.
 */
export const FLOWING_FPS = 10;

/** Starts the loopback call in `page` and waits until frames flow to the remote side; what the page's track is. */
export async function startCall(page: Page, video: unknown = { width: 640, height: 480, frameRate: 30 }, audio = false): Promise<TrackInfo> {
  const track = await page.evaluate(([v, a]) => window.emofaceCall.start(v, a), [video, audio] as const) as TrackInfo;
  await page.waitForFunction((fps) => window.emofaceCall.remoteStats().fps >= fps, FLOWING_FPS, { timeout: 15_000, polling: 100 });
  return track;
}

/** What the call page reports about the track it got. */
export interface TrackInfo {
  label: string;
  kind: string;
  readyState: string;
  settings: MediaTrackSettings;
  constraints: MediaTrackConstraints;
  capabilities: MediaTrackCapabilities;
  audioTracks: number;
  /** True when every audio track is the microphone's own. */
  audioIsCameraTrack: boolean;
  videoTracks: number;
  /** True when the page holds the camera's own track (not emoface's processed one). */
  isCameraTrack: boolean;
}

/** Polls `predicate` in the page every 50 ms until it is true; returns the ms it took; throws after `timeoutMs`. */
export async function waitFor(page: Page, predicate: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  await page.waitForFunction(predicate, undefined, { timeout: timeoutMs, polling: 50 });
  return Date.now() - started;
}

/** Fraction of the newest remote frame's pixels within `tolerance` of `rgb` per channel. */
export function colorFraction(page: Page, rgb: readonly number[], tolerance = 30): Promise<number> {
  const color = [...rgb];
  return page.evaluate(({ c, t }) => window.emofaceCall.colorFraction(c, { tolerance: t }) ?? 0, { c: color, t: tolerance });
}

/** `colorFraction` of the newest remote frame every 100 ms for `ms` (the clip moves: one frame proves little). */
export async function sampleColor(page: Page, rgb: readonly number[], ms: number, tolerance = 30): Promise<number[]> {
  const samples: number[] = [];
  for (let t = 0; t < ms; t += 100) {
    samples.push(await colorFraction(page, rgb, tolerance));
    await page.waitForTimeout(100);
  }
  return samples;
}

/** The middle value of `samples`. */
export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export { tabStatus, writeSettings } from '../../demo/browser.mjs';

/** A rectangle of a frame in fractions of its width and height (0..1). */
export interface FrameRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

declare global {
  interface Window {
    emofaceCall: {
      start(video: unknown, audio: boolean): Promise<TrackInfo>;
      stop(): Promise<{ readyState: string }>;
      remoteStats(): { frames: number; fps: number; width: number; height: number };
      colorFraction(rgb: number[], options?: { which?: 'remote' | 'local' | 'held'; tolerance?: number; region?: FrameRegion }): number | null;
      brightness(regions: FrameRegion[], options?: { which?: 'remote' | 'local' | 'held' }): number[] | null;
      holdRemote(): { width: number; height: number } | null;
      remoteSnapshot(): Promise<string | null>;
      localTrack(): MediaStreamTrack;
      describeLocal(): TrackInfo | null;
    };
  }
}

/**
 * A film still (a tight face crop) set in grey around it, 2.5 times its width and twice its height, so that
 * the camera clip shows the whole face at a webcam's size rather than covering the frame with it.
 */
export function paddedStill(photo: string): string {
  const folder = join(tmpdir(), 'emoface-camera');
  mkdirSync(folder, { recursive: true });
  const out = join(folder, `padded-${basename(photo)}`);
  if (!existsSync(out)) execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', photo, '-vf', 'pad=iw*5/2:ih*2:(ow-iw)/2:(oh-ih)/2:color=gray', out]);
  return out;
}
