import expressionJson from 'emoface-models/expression.json';
import { alignFace } from '../pipeline/align/alignFace';
import { describeFaces } from '../pipeline/analysis';
import { DEFAULTS } from '../pipeline/defaults';
import { centreOf, iou, suppressDuplicates } from '../pipeline/math';
import { parseEmojiSet, scoresForMode, type EmojiSet, type LabelMode } from '../pipeline/emoji/emojiSets';
import { parseExpressionMetadata, type ExpressionMetadata } from '../pipeline/expressionMetadata';
import type { AnalysedFace, StageMs } from '../pipeline/messages';
import { FaceTracker, type TrackedFace } from '../pipeline/track/tracker';
import { placeEmoji, type Placement } from '../pipeline/render/overlay';
import { blockLuma, SearchScheduler } from '../pipeline/schedule/searchScheduler';
import { KEYPOINT_NAMES, type Box, type Detection, type Keypoints, type Point } from '../pipeline/types';
import { cellAt, followLayouts, searchLayout, searchTiles, viewToFrame, type ViewCell, type ViewKind, type ViewLayout } from '../pipeline/views';
import { ExpressionModel, type Backend } from './expressionModel';
import { FaceFinder } from './faceDetector';
import { FaceLandmarkReader, type FaceReading } from './faceLandmarker';
import { GestureWatch } from './gestureWatch';
import { paintView } from './viewPainter';

/** One face of a still image: where, and the model's probabilities in label order. */
export interface FaceExpression {
  readonly detection: Detection;
  readonly probabilities: Float32Array;
  /** Whose points placed the model's crop: the detector's keypoints, or the face landmarker's (see facesOf). */
  readonly alignedBy: Alignment;
  /**
   * With the landmarker's reading of the face (alignment 'landmarks'): the share of its face oval's points
   * that the emoji placed from the detector's box covers (its disc, as drawn); null without one.
   */
  readonly ovalCovered: number | null;
}

/** Whose eyes and mouth align a face for the expression model: the face detector's keypoints, or the face landmarker's irises and lips. */
export type Alignment = 'detector' | 'landmarks';

/** A view of a frame as the analyser gets it: its layout and its pixels. */
export interface ViewImage {
  readonly layout: ViewLayout;
  readonly image: ImageData;
}

/** A camera frame's size, pixels: the tracker works in them. */
export interface FrameSize {
  readonly width: number;
  readonly height: number;
}

/** A face found in a view: in the frame's pixels, and as found in the view (for alignment from its pixels). */
interface FoundFace {
  readonly inFrame: Detection;
  readonly inView: Detection;
  readonly view: ImageData;
  readonly kind: ViewKind;
}

/** A stream's analysis as its search sees it: when, and its known faces and those of them held without a detection (frame pixels). */
interface StreamSearch {
  readonly streamKey: string;
  readonly timestampMs: number;
  readonly faces: readonly Box[];
  readonly lost: readonly Box[];
}

/** Milliseconds one analysis spent, by stage (search and follow: finding faces in each kind of view). */
export type AnalysisMs = Omit<StageMs, 'decode' | 'total'>;

/** The face landmarker as it loads: its reader once loaded, or what went wrong. */
interface LandmarksLoad {
  reader: FaceLandmarkReader | null;
  error: unknown;
  /** The error was told (takeGesturesProblem). */
  reported: boolean;
  loading: Promise<void>;
}

/** How a stream's frame is analysed (see Analyser.analyse). */
export interface AnalyseOptions {
  readonly labelMode: LabelMode;
  readonly emojiSet: EmojiSet;
  readonly classify: boolean;
  /** Read the faces' gestures (the face landmarker, loaded the first time), one face at most every gestureIntervalMs (see GestureWatch). */
  readonly gestures: boolean;
  readonly gestureIntervalMs: number;
}

/**
 * The analyser: find (search and follow views) → align → classify (every face in one batch) → track →
 * choose the emoji. The two detectors and the model serve every stream; each stream (tab × camera track)
 * has its own tracker.
 */
export class Analyser {
  readonly metadata: ExpressionMetadata;
  readonly #near: FaceFinder;
  readonly #far: FaceFinder;
  readonly #model: ExpressionModel;
  readonly #trackers = new Map<string, FaceTracker>();
  /** Each stream's choice of search tiles (see SearchScheduler). */
  readonly #searches = new Map<string, SearchScheduler>();
  /** Each stream's faces' gestures, while gestures are on. */
  readonly #gestures = new Map<string, GestureWatch>();
  readonly #resolveUrl: (path: string) => string;
  /** The face landmarker: loaded when gestures are first asked for (a failure is kept: gestures then stay off). */
  #landmarks: LandmarksLoad | null = null;

