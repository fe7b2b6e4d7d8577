/** Exit codes of the emoface command (see ../shared/DESIGN.md). */
export const EXIT = { ok: 0, badInput: 1, usage: 2 } as const;

/** An error the command reports as one line and an exit code, without a stack trace. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.badInput) {
    super(message);
    this.name = 'CliError';
  }
}

/** A bad-usage error (exit 2). */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT.usage);
}
