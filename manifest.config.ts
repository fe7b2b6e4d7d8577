import { defineManifest } from '@crxjs/vite-plugin';
import pkg from './package.json' with { type: 'json' };
import { BUILT_IN_SITES } from './src/pipeline/settings';

/** Match patterns of the sites emoface covers out of the box. */
const BUILT_IN_MATCHES = BUILT_IN_SITES.map((host) => `https://${host}/*`);

/** The extension's manifest; README ("Permissions") says why each permission is needed. */
export default defineManifest({
  manifest_version: 3,
  name: 'emoface',
  version: pkg.version,
  description: pkg.description,
  // MAIN-world content scripts and registerContentScripts({world}) need 111; offscreen documents 109.
  minimum_chrome_version: '116',
  action: { default_popup: 'src/popup/index.html', default_title: 'emoface' },
  background: { service_worker: 'src/background/serviceWorker.ts', type: 'module' },
  content_scripts: [
    // The hook must wrap getUserMedia before the page's own scripts run: MAIN world, document_start.
    { matches: BUILT_IN_MATCHES, js: ['src/content/hook.ts'], run_at: 'document_start', world: 'MAIN' },
    { matches: BUILT_IN_MATCHES, js: ['src/content/bridge.ts'], run_at: 'document_start' },
  ],
  permissions: ['storage', 'offscreen', 'scripting', 'activeTab'],
  // Lets the service worker put the content scripts back into open call tabs after an update.
  host_permissions: BUILT_IN_MATCHES,
  // Asked for one site at a time, when the user switches emoface on there from the popup.
  optional_host_permissions: ['https://*/*'],
  // The offscreen analyser compiles MediaPipe's and TF.js's bundled wasm; MV3's default forbids that.
  content_security_policy: { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'" },
});
