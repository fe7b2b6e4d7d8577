import { DEFAULTS } from '../../pipeline/defaults';
import type { AnalysedFace, BridgeMessage, StreamStats } from '../../pipeline/messages';
import { analysisSize } from '../../pipeline/transport';
import type { BridgeLink } from './bridgeLink';
import { dressAsCamera } from './cameraTrack';
import { FrameCompositor, type FaceOnFrame, type PlanarFrame } from './frameCompositor';

/** What every pipeline of the page reads: on or off, and the emoji artwork by emoji. */
export interface HookState {
  readonly on: boolean;
  readonly artwork: ReadonlyMap<string, ImageBitmap>;
}

type FacesMessage = Extract<BridgeMessage, { type: 'faces' }>;

/** How long a stopped pipeline waits for the camera's next frame before releasing the camera regardless (ms). */
const CAMERA_RELEASE_WAIT_MS = 500;

/** crypto.randomUUID as it was at document_start (a page script may replace it later). */
const randomId = crypto.randomUUID.bind(crypto);

/** Median of a list of numbers (0 for none). */
function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * One camera track turned into the track the call receives. Frames drive everything (no timers tied to
 * painting, so a hidden tab keeps going): each camera frame gets the newest faces' emoji drawn on it at
 * full size, or passes through untouched when emoface is off, has no fresh faces or fails; while fewer
 * than DEFAULTS.analysis.maxInFlight analyses are in flight, a small copy of the frame goes to the
 * analyser. A frame never waits for one.
 */
export class CameraPipeline {
  /** A secret between hook and bridge: the bridge trusts a stream's messages by it. */
  readonly streamId = randomId();
  /** The track handed to the page. */
  readonly output: MediaStreamTrack;
  readonly #camera: MediaStreamTrack;
  readonly #link: BridgeLink;
  readonly #state: () => HookState;
  readonly #onEnded: () => void;
  readonly #generator = new MediaStreamTrackGenerator({ kind: 'video' });
  readonly #outputs = new Set<MediaStreamTrack>();
  readonly #reader: ReadableStreamDefaultReader<VideoFrame>;
  readonly #writer: WritableStreamDefaultWriter<VideoFrame>;
  #stopped = false;
  #releaseTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #compositor = new FrameCompositor();
  #seq = 0;
  /** When each analysis not yet answered was sent (ms, performance.now), by seq. */
  readonly #inFlight = new Map<number, number>();
  #latest: { seq: number; timestampMs: number; faces: readonly AnalysedFace[] } | null = null;
  /** Frames since the stream began, read from the camera and handed to the call. */
  readonly #total = { framesIn: 0, framesOut: 0 };
  #window = { startMs: -1, framesIn: 0, framesOut: 0, analyses: 0, compositeMs: [] as number[], frameMs: [] as number[], ageMs: [] as number[], faces: 0, drawing: false };
  #lastProblem = '';

  /** `state` is read at every frame; `onEnded` is called once the camera and every output have ended. */
  constructor(camera: MediaStreamTrack, link: BridgeLink, state: () => HookState, onEnded: () => void) {
    this.#camera = camera;
    this.#link = link;
    this.#state = state;
    this.#onEnded = onEnded;
    this.#reader = new MediaStreamTrackProcessor({ track: camera }).readable.getReader();
    this.#writer = this.#generator.writable.getWriter();
    this.output = dressAsCamera(this.#generator, {
      camera,
      added: (track) => this.#outputs.add(track),
      released: (track) => {
        this.#outputs.delete(track);
        if (this.#outputs.size === 0) this.#stop();
      },
    });
    void this.#run();
  }

  /** Faces for one of this stream's analyses. */
  onFaces(message: FacesMessage): void {
    // The analyser answers a stream's frames in order: older ones still listed were lost.
    for (const seq of this.#inFlight.keys()) if (seq <= message.seq) this.#inFlight.delete(seq);
    if (this.#latest && message.seq <= this.#latest.seq) return;
    this.#latest = { seq: message.seq, timestampMs: message.timestampMs, faces: message.faces };
    this.#window.analyses++;
  }

  /** The analyser could not analyse frame `seq` (−1: any frame in flight, it stopped): send the next frame. */
  onAnalysisFailed(seq: number): void {
    if (seq < 0) this.#inFlight.clear();
    else this.#inFlight.delete(seq);
  }

  async #run(): Promise<void> {
    try {
      for (;;) {
        const { value: frame, done } = await this.#reader.read();
        if (done) break;
        // Stopped meanwhile: now, with no read pending, the camera can be released (see #stop).
        if (this.#stopped) {
          frame.close();
          break;
        }
        const output = await this.#process(frame);
        // A frame the generator did not take (the page stopped the track meanwhile) is closed here.
        await this.#writer.write(output).catch((error: unknown) => {
          output.close();
          throw error;
        });
        this.#window.framesOut++;
        this.#total.framesOut++;
      }
    } catch (error) {
      if (!this.#stopped) this.#problem(error);
    } finally {
      if (this.#stopped) {
        this.#releaseCamera();
        // Frames the camera had queued when it was released are closed here, not left to the GC.
        await this.#drain();
      }
      // The camera ended (or the page stopped every output): end the outputs too, so 'ended' fires.
      await this.#writer.close().catch(() => undefined);
      this.#link.send({ type: 'streamEnded', streamId: this.streamId });
      this.#onEnded();
    }
  }

