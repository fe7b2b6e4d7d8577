/**
 * emoface's analyser host: Chrome's offscreen document runs it, Firefox's background page (see
 * src/background/). One serves every tab; each tab's bridge connects a runtime Port named 'analyser'. Requests are answered in order; a frame that cannot be analysed gets
 * a 'failed' reply naming why, and a model that cannot load is reported to every bridge ('unavailable').
 * The analyser itself is loaded when needed and closed when no call uses it (AnalyserLifetime).
 */
import { describeError, localized } from '../pipeline/i18n';
import type { AnalyserReply, AnalyserRequest } from '../pipeline/messages';
import { DEFAULTS } from '../pipeline/defaults';
import { decodeRgb } from '../pipeline/transport';
import { Analyser } from './analyser';
import { AnalyserLifetime } from './analyserLifetime';
import { renderArtwork } from './artwork';

const resolveUrl = (path: string) => chrome.runtime.getURL(path);
const analysers = new AnalyserLifetime(() => Analyser.create(resolveUrl), DEFAULTS.analysis.idleCloseMs);

chrome.runtime.onConnect.addListener((port) => {
  if (port.name !== 'analyser') return;
  // Streams are keyed per port, so two tabs' streams never share a tracker.
  const portKey = crypto.randomUUID();
  const streamKeys = new Set<string>();
  const streamKey = (streamId: string) => `${portKey}:${streamId}`;
  const reply = (message: AnalyserReply) => {
    try {
      port.postMessage(message);
    } catch {
      // the tab went away while we worked
    }
  };
  const cannotStart = (error: unknown) => reply({ type: 'unavailable', problem: localized('analyserCannotStart', describeError(error)) });
  // Only analyses need (and so open) the analyser: artwork and stream ends never reopen a closed one.
  const handlers: { [K in AnalyserRequest['type']]: (request: Extract<AnalyserRequest, { type: K }>) => Promise<void> } = {
    analyse: async (request) => {
      let ready: Analyser;
      try {
        ready = await analysers.get();
      } catch (error) {
        cannotStart(error);
        return;
      }
      const started = performance.now();
      const views = request.views.map((view) => {
        const { width, height } = view.layout;
        const pixels = 'rgb' in view ? decodeRgb(view.rgb, width, height) : new Uint8ClampedArray(view.rgba);
        return { layout: view.layout, image: new ImageData(pixels, width, height) };
      });
      const decode = performance.now() - started;
      const key = streamKey(request.streamId);
      streamKeys.add(key);
      analysers.streamStarted(key);
      const frame = { width: request.frameWidth, height: request.frameHeight };
      const { faces, stageMs, searchPending } = await ready.analyse(frame, views, key, request.timestampMs, {
        labelMode: request.labelMode, emojiSet: request.set, classify: request.classify, gestures: request.gestures, gestureIntervalMs: request.gestureIntervalMs,
      });
      reply({
        type: 'faces', streamId: request.streamId, seq: request.seq, timestampMs: request.timestampMs, faces, searchPending,
        stageMs: { decode: Math.round(decode * 100) / 100, ...stageMs, total: Math.round((performance.now() - started) * 100) / 100 },
        trackers: ready.trackerCount,
      });
      const gesturesProblem = ready.takeGesturesProblem();
      if (gesturesProblem !== null) reply({ type: 'notice', problem: localized('gesturesUnavailable', gesturesProblem) });
    },
    artwork: async (request) => {
      reply({ type: 'artwork', images: await renderArtwork(request.emoji, resolveUrl) });
    },
    endStream: async (request) => {
      const key = streamKey(request.streamId);
      streamKeys.delete(key);
      analysers.streamEnded(key);
    },
  };
  let queue = analysers.get().then((ready) => reply({ type: 'ready', backend: ready.backend }), cannotStart);
  port.onMessage.addListener((request: AnalyserRequest) => {
    queue = queue.then(async () => {
      try {
        await (handlers[request.type] as (r: AnalyserRequest) => Promise<void>)(request);
      } catch (error) {
        if (request.type === 'analyse') reply({ type: 'failed', streamId: request.streamId, seq: request.seq, problem: localized('analysisFailed', describeError(error)) });
        else reply({ type: 'unavailable', problem: localized('artworkFailed', describeError(error)) });
      }
    });
  });
  port.onDisconnect.addListener(() => {
    streamKeys.forEach((key) => analysers.streamEnded(key));
  });
});
