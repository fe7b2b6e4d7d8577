/**
 * Every message between emoface's contexts, one union type per channel. Both ends import these types;
 * what comes from the page world is checked by `parseHookMessage` before anything uses it.
 *
 *   hook (page, MAIN world) ⇄ bridge (ISOLATED world)     a MessagePort, structured clone
 *   bridge ⇄ analyser (offscreen document)                 a runtime Port, JSON
 *   bridge, popup → background (service worker)            runtime.sendMessage, JSON
 *   popup → bridge                                          tabs.sendMessage, JSON
 */
import { DEFAULTS } from './defaults';
import type { EmojiSet } from './emoji/emojiSets';
import type { Gesture } from './gestures/gestureReader';
import type { Localized, MessageKey } from './i18n';
import type { Box } from './types';
import type { ViewCell, ViewLayout } from './views';

/** One face as the analyser returns it and the page draws it. */
export interface AnalysedFace {
  /** Stable id while the face is tracked. */
  readonly id: number;
  /** Box in fractions of the frame's width and height (0..1), so it holds at any resolution. */
  readonly box: Box;
  /** How fast the box moves, in fractions of the frame's width and height per second (a held face coasts on it). */
  readonly velocity: { readonly x: number; readonly y: number };
  /** Head roll, radians, clockwise on screen. */
  readonly roll: number;
  /** The emoji to draw. */
  readonly emoji: string;
  /** The label shown (after smoothing and hysteresis) and its intensity level (0 = calmest). */
  readonly label: string;
  readonly level: number;
  /** Smoothed probabilities by label, in the model's label order. */
  readonly scores: Readonly<Record<string, number>>;
  /** True while the face is held at its last place without a detection. */
  readonly lost: boolean;
  /** The gesture the face shows (its emoji is then the set's for it), or null. */
  readonly gesture: Gesture | null;
}

/** Milliseconds spent on one analysis, by stage (search, follow: finding faces in each kind of view). */
export interface StageMs {
  readonly decode: number;
  readonly search: number;
  readonly follow: number;
  readonly align: number;
  readonly classify: number;
  /** Reading faces with the face landmarker, for gestures. */
  readonly gestures: number;
  readonly track: number;
  readonly total: number;
}

/** How one wrapped camera stream is doing, as the page measures it (per second). */
export interface StreamStats {
  readonly streamId: string;
  /** Camera frame size. */
  readonly width: number;
  readonly height: number;
  /** Frames per second in from the camera and out to the call. */
  readonly fpsIn: number;
  readonly fpsOut: number;
  /** Frames per second with at least one emoji drawn on them. */
  readonly emojiFps: number;
  /** Analyses answered per second. */
  readonly analysesPerSecond: number;
  /** The pacer's time between analyses now, ms (see AnalysisPacer). */
  readonly analysisIntervalMs: number;
  /** True while analyses run slower than their pace to keep the call's frames on time. */
  readonly yielding: boolean;
  /** Median page-side time to draw the emoji onto a frame, ms (0 when nothing was drawn). */
  readonly compositeMs: number;
  /** Median page-side time per frame, ms: counting, the copy for the analyser when one is sent, and drawing. */
  readonly frameMs: number;
  /** Median time to copy a frame's planes out of the camera's frame, ms (0 when none was copied). */
  readonly copyMs: number;
  /** Median time to make the analyser's small copy of a frame, over the frames sent, ms (0 when none was sent). */
  readonly analysisCopyMs: number;
  /** Median time from sending an analysis to its answer, over the answers, ms (0 when none came): the messaging both ways and the analysis, queueing included. */
  readonly replyMs: number;
  /** Median age of the results frames were drawn with, ms (from the analysed frame's timestamp). */
  readonly resultAgeMs: number;
  /** Frames drawn while a face moved faster than DEFAULTS.pacing.movingFacesPerSecond (AnalysisPacer.moving), and the median age of their results, ms. */
  readonly movingFrames: number;
  readonly movingAgeMs: number;
  /**
   * Median and largest distance, on the analysed frames, between an emoji's centre as drawn and the face's
   * centre as that frame's analysis found it, in % of the face's width (0 when none was compared).
   */
  readonly placementErrorPct: number;
  readonly placementErrorMaxPct: number;
  /** Faces drawn on the newest frame. */
  readonly faces: number;
  /** False while frames pass through unchanged (emoface off, or failing). */
  readonly drawing: boolean;
  /**
   * Frames since the stream began: the camera's (its track's own count, frames dropped before the page
   * read them included) and those handed to the call.
   */
  readonly cameraFrames: number;
  readonly framesOut: number;
}

