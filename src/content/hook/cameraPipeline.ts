import { predictedBox } from '../../pipeline/analysis';
import { DEFAULTS } from '../../pipeline/defaults';
import { centreOf, median } from '../../pipeline/math';
import type { AnalysedFace, BridgeMessage, StreamStats } from '../../pipeline/messages';
import { AnalysisPacer, PressureGauge, type AnalysisPlan } from '../../pipeline/schedule/analysisPacer';
import { planeBlockLuma, sceneChange, type BlockLuma, type SceneChange } from '../../pipeline/schedule/searchScheduler';
import { followLayouts, searchLayout, searchTiles, type ViewLayout } from '../../pipeline/views';
import type { BridgeLink } from './bridgeLink';
import { cameraFrames } from './cameraFrames';
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

/** Analysed frames whose drawn emoji are remembered until their result comes (for the placement error). */
const DRAWN_KEPT = 16;

/** A face of the newest result where it is expected on a frame: its id, box (fractions of the frame), and whether it is held without a detection. */
interface KnownFace {
  readonly id: number;
  readonly box: AnalysedFace['box'];
  readonly lost: boolean;
}

/** Where the emoji of a face was drawn on an analysed frame: its centre, in fractions of the frame. */
interface DrawnFace {
  readonly id: number;
  readonly x: number;
  readonly y: number;
}

/**
 * One camera track turned into the track the call receives. Frames drive everything (no timers tied to
 * painting, so a hidden tab keeps going): each camera frame gets the newest faces' emoji drawn on it at
 * full size, each moved on by its face's velocity since the analysed frame, or passes through untouched
 * when emoface is off, has no fresh faces or fails. Views of the frame (crops around the known faces, now
 * and then the whole frame to search for new ones; see views.ts) go to the analyser when the pacer says
 * one is due (often while faces move or change, rarely while the scene is still, less often while the
 * call's frames are late) and fewer than DEFAULTS.analysis.maxInFlight analyses are in flight. A frame
 * never waits for one.
 */
export class CameraPipeline {
  /** A secret between hook and bridge: the bridge trusts a stream's messages by it. */
  readonly streamId = randomId();
  /** The track handed to the page. */
  readonly output: MediaStreamTrack;
  /** Settles once the camera's frames can be read, or fails with why they cannot (see CameraFrames.started). */
  readonly started: Promise<void>;
  readonly #camera: MediaStreamTrack;
  readonly #link: BridgeLink;
  readonly #state: () => HookState;
  readonly #onEnded: () => void;
  readonly #outputs = new Set<MediaStreamTrack>();
  /** Stops the camera: see CameraFrames.release. */
  readonly #releaseFrames: () => void;
  readonly #reader: ReadableStreamDefaultReader<VideoFrame>;
  readonly #writer: WritableStreamDefaultWriter<VideoFrame>;
  #stopped = false;
  #releaseTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #compositor = new FrameCompositor();
  #seq = 0;
  /** When each analysis not yet answered was sent (ms, performance.now), by seq. */
  readonly #inFlight = new Map<number, number>();
  #latest: { seq: number; timestampMs: number; faces: readonly AnalysedFace[] } | null = null;
  readonly #pacer = new AnalysisPacer();
  readonly #gauge = new PressureGauge();
  /** The brightness of the last frame searched, by blocks of its search view (null: none yet, or not read from planes). */
  #searchedLuma: BlockLuma | null = null;
  /** The newest result said its search left changed tiles unsearched. */
  #searchPending = false;
  /** Camera time of the newest frame, ms. */
  #nowMs = 0;
  /** The emoji drawn on frames sent for analysis, by the frame's timestamp (the newest DRAWN_KEPT). */
  readonly #drawn = new Map<number, { width: number; height: number; faces: DrawnFace[] }>();
  /** Frames since the stream began, read from the camera and handed to the call. */
  readonly #total = { framesIn: 0, framesOut: 0 };
  #window = CameraPipeline.#emptyWindow(-1, 0, false);
  #lastProblem = '';
  /** The camera's frames could not be read at all (see started). */
  #unreadable = false;
  /** While the stream's frames are taken on the bridge's ticks (see OutsideClock): what to call at each. */
  #onTick: (() => void) | null = null;

