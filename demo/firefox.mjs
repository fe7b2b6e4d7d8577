// Opens Firefox (over WebDriver BiDi, puppeteer-core) with an unpacked extension (or none) and, optionally,
// a camera from a real-face clip, with the call hosts mapped to the local call site. Firefox's fake camera
// cannot play a file, so the clip (as WebM, served by demo/server.mjs at CAMERA_PATH) plays in a muted,
// looping <video> of the page, and a preload script (run before every extension's MAIN-world
// document_start script: ../shared/DESIGN.md) makes getUserMedia's video track that element's capture.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { webmOf } from './fakeCamera.mjs';
import { CALL_HOSTS, CAMERA_PATH } from './server.mjs';

export { CAMERA_PATH, webmOf };

/** Debian's Firefox ESR: $FIREFOX_PATH, else /usr/bin/firefox-esr. */
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** emoface's gecko id (manifest browser_specific_settings.gecko.id). */
export const EXTENSION_ID = 'emoface@emoface.dev';

/** The internal UUID the launcher gives EXTENSION_ID: its pages are at moz-extension://EXTENSION_UUID/. */
export const EXTENSION_UUID = '6e6f6a69-6661-4365-8d65-6d6f66616365';

/** The label of the camera track made from the clip. */
export const CLIP_CAMERA_LABEL = 'emoface clip camera';

/** The address of `path` on call host `host` of the call site at `port` (Firefox keeps the port in the URL). */
export const callUrl = (host, port, path = '/') => `https://${host}:${port}${path}`;

/** Width, height and frame rate from a .y4m file's header. */
export function y4mFormat(file) {
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(256);
  try {
    readSync(fd, buffer, 0, buffer.length, 0);
  } finally {
    closeSync(fd);
  }
  const header = buffer.toString('latin1').split('\n')[0];
  const field = (letter) => header.split(' ').find((part) => part.startsWith(letter))?.slice(1);
  const [num, den] = (field('F') ?? '30:1').split(':').map(Number);
  return { width: Number(field('W')), height: Number(field('H')), fps: num / (den || 1) };
}

/**
 * The preload script (serialized into the page, runs in its main world). Replaces
 * MediaDevices.prototype.getUserMedia (where emoface's hook will find it and wrap it): a request with
 * video gets a track captured from a muted, looping <video> of `path` (one per document, outside it),
 * labelled `format.label`, whose getSettings() gives the clip's size and rate; audio comes from the
 * browser's own (fake) getUserMedia. Pages other than https ones are left alone.
 */
function cameraShim(path, format) {
  if (location.protocol !== 'https:' || typeof MediaDevices === 'undefined') return;
  const native = MediaDevices.prototype.getUserMedia;
  let player = null;
  const load = () => {
    const video = document.createElement('video');
    Object.assign(video, { src: path, loop: true, muted: true, playsInline: true, preload: 'auto' });
    return new Promise((resolve, reject) => {
      video.addEventListener('error', () => reject(new DOMException(`clip camera: ${path} did not load (start the call server with { camera })`, 'NotReadableError')), { once: true });
      video.play().then(() => resolve(video), reject);
    });
  };
  const dress = (track) => {
    const settings = track.getSettings.bind(track);
    const clone = track.clone.bind(track);
    Object.defineProperty(track, 'label', { value: format.label, configurable: true });
    Object.defineProperties(track, {
      getSettings: { value: () => ({ ...settings(), deviceId: 'emoface-clip', groupId: 'emoface-clip', width: format.width, height: format.height, frameRate: format.fps }), configurable: true, writable: true },
      clone: { value: () => dress(clone()), configurable: true, writable: true },
    });
    return track;
  };
  Object.defineProperty(MediaDevices.prototype, 'getUserMedia', {
    configurable: true, writable: true, enumerable: true,
    value: async function getUserMedia(constraints = {}) {
      if (!constraints.video) return native.call(this, constraints);
      const audio = constraints.audio ? await native.call(this, { audio: constraints.audio }) : null;
      if (!player) player = load().catch((error) => { player = null; throw error; });
      const video = await player.catch((error) => { audio?.getTracks().forEach((t) => t.stop()); throw error; });
      const captured = video.captureStream ? video.captureStream() : video.mozCaptureStream();
      const track = dress(captured.getVideoTracks()[0]);
      return new MediaStream([track, ...(audio?.getAudioTracks() ?? [])]);
    },
  });
}

