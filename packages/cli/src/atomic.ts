import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { CliError } from './errors.js';

/** A temporary path beside `target` (same folder, so the final rename is atomic), keeping its extension. */
export function temporaryPathFor(target: string): string {
  const ext = extname(target);
  return join(dirname(target), `.${basename(target, ext)}.emoface-${randomBytes(4).toString('hex')}.tmp${ext}`);
}

/** Refuses an output that is the input (also through links), or that sits in a missing folder. */
export function checkOutputPath(input: string, output: string): void {
  const same = resolve(input) === resolve(output)
    || (existsSync(output) && existsSync(input) && realpathSync(input) === realpathSync(output));
  if (same) throw new CliError(`${output}: output is the input file; choose another -o path (the input is never overwritten)`);
  if (!existsSync(dirname(resolve(output)))) throw new CliError(`${output}: folder ${dirname(resolve(output))} does not exist`);
}

/** Runs `write(temporaryPath)`, then renames the result onto `target`; on failure nothing is left behind. */
export async function writeAtomically(target: string, write: (temporaryPath: string) => Promise<void>): Promise<void> {
  const temporary = temporaryPathFor(target);
  try {
    await write(temporary);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Writes bytes to `target` atomically. */
export async function writeFileAtomically(target: string, bytes: Uint8Array): Promise<void> {
  await writeAtomically(target, (temporary) => writeFile(temporary, bytes));
}