  /** `state` is read at every frame; `onEnded` is called once the camera and every output have ended. */
  constructor(camera: MediaStreamTrack, link: BridgeLink, state: () => HookState, onEnded: () => void) {
    this.#camera = camera;
    this.#link = link;
    this.#state = state;
    this.#onEnded = onEnded;
    const { frames, sink, output, started, release } = cameraFrames(camera, {
      start: (intervalMs, onTick) => {
        this.#onTick = onTick;
        link.send({ type: 'clock', streamId: this.streamId, intervalMs });
      },
      stop: () => {
        if (!this.#onTick) return;
        this.#onTick = null;
        link.send({ type: 'clock', streamId: this.streamId, intervalMs: null });
      },
    }, (error) => this.#problem(error));
    this.started = started;
    // The hook tells why a camera's frames cannot be read at all (it hands the page the camera itself).
    started.catch(() => {
      this.#unreadable = true;
    });
    this.#releaseFrames = release;
    this.#reader = frames.getReader();
    this.#writer = sink.getWriter();
    this.output = dressAsCamera(output, {
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
    // The first answer waits for the analyser to load: only later ones tell whether analyses queue.
    const sentAtMs = this.#inFlight.get(message.seq);
    const replyMs = sentAtMs === undefined ? null : performance.now() - sentAtMs;
    if (replyMs !== null) this.#window.replyMs.push(replyMs);
    if (this.#latest && replyMs !== null && this.#gauge.reply(replyMs, this.#nowMs)) this.#pacer.pressure(this.#nowMs);
    // The analyser answers a stream's frames in order: older ones still listed were lost.
    for (const seq of this.#inFlight.keys()) if (seq <= message.seq) this.#inFlight.delete(seq);
    if (this.#latest && message.seq <= this.#latest.seq) return;
    this.#latest = { seq: message.seq, timestampMs: message.timestampMs, faces: message.faces };
    this.#searchPending = message.searchPending;
    this.#window.analyses++;
    this.#pacer.observe(message.faces, message.timestampMs);
    this.#measurePlacement(message);
  }

  /**
   * How far the emoji drawn on an analysed frame were from the faces its analysis found, in % of each
   * face's width: what the emoji's prediction between analyses costs against analysing every frame.
   */
  #measurePlacement(message: FacesMessage): void {
    const drawn = this.#drawn.get(message.timestampMs);
    if (!drawn) return;
    this.#drawn.delete(message.timestampMs);
    for (const face of message.faces) {
      const where = drawn.faces.find((d) => d.id === face.id);
      if (!where || face.lost) continue;
      const found = centreOf(face.box);
      const dx = (where.x - found.x) * drawn.width;
      const dy = (where.y - found.y) * drawn.height;
      this.#window.placementErrorPct.push((100 * Math.hypot(dx, dy)) / (face.box.width * drawn.width));
    }
  }

  /** A tick of the clock this stream asked the bridge for. */
  onTick(): void {
    this.#onTick?.();
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
        // A frame the output did not take (the page stopped the track meanwhile) is closed here.
        await this.#writer.write(output).catch((error: unknown) => {
          output.close();
          throw error;
        });
        this.#window.framesOut++;
        this.#total.framesOut++;
      }
    } catch (error) {
      if (!this.#stopped && !this.#unreadable) this.#problem(error);
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
    // A write to an output nobody listens to any more may never settle: abort it.
    void this.#writer.abort().catch(() => undefined);
  }

  /** Stops the camera (its light goes off), which ends the camera's stream. */
  #releaseCamera(): void {
    clearTimeout(this.#releaseTimer);
    this.#releaseFrames();
  }

  /** The frame to send on: `frame` itself, or a new frame with the emoji drawn (then `frame` is closed). */
  async #process(frame: VideoFrame): Promise<VideoFrame> {
    // Whatever throws on a frame (counting, analysis, drawing), the frame itself goes on to the call.
    const started = performance.now();
    const timestampMs = frame.timestamp / 1000;
    let drawing = false;
    try {
      this.#nowMs = timestampMs;
      this.#count(timestampMs);
      const state = this.#state();
      this.#window.drawing = drawing = state.on;
      if (!state.on) {
        // Switched on again, it starts afresh: the faces searched for on the next frame, not when due.
        this.#latest = null;
        this.#searchedLuma = null;
        this.#searchPending = false;
        this.#pacer.forget();
        return frame;
      }
      const known = this.#facesToFollow(timestampMs);
      const ids = known.map((face) => face.id);
      // Planned first as if the picture changed (the most it may want); once the frame is read, for how it did.
      let plan = this.#analysisWanted(timestampMs, ids);
      const faces = this.#facesToDraw(timestampMs, state.artwork);
      this.#window.faces = faces.length;
      if (faces.length > 0) this.#window.emojiFrames++;
      if (!plan && faces.length === 0) return frame;
      const copyStarted = performance.now();
      const planar = await this.#compositor.readPlanes(frame);
      this.#window.copyMs.push(performance.now() - copyStarted);
      const searchView = plan?.search && planar ? searchLayout(frame.displayWidth, frame.displayHeight) : null;
      const luma = searchView && planar ? planeBlockLuma(planar.planes, planar.coefficients.fullRange, searchView) : null;
      if (luma && searchView) plan = this.#pacer.plan(timestampMs, ids, this.#sceneSinceSearch(luma, searchView, known));
      if (plan) {
        this.#sendForAnalysis(frame, planar, timestampMs, plan, known, faces);
        if (plan.search) this.#searchedLuma = luma;
      }
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
      if (drawing) this.#measureFrame(timestampMs, performance.now() - started);
    }
  }

  /** Counts the page's time on a drawn frame and tells the pacer of pressure; never throws (the frame goes on regardless). */
  #measureFrame(timestampMs: number, pageMs: number): void {
    try {
      this.#window.frameMs.push(pageMs);
      if (this.#gauge.frame(timestampMs, pageMs, this.#lostFrames())) this.#pacer.pressure(timestampMs);
    } catch (error) {
      this.#problem(error);
    }
  }

  /** Camera frames lost before the page read them, by the camera track's own count (null where the browser does not count). */
  #lostFrames(): number | null {
    const cameraFrames = this.#camera.stats?.totalFrames;
    return cameraFrames === undefined ? null : Math.max(0, cameraFrames - this.#total.framesIn);
  }

  /**
   * What the frame at `timestampMs` shows the analyser (`faces`: the ids of those known), or null for
   * nothing: as the pacer plans, when fewer than maxInFlight analyses are unanswered (timed-out ones dropped).
   */
  #analysisWanted(timestampMs: number, faces: readonly number[]): AnalysisPlan | null {
    const now = performance.now();
    for (const [seq, sentAtMs] of this.#inFlight) if (now - sentAtMs >= DEFAULTS.analysis.replyTimeoutMs) this.#inFlight.delete(seq);
    return this.#inFlight.size < DEFAULTS.analysis.maxInFlight ? this.#pacer.plan(timestampMs, faces) : null;
  }

  /**
   * Sends the analyser the frame's views as `plan` says (`known`: the known faces where they are expected
   * now), and remembers where the frame's emoji are drawn (`faces`) and which faces it follows.
   */
  #sendForAnalysis(frame: VideoFrame, planar: PlanarFrame | null, timestampMs: number, plan: AnalysisPlan,
    known: readonly KnownFace[], faces: readonly (FaceOnFrame & { readonly id: number })[]): void {
    const frameWidth = frame.displayWidth;
    const frameHeight = frame.displayHeight;
    const followed = known.filter((face) => plan.follow.includes(face.id));
    const layouts = [
      ...(plan.search ? [searchLayout(frameWidth, frameHeight)] : []),
      ...followLayouts(followed.map((face) => face.box), frameWidth, frameHeight),
    ];
    const copyStarted = performance.now();
    const views = layouts.map((layout) => ({ layout, pixels: this.#compositor.viewPixels(frame, planar, layout).buffer }));
    this.#window.analysisCopyMs.push(performance.now() - copyStarted);
    const seq = ++this.#seq;
    this.#inFlight.set(seq, performance.now());
    const classify = this.#pacer.classifyDue(timestampMs);
    this.#pacer.sent(timestampMs, plan, classify);
    const gestureIntervalMs = this.#pacer.gestureIntervalMs(timestampMs);
    this.#link.send({ type: 'analyse', streamId: this.streamId, seq, frameWidth, frameHeight, views, timestampMs, classify, gestureIntervalMs }, views.map((view) => view.pixels));
    // Only the faces followed are found again on this frame: the others' places in its result are predicted.
    this.#drawn.set(timestampMs, {
      width: frame.displayWidth, height: frame.displayHeight,
      faces: faces.filter((face) => plan.follow.includes(face.id)).map((face) => ({ id: face.id, ...centreOf(face.box) })),
    });
    if (this.#drawn.size > DRAWN_KEPT) this.#drawn.delete(this.#drawn.keys().next().value!);
  }

  /** Where the newest result's faces are expected at `timestampMs` (held ones too: a follow may find them again); none when it is too old. */
  #facesToFollow(timestampMs: number): KnownFace[] {
    const latest = this.#latest;
    if (!latest) return [];
    const ageMs = Math.max(0, timestampMs - latest.timestampMs);
    return ageMs > DEFAULTS.analysis.maxResultAgeMs ? [] : latest.faces.map((face) => ({ id: face.id, box: predictedBox(face, ageMs), lost: face.lost }));
  }

  /**
   * How the picture (`luma`, blockLuma of its search view `view`) changed since the last frame searched,
   * away from the `known` faces' people; but 'local' while a known face is held without a detection, or
   * the analyser has changed tiles it did not search yet (the page no longer sees that change against the
   * last frame searched), and when there is nothing to compare with.
   */
  #sceneSinceSearch(luma: BlockLuma, view: ViewLayout, known: readonly KnownFace[]): SceneChange {
    const reference = this.#searchedLuma;
    if (!reference || reference.means.length !== luma.means.length) return 'local';
    const { width, height } = view;
    const faces = known.map(({ box }) => ({ x: box.x * width, y: box.y * height, width: box.width * width, height: box.height * height }));
    const lookAgain = this.#searchPending || known.some((face) => face.lost);
    return lookAgain ? 'local' : sceneChange(luma, reference, searchTiles(width, height), faces);
  }

  /** The newest result's faces that have artwork, each moved on by its velocity to `timestampMs`. */
  #facesToDraw(timestampMs: number, artwork: ReadonlyMap<string, ImageBitmap>): (FaceOnFrame & { readonly id: number })[] {
    const latest = this.#latest;
    if (!latest) return [];
    const ageMs = Math.max(0, timestampMs - latest.timestampMs);
    if (ageMs > DEFAULTS.analysis.maxResultAgeMs) return [];
    this.#window.ageMs.push(ageMs);
    const faces = latest.faces.filter((face) => artwork.has(face.emoji));
    if (this.#pacer.moving) this.#window.movingAgeMs.push(ageMs);
    return faces.map((face) => ({ id: face.id, box: predictedBox(face, ageMs), roll: face.roll, emoji: face.emoji }));
  }

  /** Counts a frame and, once a second of camera time has passed, reports the second's numbers. */
  #count(timestampMs: number): void {
    const w = this.#window;
    if (w.startMs < 0) w.startMs = timestampMs;
    const elapsedMs = timestampMs - w.startMs;
    if (elapsedMs >= 1000) {
      const perSecond = (n: number) => Math.round((n * 10_000) / elapsedMs) / 10;
      const hundredths = (v: number) => Math.round(v * 100) / 100;
      const stats: StreamStats = {
        streamId: this.streamId, width: this.#camera.getSettings().width ?? 0, height: this.#camera.getSettings().height ?? 0,
        fpsIn: perSecond(w.framesIn), fpsOut: perSecond(w.framesOut), emojiFps: perSecond(w.emojiFrames), analysesPerSecond: perSecond(w.analyses),
        analysisIntervalMs: Math.round(this.#pacer.intervalMs(timestampMs)), yielding: this.#pacer.yielding(timestampMs),
        compositeMs: hundredths(median(w.compositeMs)), frameMs: hundredths(median(w.frameMs)),
        copyMs: hundredths(median(w.copyMs)), analysisCopyMs: hundredths(median(w.analysisCopyMs)), replyMs: Math.round(median(w.replyMs)), resultAgeMs: Math.round(median(w.ageMs)),
        movingFrames: w.movingAgeMs.length, movingAgeMs: Math.round(median(w.movingAgeMs)),
        placementErrorPct: hundredths(median(w.placementErrorPct)), placementErrorMaxPct: hundredths(Math.max(0, ...w.placementErrorPct)),
        faces: w.faces, drawing: w.drawing, cameraFrames: this.#camera.stats?.totalFrames ?? this.#total.framesIn, framesOut: this.#total.framesOut,
      };
      this.#link.send({ type: 'stats', stats });
      this.#window = CameraPipeline.#emptyWindow(timestampMs, w.faces, w.drawing);
    }
    this.#window.framesIn++;
    this.#total.framesIn++;
  }

  /** A second's counters, from `startMs` (camera time; −1: the next frame's), with the newest face count and drawing state. */
  static #emptyWindow(startMs: number, faces: number, drawing: boolean) {
    return {
      startMs, framesIn: 0, framesOut: 0, emojiFrames: 0, analyses: 0, faces, drawing,
      compositeMs: [] as number[], frameMs: [] as number[], copyMs: [] as number[], analysisCopyMs: [] as number[], replyMs: [] as number[], ageMs: [] as number[], movingAgeMs: [] as number[], placementErrorPct: [] as number[],
    };
  }

  #problem(error: unknown): void {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (message === this.#lastProblem) return;
    this.#lastProblem = message;
    this.#link.send({ type: 'problem', streamId: this.streamId, problem: 'frame', detail: message });
  }
}
