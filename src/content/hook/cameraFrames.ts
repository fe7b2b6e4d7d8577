/**
 * The one place where the two browsers differ for the page: how a camera track's frames are read, and how
 * processed frames become the track the call gets. Chrome has insertable streams for this
 * (MediaStreamTrackProcessor and MediaStreamTrackGenerator). Firefox has neither: there the camera plays in
 * a <video> whose current frame is taken as a VideoFrame at the camera's frame rate, and each processed
 * frame is drawn on a canvas whose `captureStream(0)` track the call gets, one `requestFrame()` per frame
 * (28.8 fps at 1280×720 where a `captureStream(30)` timer gave about 19; DESIGN.md).
 *
 * The clock that takes the frames: the page's own timer while the tab is shown; while it is hidden, where
 * Firefox runs a page's timers once a second, a clock outside the page (the background page's, relayed by
 * the bridge). Not `requestVideoFrameCallback`: it runs with the page's painting, about 24 times a second
 * on the bench's calls (23 fps to the other side, against 29.4 with a timer: README "Firefox").
 */

/** The camera's frames, where processed frames go, and the track that carries them to the call. */
export interface CameraFrames {
  readonly frames: ReadableStream<VideoFrame>;
  readonly sink: WritableStream<VideoFrame>;
  readonly output: MediaStreamTrack;
  /**
   * Settles once the camera's frames can be read, or fails with why they cannot (Firefox refuses to
   * play the <video> where autoplay is blocked): then `frames` fails too, and the camera is left running.
   */
  readonly started: Promise<void>;
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
const pageSetInterval = setInterval;
const pageClearInterval = clearInterval;

/**
 * `camera`'s frames and an output track, by the browser's means: chosen when the extension is built (the
 * Firefox build's mode is 'firefox'), so that each build carries only its own (Chrome's page scripts use
 * no callback tied to painting; see tests/e2e/package.test.ts).
 */
export function cameraFrames(camera: MediaStreamTrack, clock: OutsideClock, onProblem: (error: unknown) => void): CameraFrames {
  if (import.meta.env.MODE === 'firefox') return throughVideoAndCanvas(camera, clock, onProblem);
  if (!Processor || !Generator) throw new Error('this browser has no MediaStreamTrackProcessor and MediaStreamTrackGenerator');
  const generator = new Generator({ kind: 'video' });
  return { frames: new Processor({ track: camera }).readable, sink: generator.writable, output: generator, started: Promise.resolve(), release: () => camera.stop() };
}

/**
 * Firefox's way. At each tick the video's current frame is taken, unless the pipeline still holds the
 * last one (as a camera drops frames nobody reads); its time is the tick's. A frame that cannot be taken
 * (VideoFrame refuses the video) goes to the call as it is, drawn straight on the output canvas, and
 * `onProblem` hears why: the call keeps its camera, without emoji. Closing the sink ends the output track
 * (and tells its listeners, as an ended generator track would).
 */
function throughVideoAndCanvas(camera: MediaStreamTrack, clock: OutsideClock, onProblem: (error: unknown) => void): CameraFrames {
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
  let pageTimer: ReturnType<typeof setInterval> | undefined;
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
  let started!: Promise<void>;
  /** The video's current frame as a frame of its own, by the cheapest way its kind allows. */
  const currentFrame = (timestamp: number) => {
    if (planar !== false) {
      const frame = new VideoFrame(video, { timestamp });
      planar ??= frame.format === 'I420' || frame.format === 'NV12';
      if (planar) return frame;
      frame.close();
    }
    return snapshot(timestamp);
  };
  /** Draws `image` on the output canvas, at its size, and sends it to the call. */
  const show = (image: CanvasImageSource, width: number, height: number) => {
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    context.drawImage(image, 0, 0);
    stream.requestFrame();
  };
  /** Queues the video's current frame, unless the pipeline still holds one; sends it on as it is if it cannot. */
  const take = () => {
    if (ended || (queue.desiredSize ?? 0) <= 0 || video.readyState < video.HAVE_CURRENT_DATA || video.videoWidth === 0) return;
    lastUs = Math.max(lastUs + 1, Math.round(performance.now() * 1000));
    try {
      queue.enqueue(currentFrame(lastUs));
    } catch (error) {
      onProblem(error);
      show(video, video.videoWidth, video.videoHeight);
    }
  };
  const onVisibility = () => {
    pageClearInterval(pageTimer);
    if (isHidden.call(document)) {
      clock.start(1000 / frameRate, take);
    } else {
      clock.stop();
      pageTimer = pageSetInterval(take, 1000 / frameRate);
    }
  };
  const stopVideo = () => {
    ended = true;
    pageClearInterval(pageTimer);
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
      camera.addEventListener('ended', endFrames, { once: true });
      document.addEventListener('visibilitychange', onVisibility);
      onVisibility();
      started = video.play();
      started.catch((error: unknown) => {
        stopVideo();
        controller.error(error);
      });
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
        show(frame, frame.displayWidth, frame.displayHeight);
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
  return { frames, sink, output, started, release };
}
