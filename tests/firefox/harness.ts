/** What the Firefox tests share: the launcher, the call site serving the clip, and the call page's missing piece. */
import type { Page } from 'puppeteer-core';
import { callUrl, CLIP_CAMERA_LABEL, EXTENSION_ID, EXTENSION_UUID, FIREFOX_PATH, launchFirefox, webmOf, XVFB_PATH } from '../../demo/firefox.mjs';
import { makeFaceVideo } from '../../demo/fakeCamera.mjs';
import { startCallServer } from '../../demo/server.mjs';

export { callUrl, CLIP_CAMERA_LABEL, EXTENSION_ID, EXTENSION_UUID, FIREFOX_PATH, launchFirefox, makeFaceVideo, startCallServer, webmOf, XVFB_PATH };

export type Firefox = Awaited<ReturnType<typeof launchFirefox>>;
export type CallSite = Awaited<ReturnType<typeof startCallServer>>;

/** In the page (a preload script): keeps every RTCPeerConnection the page makes in window.peers, for their statistics. */
export function recordPeers(): void {
  const Native = RTCPeerConnection;
  const peers: RTCPeerConnection[] = [];
  Object.assign(window, { peers, RTCPeerConnection: class extends Native {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      peers.push(this);
    }
  } });
}

/**
 * The loopback call's video over `ms` (recordPeers): what the sender takes from the camera track
 * (media-source) and what the receiver decodes (inbound-rtp), frames per second and size.
 */
export async function callRates(page: Page, ms: number): Promise<Record<'source' | 'remote', { fps: number; width: number; height: number }>> {
  const snapshot = () => page.evaluate(async () => {
    const [sender, receiver] = (window as unknown as { peers: RTCPeerConnection[] }).peers;
    const find = async (peer: RTCPeerConnection | undefined, type: string) => [...(await peer!.getStats()).values()].find((s) => s.type === type && s.kind === 'video');
    const source = await find(sender, 'media-source');
    const remote = await find(receiver, 'inbound-rtp');
    return {
      at: performance.now(),
      source: { frames: source?.frames ?? 0, width: source?.width ?? 0, height: source?.height ?? 0 },
      remote: { frames: remote?.framesDecoded ?? 0, width: remote?.frameWidth ?? 0, height: remote?.frameHeight ?? 0 },
    };
  });
  const before = await snapshot();
  await new Promise((wake) => setTimeout(wake, ms));
  const after = await snapshot();
  const rate = (side: 'source' | 'remote') => ({ ...after[side], fps: ((after[side].frames - before[side].frames) * 1000) / (after.at - before.at) });
  return { source: rate('source'), remote: rate('remote') };
}