/**
 * Launches Firefox (a temporary profile that close() removes).
 * @param {{extensionDir?: string | null, video?: string | null, headless?: boolean, virtualDisplay?: boolean, port: number, prefs?: Record<string, unknown>}} options
 *   extensionDir: the unpacked extension to install (temporarily; its gecko id should be EXTENSION_ID for a
 *   known UUID); video: a .y4m from demo/fakeCamera.mjs for the camera, which the call site at `port` must
 *   serve (startCallServer({ camera: webmOf(video) })); null: Firefox's fake camera (no face)
 */
export async function launchFirefox({ extensionDir = null, video = null, headless = true, virtualDisplay = true, port, prefs = {} }) {
  const format = video ? { ...y4mFormat(video), label: CLIP_CAMERA_LABEL } : null;
  if (video) webmOf(video);
  // Headless Firefox has no WebGL, which MediaPipe's detector needs even on the CPU: a window on a virtual
  // display instead, where Xvfb is installed (unless `virtualDisplay` is false).
  const display = headless && virtualDisplay && existsSync(XVFB_PATH) ? await startVirtualDisplay() : null;
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX_PATH, headless: headless && !display, acceptInsecureCerts: true, defaultViewport: null,
    ...(display ? { env: { ...process.env, DISPLAY: display.name } } : {}),
    // WebDriver BiDi navigates to moz-extension: pages only with system access allowed.
    args: extensionDir ? ['--remote-allow-system-access'] : [],
    extraPrefsFirefox: {
      'network.dns.localDomains': CALL_HOSTS.join(','),
      'network.trr.mode': 5,
      'media.navigator.permission.disabled': true,
      'media.navigator.streams.fake': true,
      'media.autoplay.default': 0,
      // The clip camera is a decoded video, which Firefox would stop decoding in a tab behind others; a
      // real camera goes on.
      'media.suspend-background-video.enabled': false,
      'extensions.webextensions.uuids': JSON.stringify({ [EXTENSION_ID]: EXTENSION_UUID }),
      ...prefs,
    },
  });
  try {
    // A preload script for every browsing context (puppeteer's own are per page): tabs the page opens get it too.
    if (format) {
      await browser.connection.send('script.addPreloadScript', {
        functionDeclaration: `() => (${cameraShim})(${JSON.stringify(CAMERA_PATH)}, ${JSON.stringify(format)})`,
      });
    }
    const extension = extensionDir ? await browser.installExtension(extensionDir) : null;
    return {
      browser,
      extension,
      extensionUuid: extension ? EXTENSION_UUID : null,
      newPage: () => browser.newPage(),
      /**
       * Opens moz-extension://EXTENSION_UUID/`path` in a new tab, loaded. (puppeteer's goto waits for
       * navigation events Firefox does not send for extension pages, so the navigation is sent as is.)
       */
      async extensionPage(path) {
        const page = await browser.newPage();
        const url = `moz-extension://${EXTENSION_UUID}/${path.replace(/^\//, '')}`;
        await browser.connection.send('browsingContext.navigate', { context: page.mainFrame()._id, url, wait: 'complete' });
        return page;
      },
      url: (host, path = '/') => callUrl(host, port, path),
      close: () => closeFirefox(browser).finally(() => display?.stop()),
    };
  } catch (error) {
    await closeFirefox(browser);
    display?.stop();
    throw error;
  }
}

/** Debian's Xvfb (apt-get install xvfb): a virtual display, where Firefox has WebGL (llvmpipe) as it has not headless. */
export const XVFB_PATH = '/usr/bin/Xvfb';

/** Starts Xvfb on a free display; resolves to its name (":N") and a stop(). */
function startVirtualDisplay() {
  const server = spawn(XVFB_PATH, ['-displayfd', '3', '-screen', '0', '1920x1080x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let text = '';
    server.stdio[3].on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve({ name: `:${text.trim()}`, stop: () => server.kill() });
    });
    server.once('error', reject);
    server.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it gave a display`)));
  });
}

/** Closes Firefox (puppeteer then removes the profile it made), killing it if it does not close in 10 s. */
async function closeFirefox(browser) {
  const process = browser.process();
  const timer = setTimeout(() => process?.kill('SIGKILL'), 10_000);
  await browser.close().catch(() => process?.kill('SIGKILL'));
  clearTimeout(timer);
}
