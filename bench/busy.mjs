// Load for the benches' `--busy N`: N other processes, each spinning one core, as on a machine that is
// busy with something else.
import { spawn } from 'node:child_process';

/**
 * Each spinner checks every few million turns that the process that started it is still its parent, and
 * exits once it is not: a bench that dies without stopping them (an uncaught error, Ctrl-C) leaves no
 * core spinning behind it.
 */
const SPIN = 'const parent = process.ppid; for (let i = 1; ; i++) if (i % 5e6 === 0 && process.ppid !== parent) process.exit();';

/**
 * Starts `count` (≥ 0, an integer) busy-spinning Node processes. `stop()` kills them; `count` says how many run.
 * @param {number} count
 */
export function startBusy(count) {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`--busy must be a whole number ≥ 0, got ${count}`);
  const spinners = Array.from({ length: count }, () => spawn(process.execPath, ['-e', SPIN], { stdio: 'ignore' }));
  return {
    count,
    stop() {
      for (const spinner of spinners) spinner.kill();
    },
  };
}
