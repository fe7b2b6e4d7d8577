/**
 * emoface's page-side hook: a MAIN-world content script run at document_start, before the page's own
 * scripts. It wraps MediaDevices.prototype.getUserMedia so that, where emoface is on, the page receives
 * its camera with an emoji drawn over every face. Everything else (settings, analysis) it gets from the
 * bridge through one MessagePort; whatever fails here, the page keeps a working camera.
 */
import type { BridgeMessage } from '../pipeline/messages';
import { connectToBridge } from './hook/bridgeLink';
import { CameraPipeline, type HookState } from './hook/cameraPipeline';

/** How long getUserMedia waits for the bridge to say whether emoface is on here (ms). */
const BRIDGE_WAIT_MS = 1500;
/** How long getUserMedia waits for the camera's frames to be readable before handing emoface's track over anyway (ms). */
const START_WAIT_MS = 3000;

/** Set on window once the hook is in: a second injection (after an extension update) must not wrap twice. */
const INSTALLED = Symbol.for('emoface.hook');

function install(): void {
  Object.defineProperty(window, INSTALLED, { value: true });
  const link = connectToBridge();
  let state: HookState = { on: false, artwork: new Map() };
  let artworkOf = '';
  const pipelines = new Map<string, CameraPipeline>();

  const handlers: { [K in BridgeMessage['type']]: (message: Extract<BridgeMessage, { type: K }>) => void } = {
    state: (message) => {
      state = { ...state, on: message.on };
      const names = Object.keys(message.artwork);
      if (names.length === 0 || artworkOf === `${message.emojiSet}:${names.join()}`) return;
      artworkOf = `${message.emojiSet}:${names.join()}`;
      void decodeArtwork(message.artwork).then((artwork) => {
        state = { ...state, artwork };
      }, (error: unknown) => link.send({ type: 'problem', streamId: 'artwork', problem: 'artwork', detail: String(error) }));
    },
    faces: (message) => pipelines.get(message.streamId)?.onFaces(message),
    analysisFailed: (message) => pipelines.get(message.streamId)?.onAnalysisFailed(message.seq),
    tick: (message) => pipelines.get(message.streamId)?.onTick(),
  };
  link.onMessage((message) => (handlers[message.type] as (m: BridgeMessage) => void)(message));

  const nativeGetUserMedia = MediaDevices.prototype.getUserMedia;
  Object.defineProperty(MediaDevices.prototype, 'getUserMedia', {
    configurable: true,
    writable: true,
    value: async function getUserMedia(this: MediaDevices, constraints?: MediaStreamConstraints): Promise<MediaStream> {
      const stream = await nativeGetUserMedia.call(this, constraints);
      if (stream.getVideoTracks().length === 0) return stream;
      const current = await link.state(BRIDGE_WAIT_MS);
      if (!current?.on) return stream;
      try {
        const video = await Promise.all(stream.getVideoTracks().map(async (camera) => {
          const pipeline = new CameraPipeline(camera, link, () => state, () => pipelines.delete(pipeline.streamId));
          pipelines.set(pipeline.streamId, pipeline);
          // A camera whose frames cannot be read here (Firefox where autoplay is blocked) goes to the page
          // as it is: its pipeline has ended by itself, leaving the camera running.
          const readable = await Promise.race([
            pipeline.started.then(() => true, (error: unknown) => {
              link.send({ type: 'problem', streamId: 'getUserMedia', problem: 'camera', detail: String(error) });
              return false;
            }),
            new Promise<boolean>((resolve) => setTimeout(resolve, START_WAIT_MS, true)),
          ]);
          return readable ? pipeline.output : camera;
        }));
        return new MediaStream([...stream.getAudioTracks(), ...video]);
      } catch (error) {
        link.send({ type: 'problem', streamId: 'getUserMedia', problem: 'camera', detail: String(error) });
        return stream;
      }
    },
  });
}

/** PNG bytes by emoji → decoded images by emoji. */
async function decodeArtwork(images: Readonly<Record<string, ArrayBuffer>>): Promise<Map<string, ImageBitmap>> {
  const entries = await Promise.all(Object.entries(images).map(async ([emoji, png]) =>
    [emoji, await createImageBitmap(new Blob([png], { type: 'image/png' }))] as const));
  return new Map(entries);
}

if (!(INSTALLED in window)) install();