// ── hook → bridge ────────────────────────────────────────────────────────────────────────────
/** Messages the page-world hook sends the bridge. Untrusted: see parseHookMessage. */
export type HookMessage =
  | { readonly type: 'analyse'; readonly streamId: string; readonly seq: number; readonly timestampMs: number;
      /** The camera frame's size, pixels. */
      readonly frameWidth: number; readonly frameHeight: number;
      /** What the analyser is shown of the frame (see views.ts). */
      readonly views: readonly HookView[];
      /** False: only faces not classified yet are classified (see Analyser.analyse). */
      readonly classify: boolean;
      /** The stream's faces are read for gestures at most this often now, ms (see AnalysisPacer.gestureIntervalMs). */
      readonly gestureIntervalMs: number }
  | { readonly type: 'stats'; readonly stats: StreamStats }
  | { readonly type: 'streamEnded'; readonly streamId: string }
  /** A tick for the stream's frames every `intervalMs` from outside the page, or (null) no more: see OutsideClock. */
  | { readonly type: 'clock'; readonly streamId: string; readonly intervalMs: number | null }
  | { readonly type: 'problem'; readonly streamId: string; readonly problem: HookProblem;
      /** What the browser said (shown after the problem's own words). */
      readonly detail: string };

/** A view of a frame as the page sends it: its layout and its RGBA bytes (layout.width × layout.height × 4). */
export interface HookView {
  readonly layout: ViewLayout;
  readonly pixels: ArrayBuffer;
}

/** What can go wrong in the page, with the message the popup shows for it. */
export const HOOK_PROBLEMS = {
  artwork: 'artworkUndecodable', camera: 'cameraUnwrapped', frame: 'frameFailed',
} as const satisfies Record<string, MessageKey>;
export type HookProblem = keyof typeof HOOK_PROBLEMS;

// ── bridge → hook ────────────────────────────────────────────────────────────────────────────
/** Messages the bridge sends the hook. */
export type BridgeMessage =
  /** Whether to draw on this site now, and the artwork of the set in use (PNG bytes by artwork key). */
  | { readonly type: 'state'; readonly on: boolean; readonly emojiSet: string; readonly artwork: Readonly<Record<string, ArrayBuffer>> }
  | { readonly type: 'faces'; readonly streamId: string; readonly seq: number; readonly timestampMs: number; readonly faces: readonly AnalysedFace[];
      /** A search of this stream left tiles that changed unsearched: search again soon (see SearchScheduler.pending). */
      readonly searchPending: boolean }
  | { readonly type: 'analysisFailed'; readonly streamId: string; readonly seq: number }
  /** Time to take the stream's next frame (the clock it asked for). */
  | { readonly type: 'tick'; readonly streamId: string };

// ── bridge → analyser ────────────────────────────────────────────────────────────────────────
/**
 * A view as the bridge sends it to the analyser: its RGBA pixels as they are where extension messaging
 * clones (Firefox), as base64 RGB where it is JSON (Chrome; see transport.ts).
 */
export type AnalysedView = { readonly layout: ViewLayout } & ({ readonly rgb: string } | { readonly rgba: ArrayBuffer });

/** Messages the bridge sends the analyser over its runtime Port. */
export type AnalyserRequest =
  | { readonly type: 'analyse'; readonly streamId: string; readonly seq: number; readonly timestampMs: number;
      readonly frameWidth: number; readonly frameHeight: number;
      readonly views: readonly AnalysedView[];
      readonly labelMode: 'seven' | 'five';
      /** False: only faces not classified yet are classified (see Analyser.analyse). */
      readonly classify: boolean;
      /** Whether to read gestures (the setting), and at most how often now (ms, the page's pace). */
      readonly gestures: boolean;
      readonly gestureIntervalMs: number;
      /** The set in use, its entries as artwork keys (an emoji, or a custom image's key). */
      readonly set: EmojiSet }
  /** Renders these emoji of the palette. */
  | { readonly type: 'artwork'; readonly emoji: readonly string[] }
  | { readonly type: 'endStream'; readonly streamId: string };