  /** Closes the camera's remaining frames until its stream ends (it does once the camera is stopped). */
  async #drain(): Promise<void> {
    for (;;) {
      const { value: frame, done } = await this.#reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) return;
      frame.close();
    }
  }

  /**
   * The page stopped every output: the loop releases the camera at its next step, once no read of the
   * camera is pending. Chromium makes the frame for a pending read before it queues it, and ending the
   * track in between drops that frame unclosed ("A VideoFrame was garbage collected without being
   * closed"); cancelling the stream would drop its queued frames the same way. Should no frame come,
   * the camera is released after CAMERA_RELEASE_WAIT_MS all the same: its light must go off.
   */
  #stop(): void {
    this.#stopped = true;
    this.#releaseTimer = setTimeout(() => this.#releaseCamera(), CAMERA_RELEASE_WAIT_MS);
    // A write to a generator nobody listens to any more may never settle: abort it.
    void this.#writer.abort().catch(() => undefined);
  }

  /** Stops the camera (its light goes off), which ends the camera's stream. */
  #releaseCamera(): void {
    clearTimeout(this.#releaseTimer);
    this.#camera.stop();
  }

  /** The frame to send on: `frame` itself, or a new frame with the emoji drawn (then `frame` is closed). */
  async #process(frame: VideoFrame): Promise<VideoFrame> {
    // Whatever throws on a frame (counting, analysis, drawing), the frame itself goes on to the call.
    const started = performance.now();
    try {
      const timestampMs = frame.timestamp / 1000;
      this.#count(timestampMs);
      const state = this.#state();
      this.#window.drawing = state.on;
      if (!state.on) {
        this.#latest = null;
        return frame;
      }
      const analyse = this.#analysisWanted();
      const faces = this.#facesToDraw(timestampMs, state.artwork);
      this.#window.faces = faces.length;
      if (!analyse && faces.length === 0) return frame;
      const planar = await this.#compositor.readPlanes(frame);
      if (analyse) this.#sendForAnalysis(frame, planar, timestampMs);
      if (faces.length === 0) return frame;
      const compositeStarted = performance.now();
      const drawn = this.#compositor.composite(frame, planar, faces, state.artwork);
      this.#window.compositeMs.push(performance.now() - compositeStarted);
      frame.close();
      return drawn;
    } catch (error) {
      this.#problem(error);
      return frame;
    } finally {
      if (this.#window.drawing) this.#window.frameMs.push(performance.now() - started);
    }
  }

  /** Whether this frame goes to the analyser: fewer than maxInFlight analyses unanswered (timed-out ones dropped). */
  #analysisWanted(): boolean {
    const now = performance.now();
    for (const [seq, sentAtMs] of this.#inFlight) if (now - sentAtMs >= DEFAULTS.analysis.replyTimeoutMs) this.#inFlight.delete(seq);
    return this.#inFlight.size < DEFAULTS.analysis.maxInFlight;
  }

  #sendForAnalysis(frame: VideoFrame, planar: PlanarFrame | null, timestampMs: number): void {
    const { width, height } = analysisSize(frame.displayWidth, frame.displayHeight);
    const pixels = this.#compositor.analysisPixels(frame, planar, width, height).buffer;
    const seq = ++this.#seq;
    this.#inFlight.set(seq, performance.now());
    this.#link.send({ type: 'analyse', streamId: this.streamId, seq, width, height, pixels, timestampMs }, [pixels]);
  }

  #facesToDraw(timestampMs: number, artwork: ReadonlyMap<string, ImageBitmap>): FaceOnFrame[] {
    const latest = this.#latest;
    if (!latest) return [];
    const ageMs = timestampMs - latest.timestampMs;
    if (ageMs > DEFAULTS.analysis.maxResultAgeMs) return [];
    this.#window.ageMs.push(Math.max(0, ageMs));
    return latest.faces.filter((face) => artwork.has(face.emoji));
  }

  /** Counts a frame and, once a second of camera time has passed, reports the second's numbers. */
  #count(timestampMs: number): void {
    const w = this.#window;
    if (w.startMs < 0) w.startMs = timestampMs;
    const elapsedMs = timestampMs - w.startMs;
    if (elapsedMs >= 1000) {
      const perSecond = (n: number) => Math.round((n * 10_000) / elapsedMs) / 10;
      const stats: StreamStats = {
        streamId: this.streamId, width: this.#camera.getSettings().width ?? 0, height: this.#camera.getSettings().height ?? 0,
        fpsIn: perSecond(w.framesIn), fpsOut: perSecond(w.framesOut), analysesPerSecond: perSecond(w.analyses),
        compositeMs: Math.round(median(w.compositeMs) * 100) / 100,
        frameMs: Math.round(median(w.frameMs) * 100) / 100, resultAgeMs: Math.round(median(w.ageMs)),
        faces: w.faces, drawing: w.drawing, cameraFrames: this.#camera.stats?.totalFrames ?? this.#total.framesIn, framesOut: this.#total.framesOut,
      };
      this.#link.send({ type: 'stats', stats });
      this.#window = { startMs: timestampMs, framesIn: 0, framesOut: 0, analyses: 0, compositeMs: [], frameMs: [], ageMs: [], faces: w.faces, drawing: w.drawing };
    }
    this.#window.framesIn++;
    this.#total.framesIn++;
  }

  #problem(error: unknown): void {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (message === this.#lastProblem) return;
    this.#lastProblem = message;
    this.#link.send({ type: 'problem', streamId: this.streamId, problem: 'frame', detail: message });
  }
}