  private constructor(metadata: ExpressionMetadata, near: FaceFinder, far: FaceFinder, model: ExpressionModel, resolveUrl: (path: string) => string) {
    this.metadata = metadata;
    this.#near = near;
    this.#far = far;
    this.#model = model;
    this.#resolveUrl = resolveUrl;
  }

  /** Loads the detectors and the model from the extension's files (`resolveUrl` maps a path to its URL). */
  static async create(resolveUrl: (path: string) => string): Promise<Analyser> {
    const metadata = parseExpressionMetadata(expressionJson);
    const [near, far, model] = await Promise.all([
      FaceFinder.create(resolveUrl, 'near'), FaceFinder.create(resolveUrl, 'far'), ExpressionModel.create(metadata, resolveUrl),
    ]);
    return new Analyser(metadata, near, far, model, resolveUrl);
  }

  /** Why gestures cannot be read (the face landmarker failed to load, or failed on a face), once; null otherwise. */
  takeGesturesProblem(): string | null {
    const landmarks = this.#landmarks;
    if (!landmarks || landmarks.error === null || landmarks.reported) return null;
    landmarks.reported = true;
    return landmarks.error instanceof Error ? landmarks.error.message : String(landmarks.error);
  }

  /** Where the expression model runs. */
  get backend(): Backend {
    return this.#model.backend;
  }

  /**
   * The faces of one `frame` of stream `streamKey`, found in its `views`, tracked, with their emoji; and the
   * time each stage took. With `classify` false only faces not classified yet, and those whose expression
   * is changing (the shown label switched within DEFAULTS.pacing.activeHoldMs), are classified; the others
   * keep their expressions and move: a face's place changes faster than its expression, and classifying
   * is most of an analysis's time once there are faces. A face found by a search too small there to
   * classify starts unclassified; the next follow view, which shows it larger, classifies it. With
   * `gestures`, faces due a reading (see GestureWatch) are read by the face landmarker.
   */
  async analyse(frame: FrameSize, views: readonly ViewImage[], streamKey: string, timestampMs: number,
    { labelMode, emojiSet, classify, gestures, gestureIntervalMs }: AnalyseOptions): Promise<{ faces: AnalysedFace[]; stageMs: AnalysisMs; searchPending: boolean }> {
    const set = parseEmojiSet(emojiSet, this.metadata.labels);
    const clock = stopwatch();
    const tracker = this.#trackerFor(streamKey, timestampMs);
    const known = { faces: tracker.faces.map((face) => face.box), lost: tracker.faces.filter((face) => face.lost).map((face) => face.box) };
    const { found, searchMs, followMs } = this.#find(frame, views, { streamKey, timestampMs, ...known });
    clock.lap();
    const unsettled = tracker.unsettled(found.map((face) => face.inFrame.box), timestampMs, DEFAULTS.pacing.activeHoldMs);
    const classified = found.map((face, i) => (classify || unsettled[i]!) && classifiable(face));
    const crops = found.filter((_, i) => classified[i]).map((face) => this.#align(face));
    const align = clock.lap();
    const probabilities = await this.#model.classify(crops);
    const classifyMs = clock.lap();
    const labels = this.metadata.labels;
    let next = 0;
    const observations = found.map((face, i) => ({
      detection: face.inFrame,
      scores: classified[i] ? scoresForMode(probabilities[next++]!, labels, labelMode) : null,
    }));
    const tracked = tracker.update(observations, timestampMs, lookedFor(frame, views));
    const trackMs = clock.lap();
    const watch = gestures ? this.#readGestures(streamKey, found, tracked, timestampMs, gestureIntervalMs) : null;
    if (!gestures) this.#gestures.delete(streamKey);
    const readingMs = clock.lap();
    // Counted only where a face was read: the stage's median is a reading's.
    const gesturesMs = watch?.lastReadMs === timestampMs ? readingMs : 0;
    const faces = describeFaces(tracked, frame.width, frame.height, labels, set, (id) => watch?.gestureOf(id) ?? null);
    const searchPending = this.#searches.get(streamKey)?.pending ?? false;
    return { faces, stageMs: { search: searchMs, follow: followMs, align, classify: classifyMs, gestures: gesturesMs, track: trackMs }, searchPending };
  }

  /**
   * Reads the faces of `tracked` due a reading (see GestureWatch) with the face landmarker, each from the
   * view it was found in now; the stream's GestureWatch, or null while the landmarker loads (or failed to).
   */
  #readGestures(streamKey: string, found: readonly FoundFace[], tracked: readonly TrackedFace[], timestampMs: number, intervalMs: number): GestureWatch | null {
    this.#landmarks ??= this.#loadLandmarks();
    const reader = this.#landmarks.reader;
    if (!reader) return null;
    const watch = this.#gestures.get(streamKey) ?? new GestureWatch();
    this.#gestures.set(streamKey, watch);
    watch.keepOnly(tracked.map((face) => face.id));
    const seen = new Map<number, FoundFace>();
    for (const face of tracked) {
      const source = face.lastSeenMs === timestampMs ? foundFaceOf(face, found) : undefined;
      if (source && classifiable(source)) seen.set(face.id, source);
    }
    const id = watch.due([...seen.keys()], timestampMs, intervalMs);
    if (id === null) return watch;
    const face = seen.get(id)!;
    try {
      watch.record(id, reader.read(face.view, aroundFace(face.inView.box, face.view))?.blendshapes ?? null, timestampMs);
      return watch;
    } catch (error) {
      // A landmarker that failed is not trusted again: gestures stay off (told once, as a failed load is),
      // and this analysis goes on with the expressions.
      this.#landmarks.reader = null;
      this.#landmarks.error = error ?? 'unknown error';
      try {
        reader.close();
      } catch {
        // Its memory is lost with it.
      }
      return null;
    }
  }