// ── analyser → bridge ────────────────────────────────────────────────────────────────────────
/** Messages the analyser sends back. */
export type AnalyserReply =
  | { readonly type: 'ready'; readonly backend: string }
  | { readonly type: 'faces'; readonly streamId: string; readonly seq: number; readonly timestampMs: number;
      readonly faces: readonly AnalysedFace[]; readonly stageMs: StageMs; readonly searchPending: boolean;
      /** Face trackers the analyser holds, for every tab (one per live stream). */
      readonly trackers: number }
  | { readonly type: 'failed'; readonly streamId: string; readonly seq: number; readonly problem: Localized }
  /** PNG, base64, by emoji. */
  | { readonly type: 'artwork'; readonly images: Readonly<Record<string, string>> }
  | { readonly type: 'unavailable'; readonly problem: Localized }
  /** Something went wrong that leaves analyses going (the popup shows it). */
  | { readonly type: 'notice'; readonly problem: Localized };

// ── → background ─────────────────────────────────────────────────────────────────────────────
/** Messages the background answers, with their replies. */
export interface BackgroundRequests {
  /** Opens the offscreen analyser if it is not open. */
  openAnalyser: { request: { readonly type: 'openAnalyser' }; reply: { readonly ok: true } | { readonly ok: false; readonly error: Localized } };
  /** Registers the content scripts for a host the user switched on (permission already granted). */
  addSite: { request: { readonly type: 'addSite'; readonly host: string }; reply: { readonly ok: true } | { readonly ok: false; readonly error: Localized } };
  /** Unregisters a host the user added, and gives its permission back. */
  removeSite: { request: { readonly type: 'removeSite'; readonly host: string }; reply: { readonly ok: true } | { readonly ok: false; readonly error: Localized } };
  /** A tab's bridge reports how many faces it draws, for the badge. */
  tabActivity: { request: { readonly type: 'tabActivity'; readonly streams: number; readonly faces: number }; reply: void };
}
export type BackgroundRequest = BackgroundRequests[keyof BackgroundRequests]['request'];

/**
 * Firefox runs a hidden tab's timers and video callbacks once a second; its background page's run on
 * time. A bridge whose hook asks for a clock opens a port of this name to the background page and sends
 * ClockRequests on it; the background answers with one (empty) message per tick (src/background/pageClock.ts).
 */
export const CLOCK_PORT = 'clock';
/** A tick every `intervalMs`, from now until the port closes or another request comes. */
export type ClockRequest = { readonly intervalMs: number };

// ── popup → bridge ───────────────────────────────────────────────────────────────────────────
/** The live state of a tab, as its bridge tells the popup. */
export interface TabStatus {
  readonly host: string;
  /** emoface on for this site now. */
  readonly on: boolean;
  /** Camera streams wrapped in this tab, with their numbers. */
  readonly streams: readonly StreamStats[];
  /** Where expression inference runs ('wasm', 'webgl'), once the analyser said. */
  readonly backend: string | null;
  /** Median time per stage over the tab's recent analyses (align and classify: over those that classified), ms (null before the first). */
  readonly stageMs: StageMs | null;
  /** Median page time to relay one of the recent analysis frames to the analyser (base64, posting), ms (null before the first). */
  readonly relayMs: number | null;
  /** Face trackers the analyser held at its latest answer, for every tab (null before the first). */
  readonly analyserTrackers: number | null;
  /** Faces shown with each gesture, counted over the tab's analyses (one face in one analysis counts once). */
  readonly gesturesShown: Readonly<Partial<Record<Gesture, number>>>;
  /** The last thing that went wrong, or null. */
  readonly lastError: Localized | null;
}
/** Messages the bridge answers from the popup. */
export type PopupRequest = { readonly type: 'getStatus' };

