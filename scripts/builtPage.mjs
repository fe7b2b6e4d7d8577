// A page of the extension's own code in headless Chromium, for tools that run the analyser outside the
// extension (`npm run eval`, `npm run bench:search`): the page's folder built with vite against a models
// folder, served from 127.0.0.1 with the wasm and models where the extension's files put them.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { findChrome } from '../demo/browser.mjs';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

/**
 * Builds `root` (its index.html) with 'emoface-models' aliased to `models`, serves it beside `files`
 * (URL prefix → folder), and opens it in headless Chromium: {page, browser, close()}. `close` stops all
 * and removes the build.
 * @param {{root: string, models: string, files: Record<string, string>, name: string}} options
 */
export async function openBuiltPage({ root, models, files, name }) {
  const outDir = mkdtempSync(join(tmpdir(), `emoface-${name}-`));
  const served = { ...files, '/': outDir };
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    const [prefix, folder] = Object.entries(served).find(([p]) => path.startsWith(p));
    const file = join(folder, path.slice(prefix.length) || 'index.html');
    if (!file.startsWith(folder) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  let browser;
  const close = async () => {
    await browser?.close();
    server.close();
    rmSync(outDir, { recursive: true, force: true });
  };
  try {
    await build({
      root, logLevel: 'warn', configFile: false, resolve: { alias: { 'emoface-models': models } },
      build: { outDir, emptyOutDir: true, target: 'chrome116', chunkSizeWarningLimit: 4096 },
    });
    await new Promise((done) => server.listen(0, '127.0.0.1', done));
    browser = await chromium.launch({
      executablePath: findChrome(), args: ['--headless=new', '--disable-gpu', '--no-first-run', '--disable-background-networking', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
    });
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
    return { page, browser, close };
  } catch (error) {
    await close();
    throw error;
  }
}
