// `npm run build`: the Chrome extension in dist/ (`vite build`); `npm run build -- --firefox` (or
// `npm run build:firefox`): the Firefox one in dist-firefox/ (`vite build --mode firefox`, see vite.config.ts).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the extension for `browser` ('chrome' or 'firefox'); returns the folder it wrote. */
export function build(browser = 'chrome') {
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  execFileSync(process.execPath, [vite, 'build', ...(browser === 'firefox' ? ['--mode', 'firefox'] : [])], { cwd: ROOT, stdio: 'inherit' });
  return join(ROOT, browser === 'firefox' ? 'dist-firefox' : 'dist');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { firefox: { type: 'boolean', default: false } } });
  build(values.firefox ? 'firefox' : 'chrome');
}