// ── validation of what the page sends ───────────────────────────────────────────────────────
/** The longest message text accepted from the page. */
const MAX_TEXT = 300;
/** Limits of an analysis from the page: frame side, views (a search and the follow views of maxFaces), a view's side. */
const MAX_FRAME_SIDE = 8192;
const MAX_VIEWS = 1 + Math.ceil(DEFAULTS.analysis.maxFaces / DEFAULTS.follow.cellsPerView);
const MAX_VIEW_SIDE = 1024;
/** A cell's part of the frame may reach past the frame's edges (a face at the edge), by at most this many frames. */
const MAX_SOURCE_REACH = 4;
const STREAM_ID = /^[A-Za-z0-9-]{1,64}$/;
/** The clock a stream may ask for ticks every MIN_TICK_MS..MAX_TICK_MS (a camera at 120 fps down to one frame a second). */
const MIN_TICK_MS = 8;
const MAX_TICK_MS = 1000;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';
const isCount = (v: unknown, max: number): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
const isReal = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= max;

/**
 * Checks a message from the page world. Returns the message, typed, or a string saying what is wrong
 * (the caller drops it). Nothing in a valid message is bigger than an analysis frame.
 */
export function parseHookMessage(value: unknown): HookMessage | string {
  if (!isObject(value)) return 'not an object';
  const { type } = value;
  if (type !== 'stats' && !(typeof value.streamId === 'string' && STREAM_ID.test(value.streamId))) return `${String(type)}: bad streamId`;
  switch (type) {
    case 'analyse': {
      const { streamId, seq, frameWidth, frameHeight, views, timestampMs, classify, gestureIntervalMs } = value;
      if (!isCount(seq, Number.MAX_SAFE_INTEGER)) return 'analyse: seq must be a non-negative integer';
      if (!isCount(frameWidth, MAX_FRAME_SIDE) || !isCount(frameHeight, MAX_FRAME_SIDE) || frameWidth === 0 || frameHeight === 0) {
        return `analyse: frameWidth and frameHeight must be 1..${MAX_FRAME_SIDE}`;
      }
      if (!Array.isArray(views) || views.length === 0 || views.length > MAX_VIEWS) return `analyse: views must be a list of 1..${MAX_VIEWS}`;
      const parsed: HookView[] = [];
      for (const [i, view] of views.entries()) {
        const checked = parseView(view);
        if (typeof checked === 'string') return `analyse: views[${i}]: ${checked}`;
        parsed.push(checked);
      }
      if (!isReal(timestampMs, Number.MAX_SAFE_INTEGER)) return 'analyse: timestampMs must be a finite number ≥ 0';
      if (typeof classify !== 'boolean') return 'analyse: classify must be true or false';
      const { readIntervalMs, maxReadIntervalMs } = DEFAULTS.gestures;
      if (!isReal(gestureIntervalMs, maxReadIntervalMs) || gestureIntervalMs < readIntervalMs) {
        return `analyse: gestureIntervalMs must be a number ${readIntervalMs}..${maxReadIntervalMs}`;
      }
      return { type, streamId: streamId as string, seq, frameWidth, frameHeight, views: parsed, timestampMs, classify, gestureIntervalMs };
    }
    case 'stats': {
      const s = value.stats;
      if (!isObject(s) || !(typeof s.streamId === 'string' && STREAM_ID.test(s.streamId))) return 'stats: bad streamId';
      const numbers = ['width', 'height', 'fpsIn', 'fpsOut', 'emojiFps', 'analysesPerSecond', 'analysisIntervalMs', 'compositeMs', 'frameMs', 'copyMs', 'analysisCopyMs', 'replyMs', 'resultAgeMs',
        'movingFrames', 'movingAgeMs', 'placementErrorPct', 'placementErrorMaxPct', 'faces'] as const;
      for (const key of numbers) if (!isReal(s[key], 100_000)) return `stats: ${key} must be a number 0..100000`;
      for (const key of ['cameraFrames', 'framesOut'] as const) if (!isCount(s[key], Number.MAX_SAFE_INTEGER)) return `stats: ${key} must be a count`;
      for (const key of ['drawing', 'yielding'] as const) if (typeof s[key] !== 'boolean') return `stats: ${key} must be true or false`;
      const n = (key: typeof numbers[number]) => s[key] as number;
      return {
        type,
        stats: {
          streamId: s.streamId, drawing: s.drawing as boolean, yielding: s.yielding as boolean, width: n('width'), height: n('height'),
          fpsIn: n('fpsIn'), fpsOut: n('fpsOut'), emojiFps: n('emojiFps'), analysesPerSecond: n('analysesPerSecond'), analysisIntervalMs: n('analysisIntervalMs'),
          compositeMs: n('compositeMs'), frameMs: n('frameMs'), copyMs: n('copyMs'), analysisCopyMs: n('analysisCopyMs'), replyMs: n('replyMs'), resultAgeMs: n('resultAgeMs'), movingFrames: n('movingFrames'), movingAgeMs: n('movingAgeMs'),
          placementErrorPct: n('placementErrorPct'), placementErrorMaxPct: n('placementErrorMaxPct'), faces: n('faces'),
          cameraFrames: s.cameraFrames as number, framesOut: s.framesOut as number,
        },
      };
    }
    case 'streamEnded':
      return { type, streamId: value.streamId as string };
    case 'clock': {
      const { intervalMs } = value;
      if (intervalMs !== null && !(isReal(intervalMs, MAX_TICK_MS) && intervalMs >= MIN_TICK_MS)) return `clock: intervalMs must be null or ${MIN_TICK_MS}..${MAX_TICK_MS}`;
      return { type, streamId: value.streamId as string, intervalMs };
    }
    case 'problem': {
      const { problem, detail } = value;
      if (typeof problem !== 'string' || !Object.hasOwn(HOOK_PROBLEMS, problem)) return `problem: must be one of ${Object.keys(HOOK_PROBLEMS).join(', ')}`;
      if (typeof detail !== 'string') return 'problem: detail must be text';
      return { type, streamId: value.streamId as string, problem: problem as HookProblem, detail: detail.slice(0, MAX_TEXT) };
    }
    default:
      return `unknown message type ${JSON.stringify(type)?.slice(0, 40)}`;
  }
}

