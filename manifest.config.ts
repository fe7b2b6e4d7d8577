import { defineManifest } from '@crxjs/vite-plugin';
import pkg from './package.json' with { type: 'json' };
import { BUILT_IN_SITES } from './src/pipeline/settings';

/** Match patterns of the sites emoface covers out of the box. */
const BUILT_IN_MATCHES = BUILT_IN_SITES.map((host) => `https://${host}/*`);

/** emoface's icon at each size (icons/emoface.svg, drawn by scripts/icons.mjs); vite.config.ts bundles them. */
export const ICONS = Object.fromEntries([16, 32, 48, 128].map((size) => [String(size), `icons/icon-${size}.png`]));

/**
 * The CSP of every extension page (offscreen analyser, popup, sets page) and of the service worker.
 * 'wasm-unsafe-eval': the analyser compiles MediaPipe's and TF.js's bundled wasm (MV3's default forbids it).
 * Everything else is the extension's own files only: `connect-src 'self'` blocks MediaPipe Tasks' usage
 * metrics logger (README, "Privacy"), and no image, frame or font can come from, or go to, another
 * origin. Custom emoji images are data: URLs, and the sets page previews files through blob: URLs.
 */
export const EXTENSION_PAGES_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The browsers emoface is built for: `npm run build` (Chrome) and `npm run build:firefox`. */
export type BrowserTarget = 'chrome' | 'firefox';

/** Firefox's id of the extension (addons.mozilla.org keys it by this), and the oldest Firefox it runs in. */
export const GECKO_ID = 'emoface@emoface.dev';
const GECKO_MIN_VERSION = '142.0';

/**
 * What differs between the two builds: where the analyser runs (Chrome: an offscreen document the service
 * worker opens, with the 'offscreen' permission; Firefox, which has neither, a background page that is
 * the analyser too) and the browser's own keys.
 */
const TARGETS = {
  chrome: {
    // MAIN-world content scripts and registerContentScripts({world}) need 111; offscreen documents 109.
    minimum_chrome_version: '116',
    background: { service_worker: 'src/background/serviceWorker.ts', type: 'module' as const },
    permissions: ['storage', 'offscreen', 'scripting', 'activeTab'],
  },
  firefox: {
    background: { scripts: ['src/background/backgroundPage.ts'], type: 'module' as const },
    permissions: ['storage', 'scripting', 'activeTab'],
    // Nothing is collected or sent (README, "Privacy"); Firefox asks new extensions to say so.
    browser_specific_settings: { gecko: { id: GECKO_ID, strict_min_version: GECKO_MIN_VERSION, data_collection_permissions: { required: ['none' as const] } } },
  },
};

/** The extension's manifest for `target`; README ("Permissions") says why each permission is needed. */
export const manifestFor = (target: BrowserTarget) => defineManifest({
  manifest_version: 3,
  // Name, description and every string the user sees come from _locales/<language>/messages.json.
  name: '__MSG_extName__',
  description: '__MSG_extDescription__',
  default_locale: 'en',
  version: pkg.version,
  icons: ICONS,
  action: { default_popup: 'src/popup/index.html', default_title: '__MSG_actionTitle__', default_icon: ICONS },
  // The user's own emoji sets are made on this page, opened from the popup.
  options_ui: { page: 'src/popup/sets.html', open_in_tab: true },
  content_scripts: [
    // The hook must wrap getUserMedia before the page's own scripts run: MAIN world, document_start.
    { matches: BUILT_IN_MATCHES, js: ['src/content/hook.ts'], run_at: 'document_start', world: 'MAIN' },
    { matches: BUILT_IN_MATCHES, js: ['src/content/bridge.ts'], run_at: 'document_start' },
  ],
  // Lets the service worker put the content scripts back into open call tabs after an update.
  host_permissions: BUILT_IN_MATCHES,
  // Asked for one site at a time, when the user switches emoface on there from the popup.
  optional_host_permissions: ['https://*/*'],
  content_security_policy: { extension_pages: EXTENSION_PAGES_CSP },
  ...TARGETS[target],
});
