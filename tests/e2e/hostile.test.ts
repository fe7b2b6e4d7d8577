/**
 * A hostile page: during a call, the page's own scripts replace the built-ins the hook uses, forge the
 * content scripts' handshake, post malformed, huge and forged messages, claim to be the extension and
 * reach for extension APIs and files. None of it may change settings, stop the call, or hand the page
 * anything beyond what the hook itself needs to draw.
 */
import { expect, it } from 'vitest';
import { BRIDGE_READY, HELLO_FROM_HOOK } from '../../src/content/handshake';
import { callBrowserForFile, emojiShown, FACE_YELLOW, FLOWING_FPS, median, openCall, sampleColor, waitFor } from './harness';

const call = callBrowserForFile();

const storedSettings = () => call.browser.serviceWorker!.evaluate(async () => (await chrome.storage.sync.get(null)));

it('survives a page that forges, floods and snoops, with settings and extension data out of its reach', async () => {
  const { page } = await openCall(call.browser.context, 'meet.google.com');
  await waitFor(page, emojiShown, 15_000);
  const before = await storedSettings();

  const attack = await page.evaluate(async ({ extensionId, hello, bridgeReady }) => {
    // Snoop: replace what a hook would use to talk, hoping to read its messages and stream ids.
    const sniffed: unknown[] = [];
    const post = MessagePort.prototype.postMessage;
    MessagePort.prototype.postMessage = function (this: MessagePort, ...args: unknown[]) {
      sniffed.push(args[0]);
      return Reflect.apply(post, this, args);
    };
    crypto.randomUUID = () => '00000000-0000-4000-8000-000000000000';
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the hook sends a frame and stats in that time
    const sniffedStreamIds = sniffed.filter((m) => m !== null && typeof m === 'object' && 'streamId' in m).length;

    // Forge the hook's hello, many times, each with a port the page holds.
    const received: unknown[] = [];
    const ports = Array.from({ length: 12 }, () => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (event) => received.push(event.data);
      window.postMessage({ emoface: hello }, '*', [channel.port2]);
      return channel.port1;
    });
    let nested: unknown = 'bottom';
    for (let i = 0; i < 5000; i++) nested = { nested };
    const junk: unknown[] = [
      null, 42, 'analyse', [1, 2], nested,
      { type: 'setSettings', settings: { enabled: false, emojiSet: 'cats' } },
      { type: 'getStatus' }, { type: 'addSite', host: 'evil.example' },
      { type: 'faces', streamId: 'x', seq: 1, timestampMs: 0, faces: [{ emoji: '💩', box: { x: 0, y: 0, width: 1, height: 1 } }] },
      { type: 'state', on: false, emojiSet: 'cats', artwork: {} },
      { type: 'analyse', streamId: 'abc', seq: 1, width: 320, height: 240, pixels: new ArrayBuffer(10), timestampMs: 0 },
      { type: 'analyse', streamId: 'abc', seq: 1, width: 1e9, height: 1e9, pixels: new ArrayBuffer(0), timestampMs: 0 },
      { type: 'analyse', streamId: 'abc', seq: 1, width: 320, height: 240, pixels: new ArrayBuffer(64 * 1024 * 1024), timestampMs: 0 },
      { type: 'stats', stats: { streamId: 'abc', width: 1e12 } },
      { type: 'problem', streamId: 'abc', problem: '__proto__', detail: 'x' },
      { type: 'problem', streamId: 'abc', problem: 'frame', detail: 'x'.repeat(1_000_000) },
      { type: 'streamEnded', streamId: '00000000-0000-4000-8000-000000000000' },
    ];
    let unsendable = 0;
    for (const port of ports) {
      for (const message of junk) {
        try {
          port.postMessage(message);
        } catch {
          unsendable++; // the page's own structured clone refused it
        }
      }
    }
    // Claim to be the other content script, and the extension, on the window.
    for (let i = 0; i < 50; i++) window.postMessage({ emoface: bridgeReady }, '*');
    window.postMessage({ type: 'state', on: false, emojiSet: 'cats', artwork: {} }, '*');
    window.postMessage({ type: 'faces', streamId: 'x', seq: 1, timestampMs: 0, faces: [] }, '*');

    // Reach for the extension: its messaging, its storage, its files.
    const runtime = (globalThis as { chrome?: { runtime?: { sendMessage?: unknown } } }).chrome?.runtime;
    let messaging = 'no chrome.runtime.sendMessage in the page';
    if (typeof runtime?.sendMessage === 'function') {
      try {
        await (runtime.sendMessage as (id: string, m: unknown) => Promise<unknown>)(extensionId, { type: 'addSite', host: 'evil.example' });
        messaging = 'answered';
      } catch (error) {
        messaging = `refused: ${String(error)}`;
      }
    }
    const files: Record<string, string> = {};
    for (const path of ['manifest.json', 'models/expression.json', '_locales/en/messages.json', 'src/popup/index.html']) {
      try {
        files[path] = String((await fetch(`chrome-extension://${extensionId}/${path}`)).status);
      } catch {
        files[path] = 'blocked';
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return {
      sniffedStreamIds,
      received: received.map((m) => (m !== null && typeof m === 'object' ? Object.keys(m).sort().join(',') : typeof m)),
      receivedTypes: [...new Set(received.map((m) => (m as { type?: unknown } | null)?.type))],
      messaging, files, unsendable,
      storage: typeof (globalThis as { chrome?: { storage?: unknown } }).chrome?.storage,
    };
  }, { extensionId: call.browser.extensionId!, hello: HELLO_FROM_HOOK, bridgeReady: BRIDGE_READY });

  // Nothing changed the settings, and no extension API, storage or file was in reach.
  expect(await storedSettings()).toEqual(before);
  expect(attack.messaging).not.toBe('answered');
  expect(attack.storage).toBe('undefined');
  expect(Object.values(attack.files)).toEqual(['blocked', 'blocked', 'blocked', 'blocked']);
  // The page's replaced built-ins saw none of the hook's messages.
  expect(attack.sniffedStreamIds).toBe(0);
  // Forged ports got at most what the hook gets to draw: on/off, the set's name and its artwork.
  expect(attack.receivedTypes.every((type) => type === 'state')).toBe(true);
  expect(new Set(attack.received)).toEqual(new Set(attack.received.length ? ['artwork,emojiSet,on,type'] : []));
  // The call never stopped, and emoface still draws once the flood is over.
  expect(await page.evaluate(() => window.emofaceCall.remoteStats().fps)).toBeGreaterThanOrEqual(FLOWING_FPS);
  await waitFor(page, emojiShown, 10_000);
  expect(median(await sampleColor(page, FACE_YELLOW, 1000))).toBeGreaterThan(0.03);
});
