/**
 * emoface's bridge: an ISOLATED-world content script, the only door between the page and the extension.
 * It takes the hook's MessagePort, checks every message from the page (parseHookMessage), relays
 * analysis frames to the offscreen analyser and faces back, pushes the site's on/off state and emoji
 * artwork to the hook, and answers the popup with the tab's live status. The page can neither change
 * settings nor read anything but the state and artwork the hook needs to draw.
 */
import browser, { type Runtime } from 'webextension-polyfill';
import { CUSTOM_SETS_KEY, customSetId, imagesOf, readCustomSets, toEmojiSet, type CustomSet } from '../pipeline/emoji/customSets';
import { EMOJI_SETS, emojiOfSet, SET_LABELS, type EmojiSet } from '../pipeline/emoji/emojiSets';
import type { Gesture } from '../pipeline/gestures/gestureReader';
import { describeError, localized, type Localized } from '../pipeline/i18n';
import { median } from '../pipeline/math';
import {
  CLOCK_PORT, HOOK_PROBLEMS, parseHookMessage, type AnalysedView, type AnalyserReply, type AnalyserRequest, type BackgroundRequests, type BridgeMessage, type ClockRequest, type HookMessage,
  type PopupRequest, type StageMs, type StreamStats, type TabStatus,
} from '../pipeline/messages';
import { DEFAULT_SETTINGS, emojiSetForSite, isOnForSite, readSettings, SETTINGS_KEY, type Settings } from '../pipeline/settings';
import { base64ToBytes, encodeRgb } from '../pipeline/transport';
import { BRIDGE_READY, HELLO_FROM_HOOK } from './handshake';

/** At most this many hook ports are kept (a page can forge hellos; each is just another checked sender). */
const MAX_HOOK_PORTS = 4;

/**
 * Whether extension messaging clones what it carries (Firefox: views go as their bytes) or makes it JSON
 * (Chrome: base64, see transport.ts). Known when the extension is built.
 */
const CLONING_MESSAGES = import.meta.env.MODE === 'firefox';

/** Ended streams remembered, so that a stats message still on its way does not bring one back. */
const ENDED_STREAMS_KEPT = 64;
/** Stage timings kept for the status (the newest analyses of the tab). */
const STAGE_HISTORY = 30;
/** After the analyser says it cannot run, frames are not sent to it for this long (ms). */
const UNAVAILABLE_BACKOFF_MS = 10_000;
/** A clock whose background page went away is asked for again after this long (ms): the page has restarted by then. */
const CLOCK_RECONNECT_MS = 500;

class Bridge {
  readonly #host = location.hostname;
  #settings: Settings = DEFAULT_SETTINGS;
  #settingsLoaded = false;
  readonly #hooks: MessagePort[] = [];
  readonly #streams = new Map<string, { port: MessagePort; stats: StreamStats | null }>();
  readonly #ended = new Set<string>();
  #analyser: Runtime.Port | null = null;
  #opening: Promise<Runtime.Port> | null = null;
  #unavailableUntilMs = 0;
  #customSets: readonly CustomSet[] = [];
  /** The set to draw with (see #setChanged). */
  #inUse: EmojiSet = EMOJI_SETS[DEFAULT_SETTINGS.emojiSet]!;
  /** PNG bytes by artwork key (an emoji, or a custom image's key), of every set met so far. */
  readonly #artwork = new Map<string, ArrayBuffer>();
  /** Emoji whose artwork was asked of the analyser and has not come yet. */
  readonly #artworkRequested = new Set<string>();
  #backend: string | null = null;
  readonly #stageMs: StageMs[] = [];
  /** The page's time to relay each recent analysis frame to the analyser (base64 and posting), ms. */
  readonly #relayMs: number[] = [];
  #analyserTrackers: number | null = null;
  readonly #gesturesShown: Partial<Record<Gesture, number>> = {};
  #lastError: Localized | null = null;
  #activity = '';
  /** Streams that asked for a clock: their hook's port and the interval they want (ms). */
  readonly #clocked = new Map<string, { port: MessagePort; intervalMs: number }>();
  /** The port to the background's clock while some stream wants ticks, and the interval it was asked for. */
  #clock: { port: Runtime.Port; intervalMs: number } | null = null;