/** Checks one view of an analysis: its layout (kind, size, cells inside it) and its pixels. */
function parseView(value: unknown): HookView | string {
  if (!isObject(value) || !isObject(value.layout)) return 'must be {layout, pixels}';
  const { kind, width, height, cells } = value.layout;
  if (kind !== 'search' && kind !== 'follow') return 'layout.kind must be search or follow';
  if (!isCount(width, MAX_VIEW_SIDE) || !isCount(height, MAX_VIEW_SIDE) || width === 0 || height === 0) return `layout width and height must be 1..${MAX_VIEW_SIDE}`;
  const maxCells = kind === 'search' ? 1 : DEFAULTS.follow.cellsPerView;
  if (!Array.isArray(cells) || cells.length === 0 || cells.length > maxCells) return `layout.cells must be a list of 1..${maxCells}`;
  const parsedCells: ViewCell[] = [];
  for (const [i, cell] of cells.entries()) {
    if (!isObject(cell) || !isObject(cell.source)) return `cell ${i} must be {source, x, y, width, height}`;
    const { x, y, width: w, height: h } = cell;
    if (!isCount(x, width) || !isCount(y, height) || !isCount(w, width - (x as number)) || !isCount(h, height - (y as number)) || w === 0 || h === 0) {
      return `cell ${i} must lie inside the view`;
    }
    const source = cell.source;
    const reach = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= MAX_SOURCE_REACH;
    if (![source.x, source.y].every(reach) || ![source.width, source.height].every((v) => reach(v) && (v as number) > 0)) {
      return `cell ${i}: source must be a box in fractions of the frame`;
    }
    parsedCells.push({ source: { x: source.x as number, y: source.y as number, width: source.width as number, height: source.height as number }, x, y, width: w, height: h });
  }
  // Not `instanceof`: in Firefox the page's ArrayBuffer is of another realm than the bridge's ArrayBuffer.
  const isBuffer = Object.prototype.toString.call(value.pixels) === '[object ArrayBuffer]';
  if (!isBuffer || (value.pixels as ArrayBuffer).byteLength !== width * height * 4) return 'pixels must be an ArrayBuffer of width × height × 4 bytes';
  return { layout: { kind, width, height, cells: parsedCells }, pixels: value.pixels as ArrayBuffer };
}
