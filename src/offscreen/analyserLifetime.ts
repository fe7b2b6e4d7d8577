/** What the lifetime needs of an analyser (the Analyser class, or a stand-in in tests). */
export interface ClosableAnalyser {
  /** Forgets a stream's tracker. */
  endStream(streamKey: string): void;
  /** Frees what it holds. */
  close(): void;
}

/**
 * The analyser while streams need it: loaded on first use, closed once no stream has been analysed
 * for `idleCloseMs` (its detector and model freed, and MediaPipe's metrics logger flushed, which the
 * extension's CSP blocks), and loaded again by the next stream. An analyser that cannot load stays
 * failed: every bridge is told why, and the offscreen document is opened anew to retry.
 */
export class AnalyserLifetime<A extends ClosableAnalyser> {
  readonly #load: () => Promise<A>;
  readonly #idleCloseMs: number;
  #analyser: Promise<A> | null = null;
  readonly #streams = new Set<string>();
  #idleTimer: ReturnType<typeof setTimeout> | undefined;

  /** `load` makes an analyser; `idleCloseMs` is how long it outlives the last stream (ms). */
  constructor(load: () => Promise<A>, idleCloseMs: number) {
    this.#load = load;
    this.#idleCloseMs = idleCloseMs;
  }

  /** The analyser, loaded now if it is not open. */
  get(): Promise<A> {
    if (!this.#analyser) {
      this.#analyser = this.#load();
      // The countdown starts once loaded (a slow load is not cut short); a failure is not lost: whoever
      // awaits `get()` is told.
      this.#analyser.then(() => this.#scheduleClose(), () => undefined);
    }
    return this.#analyser;
  }

  /** Stream `key` is being analysed: the analyser stays open. */
  streamStarted(key: string): void {
    this.#streams.add(key);
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  /** Stream `key` ended: its tracker is forgotten, and the last stream to end starts the idle countdown. */
  streamEnded(key: string): void {
    void this.#analyser?.then((analyser) => analyser.endStream(key), () => undefined);
    if (this.#streams.delete(key)) this.#scheduleClose();
  }

  #scheduleClose(): void {
    if (this.#streams.size > 0 || this.#idleTimer !== undefined) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      const closing = this.#analyser;
      if (this.#streams.size > 0 || !closing) return;
      this.#analyser = null;
      void closing.then((analyser) => analyser.close(), () => undefined);
    }, this.#idleCloseMs);
  }
}
