/**
 * The one place where the two browsers differ for the page: how a camera track's frames are read, and how
 * processed frames become the track the call gets. Chrome has insertable streams for this
 * (MediaStreamTrackProcessor and MediaStreamTrackGenerator). Firefox has neither: there the camera plays in
 * a <video> whose frames are taken as they come (requestVideoFrameCallback → VideoFrame), and each
 * processed frame is drawn on a canvas whose `captureStream(0)` track the call gets, one `requestFrame()`
 * per frame (28.8 fps at 1280×720 where a `captureStream(30)` timer gave about 19; DESIGN.md). While the
 * tab is hidden, Firefox calls those callbacks once a second: frames are then taken at each tick of a
 * clock outside the page.
 */

/** The camera's frames, where processed frames go, and the track that carries them to the call. */
export interface CameraFrames {
  readonly frames: ReadableStream<VideoFrame>;
  readonly sink: WritableStream<VideoFrame>;
  readonly output: MediaStreamTrack;
  /** Stops the camera (its light goes off); `frames` then ends. */
  release(): void;
}

/** Ticks from outside the page (see src/background/pageClock.ts), while started. */
export interface OutsideClock {
  start(intervalMs: number, onTick: () => void): void;
  stop(): void;
}

// Taken at document_start: a page script may replace them later.
const insertable = globalThis as { MediaStreamTrackProcessor?: typeof MediaStreamTrackProcessor; MediaStreamTrackGenerator?: typeof MediaStreamTrackGenerator };
const Processor = insertable.MediaStreamTrackProcessor;
const Generator = insertable.MediaStreamTrackGenerator;
const createElement = Document.prototype.createElement;
const nativeStop = MediaStreamTrack.prototype.stop;
const isHidden = Object.getOwnPropertyDescriptor(Document.prototype, 'hidden')!.get!;

/**
 * `camera`'s frames and an output track, by the browser's means: chosen when the extension is built (the
 * Firefox build's mode is 'firefox'), so that each build carries only its own (Chrome's page scripts use
 * no callback tied to painting; see tests/e2e/package.test.ts).
 */
export function cameraFrames(camera: MediaStreamTrack, clock: OutsideClock): CameraFrames {
  if (import.meta.env.MODE === 'firefox') return throughVideoAndCanvas(camera, clock);
  if (!Processor || !Generator) throw new Error('this browser has no MediaStreamTrackProcessor and MediaStreamTrackGenerator');
  const generator = new Generator({ kind: 'video' });
  return { frames: new Processor({ track: camera }).readable, sink: generator.writable, output: generator, release: () => camera.stop() };
}

/**
 * Firefox's way. The video's frames are read one at a time: while the pipeline still holds one, newer
 * frames are skipped, as a camera drops frames nobody reads. Frame times are the video's presentation
 * times (while hidden, the tick's time), made to grow. Closing the sink ends the output track (and tells
 * its listeners, as an ended generator track would).
 */
function throughVideoAndCanvas(camera: MediaStreamTrack, clock: OutsideClock): CameraFrames {
  const video = createElement.call(document, 'video') as HTMLVideoElement;
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([camera]);
  const canvas = createElement.call(document, 'canvas') as HTMLCanvasElement;
  const { width = 640, height = 480, frameRate = 30 } = camera.getSettings();
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d', { alpha: false });
  if (!context) throw new Error('no 2-D canvas to draw the camera\'s frames on');
  const stream = canvas.captureStream(0) as MediaStream & { requestFrame(): void };
  const output = stream.getVideoTracks()[0]!;
  let callback = 0;
  let ended = false;
  let lastUs = -1;
  /**
   * Whether the video's frames are 4:2:0 YUV, as a camera's are in Firefox: they are taken as they are.
   * Others (a decoded video's, as the test camera's) live outside the page, and each read of one copies it
   * back (4–6 ms at 720p, for the frame, the emoji and each view alike): those are drawn once on a canvas,
   * whose frame costs nothing to read again. Known from the first frame.
   */
  let planar: boolean | null = null;
  const copies = new OffscreenCanvas(width, height);
  const copyContext = copies.getContext('2d', { alpha: false })!;
  /** The video's current frame drawn on `copies`, as a frame. */
  const snapshot = (timestamp: number) => {
    if (copies.width !== video.videoWidth || copies.height !== video.videoHeight) {
      copies.width = video.videoWidth;
      copies.height = video.videoHeight;
    }
    copyContext.drawImage(video, 0, 0);
    return new VideoFrame(copies, { timestamp });
  };
  // Set as the stream is made (its start runs in its constructor).
  let queue!: ReadableStreamDefaultController<VideoFrame>;
  /** Queues the video's current frame at `timeUs` (or just after the last), unless the pipeline still holds one. */
  const take = (timeUs: number) => {
    if (ended || (queue.desiredSize ?? 0) <= 0 || video.readyState < video.HAVE_CURRENT_DATA || video.videoWidth === 0) return;
    lastUs = Math.max(lastUs + 1, Math.round(timeUs));
    if (planar !== false) {
      const frame = new VideoFrame(video, { timestamp: lastUs });
      planar ??= frame.format === 'I420' || frame.format === 'NV12';
      if (planar) {
        queue.enqueue(frame);
        return;
      }
      frame.close();
    }
    queue.enqueue(snapshot(lastUs));
  };
  const onFrame = (_now: number, metadata: VideoFrameCallbackMetadata) => {
    if (ended) return;
    callback = video.requestVideoFrameCallback(onFrame);
    if (!isHidden.call(document)) take(metadata.presentationTime * 1000);
  };
  const onTick = () => take(performance.now() * 1000);
  const onVisibility = () => {
    if (isHidden.call(document)) clock.start(1000 / frameRate, onTick);
    else clock.stop();
  };
  const stopVideo = () => {
    ended = true;
    video.cancelVideoFrameCallback(callback);
    document.removeEventListener('visibilitychange', onVisibility);
    clock.stop();
    video.srcObject = null;
  };
  // A camera stopped here fires no 'ended' event, and its video no more frames: release() ends the stream.
  const endFrames = () => {
    if (ended) return;
    stopVideo();
    queue.close();
  };
  const frames = new ReadableStream<VideoFrame>({
    start(controller) {
      queue = controller;
      callback = video.requestVideoFrameCallback(onFrame);
      camera.addEventListener('ended', endFrames, { once: true });
      document.addEventListener('visibilitychange', onVisibility);
      onVisibility();
      video.play().catch((error: unknown) => controller.error(error));
    },
    cancel: stopVideo,
  }, { highWaterMark: 1 });
  const end = () => {
    endFrames();
    if (output.readyState === 'ended') return;
    nativeStop.call(output);
    output.dispatchEvent(new Event('ended'));
  };
  const sink = new WritableStream<VideoFrame>({
    write(frame) {
      try {
        if (canvas.width !== frame.displayWidth || canvas.height !== frame.displayHeight) {
          canvas.width = frame.displayWidth;
          canvas.height = frame.displayHeight;
        }
        context.drawImage(frame, 0, 0);
        stream.requestFrame();
      } finally {
        frame.close();
      }
    },
    close: end,
    abort: end,
  });
  const release = () => {
    camera.stop();
    endFrames();
  };
  return { frames, sink, output, release };
}
