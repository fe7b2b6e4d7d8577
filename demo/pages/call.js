// The demo call page (served as Meet-like, Discord-like and plain pages by demo/server.mjs): gets the
// camera, sends it over a real RTCPeerConnection to a second peer in the same page, and shows both
// sides. Tests drive it through window.emofaceCall. Written for Trusted Types: no HTML strings.
'use strict';

const state = { local: null, track: null, peers: [], remote: null, watchers: [], frames: 0, recent: [], last: null, lastLocal: null, held: null };

/**
 * `track`'s frames as a stream: MediaStreamTrackProcessor where the browser has it (Chromium: no painting
 * involved, runs in background tabs); else (Firefox) each frame a <video> of the track, outside the
 * document, shows (requestVideoFrameCallback), a frame dropped while the reader still has one, the stream
 * closed once the track has ended.
 */
function frameStream(track) {
  if (typeof MediaStreamTrackProcessor === 'function') return new MediaStreamTrackProcessor({ track }).readable;
  const video = document.createElement('video');
  Object.assign(video, { muted: true, playsInline: true, srcObject: new MediaStream([track]) });
  let ended = false;
  let poll = 0;
  const finish = () => {
    ended = true;
    clearInterval(poll);
    video.srcObject = null;
  };
  return new ReadableStream({
    start(controller) {
      const end = () => {
        if (ended) return;
        finish();
        controller.close();
      };
      // A track stopped here fires no 'ended' event.
      track.addEventListener('ended', end);
      poll = setInterval(() => track.readyState === 'ended' && end(), 100);
      const onFrame = (_now, metadata) => {
        if (ended) return;
        if (controller.desiredSize > 0) controller.enqueue(new VideoFrame(video, { timestamp: Math.round(metadata.presentationTime * 1000) }));
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
      video.play().catch(() => undefined);
    },
    cancel: finish,
  }, { highWaterMark: 1 });
}

/**
 * Counts and keeps the newest frame of `track` (see frameStream). Returns stop(): the track is stopped
 * once no read of it is pending (right after its next frame, or after half a second without one), since
 * Chromium drops the frame it made for a pending read unclosed when the track ends first; the stream then
 * ends and nothing is left queued.
 */
function watch(track, onFrame) {
  const reader = frameStream(track).getReader();
  let stopping = false;
  const loop = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      if (stopping) {
        value.close();
        track.stop();
      } else {
        onFrame(value);
      }
    }
  })().catch(() => undefined);
  return {
    stop() {
      stopping = true;
      const timer = setTimeout(() => track.stop(), 500);
      return loop.finally(() => clearTimeout(timer));
    },
  };
}

function keepNewest(slot, frame) {
  state[slot]?.close();
  state[slot] = frame;
}

async function start(video = { width: 640, height: 480, frameRate: 30 }, audio = false) {
  const local = await navigator.mediaDevices.getUserMedia({ video, audio });
  state.local = local;
  state.track = local.getVideoTracks()[0];
  document.getElementById('local').srcObject = local;
  const [a, b] = [new RTCPeerConnection(), new RTCPeerConnection()];
  state.peers = [a, b];
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  const remoteTrack = new Promise((resolve) => { b.ontrack = (e) => e.track.kind === 'video' && resolve(e.track); });
  for (const track of local.getTracks()) a.addTrack(track, local);
  // Keep the camera's resolution on the wire (a busy machine would otherwise shrink it): what the other
  // side receives is then comparable frame for frame with the camera's.
  for (const sender of a.getSenders()) {
    if (sender.track?.kind !== 'video') continue;
    const parameters = sender.getParameters();
    parameters.degradationPreference = 'maintain-resolution';
    await sender.setParameters(parameters);
  }
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription);
  state.remote = await remoteTrack;
  document.getElementById('remote').srcObject = new MediaStream([state.remote]);
  state.watchers.push(watch(state.remote, (frame) => {
    state.frames++;
    state.recent.push(performance.now());
    keepNewest('last', frame);
  }));
  state.watchers.push(watch(state.track.clone(), (frame) => keepNewest('lastLocal', frame)));
  setStatus(`In call: ${state.track.label}`);
  return describeTrack(state.track);
}

function describeTrack(track) {
  return {
    label: track.label, kind: track.kind, readyState: track.readyState, enabled: track.enabled,
    settings: track.getSettings(), constraints: track.getConstraints(), capabilities: track.getCapabilities(),
    audioTracks: state.local?.getAudioTracks().length ?? 0, videoTracks: state.local?.getVideoTracks().length ?? 0,
    audioIsCameraTrack: (state.local?.getAudioTracks() ?? []).every((t) => t.constructor.name === 'MediaStreamTrack'),
    isCameraTrack: track.constructor.name === 'MediaStreamTrack',
  };
}

