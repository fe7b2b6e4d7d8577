// `npm start`: opens Chrome or Chromium with the built extension (dist/) on the local demo call, which
// shows your camera and what the other side of a loopback WebRTC call receives.
//   npm start                   a window; the real camera if there is one, else a fake camera of real faces
//   npm start -- --fake         the fake camera even when a real one exists
//   npm start -- --headless     no window (automatic without a display): a call runs, screenshots are saved
//   npm start -- --faces 3      the fake camera shows three people
//   npm start -- --room         the fake camera shows a meeting room (demo/roomScene.mjs; --faces does not
//                               apply): six people 2–5 m away, faces 40–90 px tall, one walking in halfway
//   npm start -- --gestures     gestures switched on before the call (Chromium); headless, the screenshots
//                               wait for a face to show one (with --faces 3: the woman looking down, read as
//                               eyes closed, then asleep)
//   npm start -- --firefox      the same in Firefox ESR (dist-firefox/, built here; demo/firefox.mjs), its
//                               camera the fake one of real faces unless a window and a camera are there
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchBrowser, tabStatus, writeSettings } from '../demo/browser.mjs';
import { makeFaceVideo, makeRoomVideo, webmOf } from '../demo/fakeCamera.mjs';
import { launchFirefox } from '../demo/firefox.mjs';
import { startCallServer } from '../demo/server.mjs';
import { build } from './build.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({
  options: {
    fake: { type: 'boolean', default: false },
    headless: { type: 'boolean', default: false },
    faces: { type: 'string', default: '1' },
    room: { type: 'boolean', default: false },
    out: { type: 'string', default: join(ROOT, 'screenshots') },
    site: { type: 'string', default: 'meet.google.com' },
    firefox: { type: 'boolean', default: false },
    gestures: { type: 'boolean', default: false },
  },
});
const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY) || process.platform !== 'linux';
const headless = options.headless || !hasDisplay;
const hasCamera = process.platform !== 'linux' || (existsSync('/dev') && readdirSync('/dev').some((name) => /^video\d+$/.test(name)));
const faces = Number(options.faces) === 3 ? 3 : 1;
const fake = options.fake || options.room || headless || !hasCamera;
const video = !fake ? null : options.room ? makeRoomVideo() : makeFaceVideo({ width: 1280, height: 720, fps: 30, seconds: 4, faces });
const cameraName = !video ? 'yours' : options.room ? 'fake, a meeting room of six people from real photos' : `fake, ${faces} face(s) from real photos`;
/**
 * Share of the remote frame the emoji's yellow must cover before the screenshots: one face's emoji is
 * 5–35 % of the one- and three-face clips; the room's smallest (a 40-px face's, 54 px square, about
 * 70 % yellow) is 0.2 % of its frame.
 */
const emojiShare = options.room ? 0.002 : 0.02;

if (options.firefox) {
  if (options.gestures) console.log('--gestures is for Chromium: in Firefox, switch gestures on in the popup.');
  await startFirefox();
  process.exit(0);
}

if (!existsSync(join(ROOT, 'dist', 'manifest.json'))) throw new Error('dist/ is not built: run npm run build (npm start does it)');
const site = await startCallServer();
const browser = await launchBrowser({ extensionDir: join(ROOT, 'dist'), video, headless, port: site.port });
const page = browser.context.pages()[0] ?? await browser.context.newPage();
if (options.gestures) await writeSettings(browser.serviceWorker, { gestures: true });
await page.goto(`https://${options.site}/`);
console.log(`emoface ${headless ? '(headless) ' : ''}on the demo call at https://${options.site}/ — camera: ${cameraName}`);
if (!headless) {
  console.log('Press "Start call". The toolbar\'s puzzle piece → emoface opens the popup. Close the window to stop.');
  await new Promise((resolve) => browser.context.on('close', resolve));
} else {
  if (!hasDisplay && !options.headless) console.log('No display found: running headless and saving screenshots instead.');
  await page.setViewportSize({ width: 1280, height: 560 });
  await page.evaluate(() => window.emofaceCall.start({ width: 1280, height: 720, frameRate: 30 }));
  // Screenshots are taken at a moment the other side shows an emoji (the fake camera's faces move, and
  // one partly out of the frame is not found), after the previews have had time to show the call.
  const emojiShown = () => page.waitForFunction((share) => (window.emofaceCall.colorFraction([255, 204, 77]) ?? 0) > share, emojiShare, { timeout: 20_000, polling: 50 });
  await emojiShown().catch(() => console.log('No emoji appeared within 20 s: the screenshots show why (see the popup).'));
  await page.waitForTimeout(1500);
  if (options.gestures) await gestureShown().catch(() => console.log('No gesture was shown within 30 s.'));
  await emojiShown().catch(() => undefined);
  const [callShot, remoteShot] = await shootCall(page, '');
  // The popup, opened as a page (a toolbar popup cannot be opened headless): settings and choices.
  const popup = await browser.context.newPage();
  await popup.setViewportSize({ width: 340, height: 620 });
  await popup.goto(`chrome-extension://${browser.extensionId}/src/popup/index.html`);
  await popup.waitForTimeout(700);
  const popupShot = join(options.out, 'popup.png');
  await popup.screenshot({ path: popupShot, fullPage: true });
  await reportCall(page, [callShot, remoteShot, popupShot]);
  await browser.close();
}
await site.close();

