/** A progress bar on stderr, drawn only when stderr is a terminal (so logs and pipes stay clean). */
export class Progress {
  readonly #label: string;
  readonly #total: number;
  readonly #enabled: boolean;
  #done = 0;
  #lastDraw = 0;

  constructor(label: string, total: number, enabled = Boolean(process.stderr.isTTY)) {
    this.#label = label;
    this.#total = total;
    this.#enabled = enabled;
  }

  /** Counts `n` more items done. */
  tick(n = 1): void {
    this.#done += n;
    const now = Date.now();
    if (this.#enabled && (now - this.#lastDraw > 100 || this.#done >= this.#total)) {
      this.#lastDraw = now;
      const share = this.#total > 0 ? Math.min(1, this.#done / this.#total) : 0;
      const width = 30;
      const bar = '█'.repeat(Math.round(share * width)).padEnd(width, '░');
      process.stderr.write(`\r${this.#label} ${bar} ${this.#done}/${this.#total > 0 ? this.#total : '?'}`);
    }
  }

  /** Ends the bar's line. */
  finish(): void {
    if (this.#enabled) process.stderr.write('\n');
  }
}