async function stop() {
  // The watched tracks (the received one among them) end before the connection closes: closing first
  // would end the received track under a pending read.
  await Promise.all(state.watchers.splice(0).map((watcher) => watcher.stop()));
  for (const track of state.local?.getTracks() ?? []) track.stop();
  for (const peer of state.peers) peer.close();
  setStatus('Call ended');
  return { readyState: state.track?.readyState };
}

/** Remote side: frames received so far, frames in the last second, and the newest frame's size. */
function remoteStats() {
  const now = performance.now();
  state.recent = state.recent.filter((t) => now - t <= 1000);
  return { frames: state.frames, fps: state.recent.length, width: state.last?.displayWidth ?? 0, height: state.last?.displayHeight ?? 0 };
}

/** Pixels of the newest remote (or local) frame, or of the frame holdRemote kept ('held'), for looking at. */
function pixels(which = 'remote') {
  if (which === 'held') return state.held;
  const frame = which === 'remote' ? state.last : state.lastLocal;
  if (!frame) return null;
  const canvas = new OffscreenCanvas(frame.displayWidth, frame.displayHeight);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(frame, 0, 0);
  return ctx.getImageData(0, 0, canvas.width, canvas.height);
}

/**
 * Keeps a copy of the newest remote frame for colorFraction and brightness with `which: 'held'`, so that
 * several looks see the same frame (a test reads the frame counter burned into the clip, then the faces
 * that frame shows). Returns the held frame's size, or null before the first frame.
 */
function holdRemote() {
  state.held = pixels('remote');
  return state.held && { width: state.held.width, height: state.held.height };
}

/** The pixel rectangle [x0, x1) × [y0, y1) of `region` (fractions 0..1) in a width × height image, clamped to it. */
function regionBounds(region, width, height) {
  const clamp = (value, size) => Math.min(size, Math.max(0, value));
  return {
    x0: clamp(Math.floor(region.x * width), width), y0: clamp(Math.floor(region.y * height), height),
    x1: clamp(Math.ceil((region.x + region.width) * width), width), y1: clamp(Math.ceil((region.y + region.height) * height), height),
  };
}

/**
 * Fraction of the newest frame's pixels within `tolerance` (per channel) of the colour `rgb`, in the whole
 * frame or in `region` (fractions 0..1). Twemoji's face yellow is [255, 204, 77]; its cats' cream [254, 231, 184].
 */
function colorFraction(rgb, { which = 'remote', tolerance = 30, region = { x: 0, y: 0, width: 1, height: 1 } } = {}) {
  const image = pixels(which);
  if (!image) return null;
  const { data, width, height } = image;
  const { x0, y0, x1, y1 } = regionBounds(region, width, height);
  let near = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * width + x) * 4;
      if (Math.abs(data[i] - rgb[0]) <= tolerance && Math.abs(data[i + 1] - rgb[1]) <= tolerance && Math.abs(data[i + 2] - rgb[2]) <= tolerance) near++;
    }
  }
  return near / Math.max(1, (x1 - x0) * (y1 - y0));
}

/** Mean brightness (Rec. 601 luma, 0–255) of each of `regions` (fractions 0..1) of the newest frame; null before the first. */
function brightness(regions, { which = 'remote' } = {}) {
  const image = pixels(which);
  if (!image) return null;
  const { data, width, height } = image;
  return regions.map((region) => {
    const { x0, y0, x1, y1 } = regionBounds(region, width, height);
    let sum = 0;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = (y * width + x) * 4;
        sum += 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
      }
    }
    return sum / Math.max(1, (x1 - x0) * (y1 - y0));
  });
}

/** The newest remote frame as a PNG data URL (for screenshots of what the other side sees). */
async function remoteSnapshot() {
  const image = pixels('remote');
  if (!image) return null;
  const canvas = new OffscreenCanvas(image.width, image.height);
  canvas.getContext('2d').putImageData(image, 0, 0);
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:image/png;base64,${btoa(text)}`;
}

function setStatus(text) {
  document.getElementById('status').textContent = text;
}

window.emofaceCall = {
  start, stop, remoteStats, colorFraction, brightness, holdRemote, remoteSnapshot,
  localTrack: () => state.track,
  describeLocal: () => (state.track ? describeTrack(state.track) : null),
};

document.getElementById('site').textContent = location.hostname;
document.getElementById('start').addEventListener('click', async (event) => {
  event.target.disabled = true;
  try {
    await start();
    document.getElementById('stop').disabled = false;
  } catch (error) {
    setStatus(`Could not start: ${error.message}`);
    event.target.disabled = false;
  }
});
document.getElementById('stop').addEventListener('click', (event) => {
  event.target.disabled = true;
  void stop().then(() => { document.getElementById('start').disabled = false; });
});