/**
 * Resolves once a face of the call has shown a gesture and held it 2.5 s more (closed eyes become asleep
 * after 2 s), by the bridge's count of gestures shown; rejects after 30 s.
 */
async function gestureShown() {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { gesturesShown } = await tabStatus(browser.serviceWorker, `https://${options.site}/*`);
    if (Object.keys(gesturesShown).length > 0) return page.waitForTimeout(2500);
    if (Date.now() > deadline) throw new Error('no gesture shown');
    await page.waitForTimeout(250);
  }
}

/**
 * The same in Firefox: the call page at https://<site>:<port>/ (Firefox keeps the port in the address), the
 * popup's screenshot from its page. Headless runs on a virtual display where Xvfb is (MediaPipe needs WebGL).
 */
async function startFirefox() {
  const extensionDir = build('firefox');
  const firefoxSite = await startCallServer(video ? { camera: webmOf(video) } : {});
  const firefox = await launchFirefox({
    extensionDir, video, headless, port: firefoxSite.port, prefs: video ? {} : { 'media.navigator.streams.fake': false },
  });
  try {
    // The extension's page first: the call's tab must be in front (Firefox runs a tab behind others at one frame a second).
    const popup = headless ? await firefox.extensionPage('src/popup/index.html') : null;
    const page = await firefox.newPage();
    await page.goto(firefox.url(options.site));
    console.log(`emoface in Firefox ${headless ? '(headless) ' : ''}on the demo call at ${firefox.url(options.site)} — camera: ${cameraName}`);
    if (!headless) {
      console.log('Press "Start call". The toolbar\'s puzzle piece → emoface opens the popup. Close the window to stop.');
      await new Promise((resolve) => firefox.browser.once('disconnected', resolve));
      return;
    }
    await page.setViewport({ width: 1280, height: 560 });
    await page.evaluate(() => window.emofaceCall.start({ width: 1280, height: 720, frameRate: 30 }));
    // As with Chromium: shot at a moment the other side shows an emoji, once the previews show the call.
    const emojiShown = () => page.waitForFunction((share) => (window.emofaceCall.colorFraction([255, 204, 77]) ?? 0) > share, { timeout: 30_000, polling: 50 }, emojiShare);
    await emojiShown().catch(() => console.log('No emoji appeared within 30 s: the screenshots show why (see the popup).'));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await emojiShown().catch(() => undefined);
    const [callShot, remoteShot] = await shootCall(page, 'firefox-');
    await popup.setViewport({ width: 340, height: 620 });
    const popupShot = join(options.out, 'firefox-popup.png');
    await popup.screenshot({ path: popupShot, fullPage: true });
    await reportCall(page, [callShot, remoteShot, popupShot]);
  } finally {
    await firefox.close();
    await firefoxSite.close();
  }
}

/**
 * Saves the call page (`<prefix>call.png`) and the newest frame the other side received
 * (`<prefix>remote-frame.png`) into --out; `page` is Playwright's or puppeteer's (the calls used are common
 * to both). Returns the two paths.
 */
async function shootCall(page, prefix) {
  mkdirSync(options.out, { recursive: true });
  const callShot = join(options.out, `${prefix}call.png`);
  await page.screenshot({ path: callShot });
  const remote = await page.evaluate(() => window.emofaceCall.remoteSnapshot());
  const remoteShot = join(options.out, `${prefix}remote-frame.png`);
  if (remote) writeFileSync(remoteShot, Buffer.from(remote.split(',')[1], 'base64'));
  return [callShot, remoteShot];
}

/** Says what the other side receives on `page`'s call, and where the screenshots `shots` are. */
async function reportCall(page, shots) {
  const stats = await page.evaluate(() => window.emofaceCall.remoteStats());
  console.log(`The other side receives ${stats.width}×${stats.height} at ${stats.fps} fps. Screenshots:`);
  for (const shot of shots) console.log(`  ${relative(process.cwd(), shot)}`);
}
