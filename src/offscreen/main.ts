/**
 * The offscreen document: emoface's analyser. One document serves every tab; each tab's bridge connects
 * a runtime Port named 'analyser'. Requests are answered in order; a frame that cannot be analysed gets
 * a 'failed' reply naming why, and a model that cannot load is reported to every bridge ('unavailable').
 */
import { describeError, localized } from '../pipeline/i18n';
import type { AnalyserReply, AnalyserRequest } from '../pipeline/messages';
import { decodeRgb } from '../pipeline/transport';
import { Analyser } from './analyser';
import { renderArtwork } from './artwork';

const resolveUrl = (path: string) => chrome.runtime.getURL(path);
const analyser = Analyser.create(resolveUrl);
analyser.catch(() => undefined); // not lost: every bridge that connects is told (`unavailable`)

chrome.runtime.onConnect.addListener((port) => {
  if (port.name !== 'analyser') return;
  // Streams are keyed per port, so two tabs' streams never share a tracker.
  const portKey = crypto.randomUUID();
  const streamKeys = new Set<string>();
  const streamKey = (streamId: string) => {
    const key = `${portKey}:${streamId}`;
    streamKeys.add(key);
    return key;
  };
  const reply = (message: AnalyserReply) => {
    try {
      port.postMessage(message);
    } catch {
      // the tab went away while we worked
    }
  };
  const handlers: { [K in AnalyserRequest['type']]: (request: Extract<AnalyserRequest, { type: K }>, ready: Analyser) => Promise<void> } = {
    analyse: async (request, ready) => {
      const started = performance.now();
      const image = new ImageData(decodeRgb(request.rgb, request.width, request.height), request.width, request.height);
      const decode = performance.now() - started;
      const { faces, stageMs } = await ready.analyse(image, streamKey(request.streamId), request.timestampMs, request.labelMode, request.set);
      reply({
        type: 'faces', streamId: request.streamId, seq: request.seq, timestampMs: request.timestampMs, faces,
        stageMs: { decode: Math.round(decode * 100) / 100, ...stageMs, total: Math.round((performance.now() - started) * 100) / 100 },
        trackers: ready.trackerCount,
      });
    },
    artwork: async (request) => {
      reply({ type: 'artwork', images: await renderArtwork(request.emoji, resolveUrl) });
    },
    endStream: async (request, ready) => {
      const key = streamKey(request.streamId);
      ready.endStream(key);
      streamKeys.delete(key);
    },
  };
  const cannotStart = (error: unknown) => reply({ type: 'unavailable', problem: localized('analyserCannotStart', describeError(error)) });
  let queue = analyser.then((ready) => reply({ type: 'ready', backend: ready.backend }), cannotStart);
  port.onMessage.addListener((request: AnalyserRequest) => {
    queue = queue.then(async () => {
      let ready: Analyser;
      try {
        ready = await analyser;
      } catch (error) {
        cannotStart(error);
        return;
      }
      try {
        const handler = handlers[request.type] as (r: AnalyserRequest, a: Analyser) => Promise<void>;
        await handler(request, ready);
      } catch (error) {
        if (request.type === 'analyse') reply({ type: 'failed', streamId: request.streamId, seq: request.seq, problem: localized('analysisFailed', describeError(error)) });
        else reply({ type: 'unavailable', problem: localized('artworkFailed', describeError(error)) });
      }
    });
  });
  port.onDisconnect.addListener(() => {
    void analyser.then((ready) => streamKeys.forEach((key) => ready.endStream(key)), () => undefined);
  });
});