  /** Starts loading the face landmarker; the returned record fills in once it has loaded (or failed). */
  #loadLandmarks(): LandmarksLoad {
    const landmarks: LandmarksLoad = { reader: null, error: null, reported: false, loading: Promise.resolve() };
    landmarks.loading = FaceLandmarkReader.create(this.#resolveUrl).then((reader) => {
      landmarks.reader = reader;
    }, (error: unknown) => {
      landmarks.error = error ?? 'unknown error';
    });
    return landmarks;
  }

  /**
   * Every face of a still image with its probabilities (no tracking), found as a camera frame's faces are:
   * a search view of the image finds them, then the analysis a camera frame gets next, with that search
   * view and follow views around what it found, classifies them: for evaluation on photos. With
   * `alignment` 'landmarks' each crop is aligned on the face landmarker's irises and mouth instead of the
   * detector's eyes and mouth (the detector's where the landmarker finds no face).
   */
  async facesOf(image: ImageBitmap, alignment: Alignment = 'detector'): Promise<FaceExpression[]> {
    const frame = { width: image.width, height: image.height };
    const paint = (layout: ViewLayout) => ({ layout, image: paintView(image, image.width, image.height, layout) });
    const search = paint(searchLayout(frame.width, frame.height));
    const boxes = this.#find(frame, [search]).found.map(({ inFrame: { box } }) => ({
      x: box.x / frame.width, y: box.y / frame.height, width: box.width / frame.width, height: box.height / frame.height,
    }));
    const found = this.#find(frame, [search, ...followLayouts(boxes, frame.width, frame.height).map(paint)]).found.filter(classifiable);
    const readings = alignment === 'landmarks' ? await this.#readLandmarks(found) : found.map(() => null);
    const keypoints = found.map((face, i) => (readings[i] ? withLandmarkEyesAndMouth(face.inView.keypoints, readings[i]) : face.inView.keypoints));
    const probabilities = await this.#model.classify(found.map((face, i) => this.#align(face, keypoints[i])));
    return found.map((face, i) => ({
      detection: face.inFrame, probabilities: probabilities[i]!, alignedBy: readings[i] ? 'landmarks' : 'detector',
      ovalCovered: readings[i] ? coveredShare(readings[i].oval, placeEmoji(face.inView.box, 0)) : null,
    }));
  }

  /** The face landmarker's reading of each face (in its view's pixels), null where it finds none. Loads the landmarker (a failure throws). */
  async #readLandmarks(faces: readonly FoundFace[]): Promise<(FaceReading | null)[]> {
    this.#landmarks ??= this.#loadLandmarks();
    await this.#landmarks.loading;
    const reader = this.#landmarks.reader;
    if (!reader) throw this.#landmarks.error;
    return faces.map(({ view, inView: { box } }) => reader.read(view, aroundFace(box, view)));
  }

  /** Probabilities for ready-made model crops (uint8 gray at the model's input size): for evaluation on crops. */
  classifyCrops(crops: readonly Uint8Array[]): Promise<Float32Array[]> {
    return this.#model.classify(crops);
  }

  /** Trackers held: one per stream with analyses and not yet ended. */
  get trackerCount(): number {
    return this.#trackers.size;
  }

  /** Forgets a stream's tracker, search tiles and gestures. */
  endStream(streamKey: string): void {
    this.#trackers.delete(streamKey);
    this.#searches.delete(streamKey);
    this.#gestures.delete(streamKey);
  }

  /** The stream's tracker; a new one when the stream's clock went back (a camera restarted). */
  #trackerFor(streamKey: string, timestampMs: number): FaceTracker {
    let tracker = this.#trackers.get(streamKey);
    if (!tracker || timestampMs < tracker.lastTimestampMs) {
      tracker = new FaceTracker();
      this.#trackers.set(streamKey, tracker);
    }
    return tracker;
  }

  /**
   * The faces in `views`, in the frame's pixels, each once (where views overlap, a follow view's finding
   * wins: it shows the face larger), at most DEFAULTS.analysis.maxFaces, and the milliseconds spent in
   * each kind of view. A search view of a `stream` is searched in the tiles its SearchScheduler chooses
   * (the stream's known faces tell where change does not count, its lost ones where to look again);
   * without one, in all.
   */
  #find(frame: FrameSize, views: readonly ViewImage[], stream?: StreamSearch): {
    found: FoundFace[]; searchMs: number; followMs: number;
  } {
    const found: FoundFace[] = [];
    const ms = { search: 0, follow: 0 };
    for (const { layout, image } of views) {
      const started = performance.now();
      const detections = layout.kind === 'search' ? this.#search(image, frame, stream) : this.#near.detect(image);
      for (const inView of detections) {
        const cell = cellAt(layout, centreOf(inView.box));
        if (cell) found.push({ inFrame: detectionInFrame(inView, cell, frame), inView, view: image, kind: layout.kind });
      }
      ms[layout.kind] += performance.now() - started;
    }
    const preferred = [...found].sort((a, b) => Number(b.kind === 'follow') - Number(a.kind === 'follow') || b.inFrame.score - a.inFrame.score);
    const distinct = suppressDuplicates(preferred, (face) => face.inFrame.box, DEFAULTS.detector.suppressionIou).slice(0, DEFAULTS.analysis.maxFaces);
    return { found: distinct, searchMs: hundredths(ms.search), followMs: hundredths(ms.follow) };
  }

  /**
   * Faces in a search view: the close-range detector over the whole view (faces near the camera, larger
   * than a tile) and the far-range one over tiles of it (small ones): all tiles, or those the stream's
   * SearchScheduler chooses.
   */
  #search(image: ImageData, frame: FrameSize, stream?: StreamSearch): Detection[] {
    const tiles = searchTiles(image.width, image.height);
    let chosen = tiles.map((_, i) => i);
    if (stream) {
      const scheduler = this.#searches.get(stream.streamKey) ?? new SearchScheduler();
      this.#searches.set(stream.streamKey, scheduler);
      const luma = blockLuma(image);
      const scale = image.width / frame.width;
      const inView = (box: Box) => ({ x: box.x * scale, y: box.y * scale, width: box.width * scale, height: box.height * scale });
      chosen = scheduler.choose(tiles, luma, stream.faces.map(inView), stream.timestampMs, stream.lost.map(inView));
      scheduler.searched(chosen, luma, stream.timestampMs);
    }
    const detections = [...this.#near.detect(image), ...chosen.flatMap((i) => this.#far.detect(image, tiles[i]))];
    return suppressDuplicates([...detections].sort((a, b) => b.score - a.score), (d) => d.box, DEFAULTS.detector.suppressionIou);
  }

  /** The model's input crop of a face, aligned from the view it was found in (on its detector's keypoints, or on `keypoints` in that view). */
  #align(face: FoundFace, keypoints: Keypoints = face.inView.keypoints): Uint8Array {
    return alignFace(face.view, keypoints, this.metadata.template, this.metadata.crop);
  }

  /** Frees the detectors, the landmarker and the model. */
  close(): void {
    this.#near.close();
    this.#far.close();
    this.#model.dispose();
    void this.#landmarks?.loading.then(() => this.#landmarks?.reader?.close());
  }
}

