// The local call site: one HTTPS server that answers as meet.google.com (Meet's kind of CSP: nonce +
// 'strict-dynamic' scripts, Trusted Types required, no workers or frames from elsewhere), discord.com (a
// looser CSP) and example.com (a site emoface is not switched on for), all with the same call page.
// Chromium reaches it through --host-resolver-rules (demo/browser.mjs). Every request is logged.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PAGES = join(dirname(fileURLToPath(import.meta.url)), 'pages');
/** The host names the server answers for (and the certificate names). */
export const CALL_HOSTS = ['meet.google.com', 'discord.com', 'example.com'];

/** Where the call hosts serve the `camera` clip given to startCallServer. */
export const CAMERA_PATH = '/camera.webm';

/** Content-Security-Policy per host; `{{NONCE}}` is replaced by a fresh nonce per response. */
const POLICIES = {
  'meet.google.com': "script-src 'nonce-{{NONCE}}' 'strict-dynamic' 'report-sample'; object-src 'none'; base-uri 'self'; "
    + "require-trusted-types-for 'script'; trusted-types 'none'; worker-src 'self'; frame-src 'self'; frame-ancestors 'self'",
  'discord.com': "script-src 'self' 'unsafe-eval' 'nonce-{{NONCE}}'; worker-src 'self' blob:; object-src 'none'; frame-ancestors 'self'",
  'example.com': "script-src 'self' 'nonce-{{NONCE}}'; object-src 'none'",
};

/** A self-signed certificate for CALL_HOSTS and localhost, made with openssl (Chromium runs with --ignore-certificate-errors). */
function certificate() {
  const folder = mkdtempSync(join(tmpdir(), 'emoface-cert-'));
  try {
    const names = [...CALL_HOSTS, 'localhost'].map((h) => `DNS:${h}`).join(',');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=emoface demo call',
      '-addext', `subjectAltName=${names}`, '-keyout', join(folder, 'key.pem'), '-out', join(folder, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(folder, 'key.pem')), cert: readFileSync(join(folder, 'cert.pem')) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Sends the WebM at `file`, or the byte range its request asks for (media elements ask for ranges). */
function sendClip(request, response, file) {
  const size = statSync(file).size;
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
  const start = range?.[1] ? Number(range[1]) : range?.[2] ? Math.max(0, size - Number(range[2])) : 0;
  const end = range?.[1] && range[2] ? Math.min(size - 1, Number(range[2])) : size - 1;
  const headers = { 'Content-Type': 'video/webm', 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-cache' };
  if (range && start >= size) {
    response.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` }).end();
    return;
  }
  response.writeHead(range ? 206 : 200, { ...headers, 'Content-Length': end - start + 1, ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}) });
  createReadStream(file, { start, end }).pipe(response);
}

/**
 * Starts the call site on 127.0.0.1 (`port` 0: any free port). `camera`: a WebM clip served on every call
 * host at CAMERA_PATH (with byte ranges), for Firefox's camera from a clip (demo/firefox.mjs); none by default.
 * @param {{port?: number, camera?: string | null}} [options]
 * @returns {Promise<{port: number, requests: Array<{host: string, path: string}>, url: (host: string, path?: string) => string, close: () => Promise<void>}>}
 */
export async function startCallServer({ port = 0, camera = null } = {}) {
  const requests = [];
  const server = createServer(certificate(), (request, response) => {
    const host = (request.headers.host ?? '').replace(/:\d+$/, '');
    const path = new URL(request.url ?? '/', 'https://x').pathname;
    requests.push({ host, path });
    if (!CALL_HOSTS.includes(host)) {
      response.writeHead(421).end();
      return;
    }
    if (path === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    if (camera && path === CAMERA_PATH) {
      sendClip(request, response, camera);
      return;
    }
    if (path === '/call.js' || path === '/call.css') {
      response.writeHead(200, { 'Content-Type': path.endsWith('.js') ? 'text/javascript' : 'text/css', 'Cache-Control': 'no-store' });
      response.end(readFileSync(join(PAGES, path.slice(1))));
      return;
    }
    const nonce = randomBytes(16).toString('base64');
    response.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store',
      'Content-Security-Policy': POLICIES[host].replaceAll('{{NONCE}}', nonce),
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
    response.end(readFileSync(join(PAGES, 'call.html'), 'utf8').replaceAll('{{NONCE}}', nonce));
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actualPort = server.address().port;
  return {
    port: actualPort,
    requests,
    url: (host, path = '/') => `https://${host}${path}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const site = await startCallServer({ port: Number(process.env.PORT ?? 8443) });
  writeFileSync(1, `call site on 127.0.0.1:${site.port} for ${CALL_HOSTS.join(', ')}\n`);
}