  start(): void {
    window.addEventListener('message', (event) => {
      const port = event.ports[0];
      if (event.source !== window || (event.data as { emoface?: unknown } | null)?.emoface !== HELLO_FROM_HOOK || !port) return;
      this.#adopt(port);
    });
    browser.storage.onChanged.addListener((changes, area) => {
      if (area === 'sync' && SETTINGS_KEY in changes) this.#apply(changes[SETTINGS_KEY]!.newValue);
      if (area === 'local' && CUSTOM_SETS_KEY in changes) this.#applySets(changes[CUSTOM_SETS_KEY]!.newValue);
    });
    browser.runtime.onMessage.addListener((message: unknown) => {
      if ((message as PopupRequest | null)?.type === 'getStatus') return Promise.resolve(this.#status());
      return undefined;
    });
    const customSets = browser.storage.local.get(CUSTOM_SETS_KEY).then((stored) => stored[CUSTOM_SETS_KEY], () => undefined);
    void Promise.all([browser.storage.sync.get(SETTINGS_KEY), customSets]).then(([stored, sets]) => {
      this.#applySets(sets);
      this.#apply(stored[SETTINGS_KEY]);
    }, (error: unknown) => {
      this.#lastError = localized('settingsUnreadable', describeError(error));
      this.#apply(undefined);
    });
    // A hook already in the page (this bridge was injected after an update) answers with a new hello.
    window.postMessage({ emoface: BRIDGE_READY }, '*');
  }

  /**
   * Takes a port that says it is the hook's. When MAX_HOOK_PORTS are held, the oldest carrying no
   * stream makes room (a hook that said hello again left its old one); a page forging hellos can
   * therefore not push out the port of a running call. Every message on any port is checked alike.
   */
  #adopt(port: MessagePort): void {
    if (this.#hooks.length >= MAX_HOOK_PORTS) {
      const idle = this.#hooks.findIndex((held) => ![...this.#streams.values()].some((stream) => stream.port === held));
      if (idle < 0) {
        port.close();
        return;
      }
      this.#hooks.splice(idle, 1)[0]!.close();
    }
    this.#hooks.push(port);
    port.onmessage = (event) => {
      const message = parseHookMessage(event.data);
      if (typeof message === 'string') return; // not from our hook, or broken: dropped
      void this.#fromHook(message, port);
    };
    if (this.#settingsLoaded) port.postMessage(this.#state());
  }

  #apply(stored: unknown): void {
    const { settings, problems } = readSettings(stored);
    this.#settings = settings;
    this.#settingsLoaded = true;
    if (problems.length > 0) this.#lastError = problems[0]!;
    this.#setChanged();
  }