/**
 * Whether `views` looked where a face is expected (a box, frame pixels): all of the frame with a search
 * (the page then follows every known face too), else inside one of the follow views' cells. A face not
 * looked for is left as it was (see FaceTracker.update).
 */
function lookedFor(frame: FrameSize, views: readonly ViewImage[]): (expected: Box) => boolean {
  if (views.some((view) => view.layout.kind === 'search')) return () => true;
  const parts = views.flatMap((view) => view.layout.cells.map((cell) => cell.source));
  return (expected) => {
    const centre = centreOf(expected);
    const x = centre.x / frame.width;
    const y = centre.y / frame.height;
    return parts.some((part) => x >= part.x && x <= part.x + part.width && y >= part.y && y <= part.y + part.height);
  };
}

/** The face of `found` a tracked face seen now continues: the one whose box overlaps its box most. */
function foundFaceOf(face: TrackedFace, found: readonly FoundFace[]): FoundFace | undefined {
  let best: FoundFace | undefined;
  let bestOverlap = 0;
  for (const candidate of found) {
    const overlap = iou(face.box, candidate.inFrame.box);
    if (overlap > bestOverlap) [best, bestOverlap] = [candidate, overlap];
  }
  return best;
}

/** The detector's `keypoints` with the eyes and mouth of the landmarker's `reading`, each eye the iris nearest the detector's. */
function withLandmarkEyesAndMouth(keypoints: Keypoints, reading: FaceReading): Keypoints {
  const [a, b] = reading.irises;
  const near = (to: Point, p: Point) => Math.hypot(p.x - to.x, p.y - to.y);
  const [rightEye, leftEye] = near(keypoints.rightEye, a) + near(keypoints.leftEye, b) <= near(keypoints.rightEye, b) + near(keypoints.leftEye, a) ? [a, b] : [b, a];
  return { ...keypoints, rightEye, leftEye, mouth: reading.mouth };
}