  /** The user's sets changed (or were read): their images become artwork, the set in use may differ. */
  #applySets(stored: unknown): void {
    const { sets, problems } = readCustomSets(stored, SET_LABELS);
    this.#customSets = sets;
    if (problems.length > 0) this.#lastError = problems[0]!;
    for (const key of [...this.#artwork.keys()]) if (key.startsWith('image:')) this.#artwork.delete(key);
    for (const set of sets) for (const [key, png] of imagesOf(set)) this.#artwork.set(key, png.buffer as ArrayBuffer);
    if (this.#settingsLoaded) this.#setChanged();
  }

  /**
   * The settings or the user's sets changed: works out the set to draw with once (a custom set's image
   * keys hash its images; that is not work for every frame) — the site's, or the one for every site; a
   * custom set that is gone falls back to the default set, and the popup is told.
   */
  #setChanged(): void {
    const name = emojiSetForSite(this.#settings, this.#host);
    const id = customSetId(name);
    const custom = id === null ? undefined : this.#customSets.find((set) => set.id === id);
    if (id !== null && !custom) this.#lastError = localized('customSetMissing', name);
    this.#inUse = custom ? toEmojiSet(custom) : EMOJI_SETS[name] ?? EMOJI_SETS[DEFAULT_SETTINGS.emojiSet]!;
    this.#pushState();
    if (this.#streams.size > 0) this.#requestArtwork();
  }

  /**
   * Asks the analyser for the emoji artwork of the set in use, then of the built-in sets, each emoji
   * once, so that a set chosen in the popup during the call shows at once (the first analysis opens the
   * analyser). Custom images need no asking: they come with the user's sets.
   */
  #requestArtwork(): void {
    if (!this.#on()) return;
    for (const wanted of [emojiOfSet(this.#inUse), Object.values(EMOJI_SETS).flatMap(emojiOfSet)]) {
      const missing = [...new Set(wanted)].filter((key) => !key.startsWith('image:') && !this.#artwork.has(key) && !this.#artworkRequested.has(key));
      if (missing.length === 0) continue;
      for (const emoji of missing) this.#artworkRequested.add(emoji);
      void this.#send({ type: 'artwork', emoji: missing }).then((sent) => sent || missing.forEach((emoji) => this.#artworkRequested.delete(emoji)));
    }
  }

  #on(): boolean {
    return isOnForSite(this.#settings, this.#host);
  }

  #state(): BridgeMessage {
    const set = this.#inUse;
    const artwork: Record<string, ArrayBuffer> = {};
    for (const key of emojiOfSet(set)) {
      const png = this.#artwork.get(key);
      if (png) artwork[key] = png;
    }
    return { type: 'state', on: this.#on(), emojiSet: set.name, artwork };
  }

  #pushState(): void {
    const state = this.#state();
    for (const port of this.#hooks) port.postMessage(state);
  }

  async #fromHook(message: HookMessage, port: MessagePort): Promise<void> {
    switch (message.type) {
      case 'analyse': {
        const stream = this.#streams.get(message.streamId);
        if (stream) stream.port = port;
        else this.#streams.set(message.streamId, { port, stats: null });
        if (!this.#on()) {
          port.postMessage({ type: 'analysisFailed', streamId: message.streamId, seq: message.seq } satisfies BridgeMessage);
          return;
        }
        if (Date.now() < this.#unavailableUntilMs) return; // unanswered: the hook's reply timeout paces the retries
        this.#requestArtwork();
        const relayStarted = performance.now();
        const sent = await this.#send({
          type: 'analyse', streamId: message.streamId, seq: message.seq, frameWidth: message.frameWidth, frameHeight: message.frameHeight,
          views: message.views.map((view): AnalysedView => (CLONING_MESSAGES ? { layout: view.layout, rgba: view.pixels } : { layout: view.layout, rgb: encodeRgb(new Uint8Array(view.pixels)) })),
          timestampMs: message.timestampMs, classify: message.classify,
          labelMode: this.#settings.labelMode, gestures: this.#settings.gestures, gestureIntervalMs: message.gestureIntervalMs, set: this.#inUse,
        });
        if (this.#relayMs.push(performance.now() - relayStarted) > STAGE_HISTORY) this.#relayMs.shift();
        if (!sent) port.postMessage({ type: 'analysisFailed', streamId: message.streamId, seq: message.seq } satisfies BridgeMessage);
        return;
      }
      case 'stats': {
        if (this.#ended.has(message.stats.streamId)) return;
        const stream = this.#streams.get(message.stats.streamId);
        if (stream) stream.stats = message.stats;
        else this.#streams.set(message.stats.streamId, { port, stats: message.stats });
        this.#reportActivity();
        return;
      }
      case 'clock':
        if (message.intervalMs === null) this.#clocked.delete(message.streamId);
        else this.#clocked.set(message.streamId, { port, intervalMs: message.intervalMs });
        this.#setClock();
        return;
      case 'streamEnded':
        this.#clocked.delete(message.streamId);
        this.#setClock();
        this.#streams.delete(message.streamId);
        this.#ended.add(message.streamId);
        if (this.#ended.size > ENDED_STREAMS_KEPT) this.#ended.delete(this.#ended.values().next().value!);
        this.#reportActivity();
        if (this.#analyser) await this.#send({ type: 'endStream', streamId: message.streamId });
        return;
      case 'problem':
        this.#lastError = localized(HOOK_PROBLEMS[message.problem], message.detail);
        return;
    }
  }

  /**
   * Asks the background for ticks as often as the most demanding stream that wants them, and relays each
   * to every such stream; closes the clock when none does.
   */
  #setClock(): void {
    if (this.#clocked.size === 0) {
      this.#clock?.port.disconnect();
      this.#clock = null;
      return;
    }
    const intervalMs = Math.min(...[...this.#clocked.values()].map((stream) => stream.intervalMs));
    if (this.#clock?.intervalMs === intervalMs) return;
    if (!this.#clock) {
      const port = browser.runtime.connect({ name: CLOCK_PORT });
      port.onMessage.addListener(() => {
        for (const [streamId, stream] of this.#clocked) stream.port.postMessage({ type: 'tick', streamId } satisfies BridgeMessage);
      });
      // The background page went away (restarted): asked again after a while, while streams still want ticks.
      port.onDisconnect.addListener(() => {
        if (this.#clock?.port !== port) return;
        this.#clock = null;
        setTimeout(() => this.#setClock(), CLOCK_RECONNECT_MS);
      });
      this.#clock = { port, intervalMs };
    }
    this.#clock.intervalMs = intervalMs;
    this.#clock.port.postMessage({ intervalMs } satisfies ClockRequest);
  }

  /** Sends to the analyser, opening it first when needed; false (and lastError set) when it cannot. */
  async #send(request: AnalyserRequest): Promise<boolean> {
    try {
      (this.#analyser ?? await (this.#opening ??= this.#open().finally(() => { this.#opening = null; }))).postMessage(request);
      return true;
    } catch (error) {
      this.#lastError = error instanceof AnalyserNotOpened ? error.problem : localized('analyserUnreachable', describeError(error));
      return false;
    }
  }

  async #open(): Promise<Runtime.Port> {
    const reply = await browser.runtime.sendMessage({ type: 'openAnalyser' } satisfies BackgroundRequests['openAnalyser']['request']) as
      BackgroundRequests['openAnalyser']['reply'];
    if (!reply.ok) throw new AnalyserNotOpened(reply.error);
    const port = browser.runtime.connect({ name: 'analyser' });
    port.onMessage.addListener((message: unknown) => this.#fromAnalyser(message as AnalyserReply));
    port.onDisconnect.addListener(() => {
      this.#analyser = null;
      this.#artworkRequested.clear();
      this.#lastError = localized('analyserStopped');
      for (const [streamId, stream] of this.#streams) stream.port.postMessage({ type: 'analysisFailed', streamId, seq: -1 } satisfies BridgeMessage);
    });
    this.#analyser = port;
    return port;
  }

  #fromAnalyser(message: AnalyserReply): void {
    switch (message.type) {
      case 'ready':
        this.#backend = message.backend;
        return;
      case 'faces':
        this.#stageMs.push(message.stageMs);
        this.#analyserTrackers = message.trackers;
        for (const { gesture } of message.faces) if (gesture) this.#gesturesShown[gesture] = (this.#gesturesShown[gesture] ?? 0) + 1;
        if (this.#stageMs.length > STAGE_HISTORY) this.#stageMs.shift();
        this.#streams.get(message.streamId)?.port.postMessage({
          type: 'faces', streamId: message.streamId, seq: message.seq, timestampMs: message.timestampMs, faces: message.faces, searchPending: message.searchPending,
        } satisfies BridgeMessage);
        return;
      case 'failed':
        this.#lastError = message.problem;
        this.#streams.get(message.streamId)?.port.postMessage({ type: 'analysisFailed', streamId: message.streamId, seq: message.seq } satisfies BridgeMessage);
        return;
      case 'artwork': {
        for (const [emoji, png] of Object.entries(message.images)) {
          this.#artwork.set(emoji, base64ToBytes(png).buffer as ArrayBuffer);
          this.#artworkRequested.delete(emoji);
        }
        const inUse = emojiOfSet(this.#inUse);
        if (Object.keys(message.images).some((emoji) => inUse.includes(emoji))) this.#pushState();
        return;
      }
      case 'notice':
        this.#lastError = message.problem;
        return;
      case 'unavailable':
        this.#lastError = message.problem;
        this.#unavailableUntilMs = Date.now() + UNAVAILABLE_BACKOFF_MS;
        return;
    }
  }

  #status(): TabStatus {
    return {
      host: this.#host, on: this.#on(), backend: this.#backend, lastError: this.#lastError, stageMs: medianStages(this.#stageMs),
      relayMs: this.#relayMs.length === 0 ? null : Math.round(median(this.#relayMs) * 100) / 100,
      analyserTrackers: this.#analyserTrackers, gesturesShown: { ...this.#gesturesShown },
      streams: [...this.#streams.values()].flatMap((s) => (s.stats ? [s.stats] : [])),
    };
  }

  #reportActivity(): void {
    const streams = [...this.#streams.values()].flatMap((s) => (s.stats ? [s.stats] : []));
    const activity = { type: 'tabActivity', streams: streams.length, faces: streams.reduce((n, s) => n + s.faces, 0) } as const;
    const key = JSON.stringify(activity);
    if (key === this.#activity) return;
    this.#activity = key;
    void browser.runtime.sendMessage(activity satisfies BackgroundRequests['tabActivity']['request']).catch(() => undefined);
  }
}

/** The service worker could not open the analyser; `problem` says why. */
class AnalyserNotOpened extends Error {
  constructor(readonly problem: Localized) {
    super(problem.key);
  }
}

/**
 * Median of each stage over `history`, or null when it is empty. Search is the median over the analyses
 * that searched, follow over those that followed faces, align and classify over those that classified,
 * gestures over those that read a face (most analyses do only some of these, and take no time in the others).
 */
function medianStages(history: readonly StageMs[]): StageMs | null {
  if (history.length === 0) return null;
  const stage = (key: keyof StageMs, only = false) => median(history.filter((s) => !only || s[key] > 0).map((s) => s[key]));
  return {
    decode: stage('decode'), search: stage('search', true), follow: stage('follow', true), align: stage('align', true),
    classify: stage('classify', true), gestures: stage('gestures', true), track: stage('track'), total: stage('total'),
  };
}

/**
 * Set on the isolated world's window by the running bridge: tells whether its extension context still
 * lives. The service worker injects the bridge again after an update; a bridge whose extension was
 * replaced is dead, one injected twice by a race is not, and then the newcomer leaves.
 */
const RUNNING = Symbol.for('emoface.bridge');
const running: unknown = Reflect.get(window, RUNNING);
if (!(typeof running === 'function' && running())) {
  Object.defineProperty(window, RUNNING, { value: () => Boolean(chrome.runtime?.id), configurable: true });
  new Bridge().start();
}