/** The share of `points` inside the disc an emoji placed at `placement` shows (its artwork's face fills the square's inscribed circle). */
function coveredShare(points: readonly Point[], placement: Placement): number {
  const inside = points.filter((p) => Math.hypot(p.x - placement.x, p.y - placement.y) <= placement.size / 2).length;
  return inside / points.length;
}

/** The whole pixels of `view` around a face's `box`, DEFAULTS.gestures.margin box sizes more on each side. */
function aroundFace(box: Box, view: ImageData): Box {
  const margin = DEFAULTS.gestures.margin;
  const x = Math.max(0, Math.floor(box.x - box.width * margin));
  const y = Math.max(0, Math.floor(box.y - box.height * margin));
  const right = Math.min(view.width, Math.ceil(box.x + box.width * (1 + margin)));
  const bottom = Math.min(view.height, Math.ceil(box.y + box.height * (1 + margin)));
  return { x, y, width: Math.max(1, right - x), height: Math.max(1, bottom - y) };
}

/** Whether a face can be classified from the view it was found in: any face of a follow view, a large enough one of a search view. */
function classifiable(face: FoundFace): boolean {
  return face.kind === 'follow' || face.inView.box.height >= DEFAULTS.search.minClassifyPx;
}

/** A detection in a view's `cell`, in the pixels of the whole frame. */
function detectionInFrame(detection: Detection, cell: ViewCell, frame: FrameSize): Detection {
  const toFrame = (point: Point) => viewToFrame(point, cell, frame.width, frame.height);
  const { box } = detection;
  const corner = toFrame(box);
  const far = toFrame({ x: box.x + box.width, y: box.y + box.height });
  const keypoints = Object.fromEntries(KEYPOINT_NAMES.map((name) => [name, toFrame(detection.keypoints[name])])) as unknown as Keypoints;
  return { box: { x: corner.x, y: corner.y, width: far.x - corner.x, height: far.y - corner.y }, score: detection.score, keypoints };
}

const hundredths = (ms: number) => Math.round(ms * 100) / 100;

/** Laps of a stopwatch, ms to the hundredth. */
function stopwatch(): { lap(): number } {
  let t = performance.now();
  return {
    lap() {
      const now = performance.now();
      const ms = now - t;
      t = now;
      return hundredths(ms);
    },
  };
}
