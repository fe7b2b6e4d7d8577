/**
 * emoface's background, in both browsers (Chrome's service worker, Firefox's background page): has the
 * analyser opened when a tab needs it, registers the content scripts for sites the user switches on (and
 * records them, whoever granted the permission), puts them back into open tabs after an update, and keeps
 * the toolbar badge (faces being covered in the tab).
 */
import browser, { type Runtime } from 'webextension-polyfill';
import { describeError, localized } from '../pipeline/i18n';
import type { BackgroundRequest, BackgroundRequests } from '../pipeline/messages';
import { BUILT_IN_SITES, isHostName, readSettings, SETTINGS_KEY, type Settings, withAddedSite } from '../pipeline/settings';

type Handlers = { [K in keyof BackgroundRequests]: (request: BackgroundRequests[K]['request'], sender: Runtime.MessageSender) => Promise<BackgroundRequests[K]['reply']> };

/**
 * Listens for the extension's events; `openAnalyser` makes sure the analyser runs (where it runs is the
 * browser's: see serviceWorker.ts and backgroundPage.ts). Called once, as the background starts.
 */
export function startBackground(openAnalyser: () => Promise<void>): void {
  const handlers = handlersWith(openAnalyser);
  browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
    const request = message as BackgroundRequest | null;
    if (!request || typeof request !== 'object' || !Object.hasOwn(handlers, request.type)) return undefined;
    // Only the extension's own pages and content scripts reach here (no externally_connectable).
    const handler = handlers[request.type] as (r: BackgroundRequest, s: Runtime.MessageSender) => Promise<unknown>;
    return handler(request, sender);
  });
  browser.runtime.onInstalled.addListener(() => void restoreSites().then(reinjectOpenTabs));
  browser.runtime.onStartup.addListener(() => void restoreSites());
  // The permission prompt may close the popup before its request resolves, and the user can take a site
  // back in the browser's own settings: a site is added or removed here, whoever granted or revoked it.
  browser.permissions.onAdded.addListener(({ origins = [] }) => void Promise.all(addedHosts(origins).map(addSite)));
  browser.permissions.onRemoved.addListener(({ origins = [] }) => void Promise.all(addedHosts(origins).map(removeSite)));
}

/** The answers to the background's requests. */
const handlersWith = (openAnalyser: () => Promise<void>): Handlers => ({
  openAnalyser: async () => {
    try {
      await openAnalyser();
      return { ok: true };
    } catch (error) {
      return { ok: false, error: localized('analyserPageFailed', describeError(error)) };
    }
  },
  addSite: async ({ host }) => {
    if (!isHostName(host)) return { ok: false, error: localized('notAHost', String(host).slice(0, 80)) };
    if (!await browser.permissions.contains({ origins: [originPattern(host)] })) return { ok: false, error: localized('noPermission', host) };
    await addSite(host);
    return { ok: true };
  },
  removeSite: async ({ host }) => {
    if (!isHostName(host)) return { ok: false, error: localized('notAHost', String(host).slice(0, 80)) };
    await removeSite(host);
    // Refused for a permission the manifest itself holds; the site is off either way.
    await browser.permissions.remove({ origins: [originPattern(host)] }).catch(() => false);
    return { ok: true };
  },
  tabActivity: async ({ faces, streams }, sender) => {
    const tabId = sender.tab?.id;
    if (tabId === undefined) return;
    await browser.action.setBadgeText({ tabId, text: streams > 0 ? String(faces) : '' });
    await browser.action.setBadgeBackgroundColor({ tabId, color: '#f59e0b' });
  },
});

const originPattern = (host: string) => `https://${host}/*`;

/** The host names of single-site patterns (`https://<host>/*`) beyond the built-in sites. */
function addedHosts(origins: readonly string[]): string[] {
  return origins.map((origin) => /^https:\/\/([^/*]+)\/\*$/.exec(origin)?.[1] ?? '')
    .filter((host) => isHostName(host) && !(BUILT_IN_SITES as readonly string[]).includes(host));
}

/**
 * Switches emoface on for `host` (its permission granted): content scripts registered for its pages
 * from now on and put into its open tabs (a camera opened after this is covered), the site recorded
 * in the settings.
 */
function addSite(host: string): Promise<void> {
  return inTurn(async () => {
    await registerSite(host);
    await injectInto([originPattern(host)]);
    await updateSettings((settings) => withAddedSite(settings, host, true));
  });
}

/** Switches emoface off for `host`: its content scripts unregistered and the site dropped from the settings. */
function removeSite(host: string): Promise<void> {
  return inTurn(async () => {
    await chrome.scripting.unregisterContentScripts({ ids: scriptIds(host) }).catch(() => undefined);
    await updateSettings((settings) => withAddedSite(settings, host, false));
  });
}

let siteChanges: Promise<unknown> = Promise.resolve();

/** Runs site changes one after another: the popup's message and permissions.onAdded arrive together. */
function inTurn(change: () => Promise<void>): Promise<void> {
  const done = siteChanges.then(change);
  siteChanges = done.catch(() => undefined);
  return done;
}

/** Rewrites the stored settings (read and validated first) when `change` alters them. */
async function updateSettings(change: (settings: Settings) => Settings): Promise<void> {
  const { settings } = readSettings((await browser.storage.sync.get(SETTINGS_KEY))[SETTINGS_KEY]);
  const next = change(settings);
  if (JSON.stringify(next) !== JSON.stringify(settings)) await browser.storage.sync.set({ [SETTINGS_KEY]: next });
}

const scriptIds = (host: string) => [`hook:${host}`, `bridge:${host}`];

/** The built files of the two content scripts, as the manifest lists them (the hook runs in the MAIN world). */
function contentScriptFiles(): { hook: string; bridge: string } {
  const scripts = chrome.runtime.getManifest().content_scripts ?? [];
  const hook = scripts.find((s) => (s as { world?: string }).world === 'MAIN')?.js?.[0];
  const bridge = scripts.find((s) => (s as { world?: string }).world !== 'MAIN')?.js?.[0];
  if (!hook || !bridge) throw new Error('manifest lists no hook and bridge content scripts');
  return { hook, bridge };
}

/** Registers the hook and the bridge for `host`, as the manifest does for the built-in sites. */
async function registerSite(host: string): Promise<void> {
  const { hook, bridge } = contentScriptFiles();
  const [hookId, bridgeId] = scriptIds(host) as [string, string];
  const registered = await chrome.scripting.getRegisteredContentScripts({ ids: [hookId, bridgeId] });
  if (registered.length > 0) await chrome.scripting.unregisterContentScripts({ ids: registered.map((s) => s.id) });
  await chrome.scripting.registerContentScripts([
    { id: hookId, matches: [originPattern(host)], js: [hook], runAt: 'document_start', world: 'MAIN', persistAcrossSessions: true },
    { id: bridgeId, matches: [originPattern(host)], js: [bridge], runAt: 'document_start', persistAcrossSessions: true },
  ]);
}

/** Registers every added site that still has its permission (registrations go when the extension updates). */
async function restoreSites(): Promise<void> {
  const { settings } = readSettings((await browser.storage.sync.get(SETTINGS_KEY))[SETTINGS_KEY]);
  for (const host of settings.addedSites) {
    if (await browser.permissions.contains({ origins: [originPattern(host)] })) await registerSite(host).catch(() => undefined);
  }
}

/**
 * After an install or update, tabs already open lost their bridge (its extension context is gone): put
 * the content scripts back. A hook already in the page keeps its wrapped cameras and meets the new bridge.
 */
async function reinjectOpenTabs(): Promise<void> {
  const manifest = chrome.runtime.getManifest();
  await injectInto([...(manifest.host_permissions ?? []), ...((await browser.permissions.getAll()).origins ?? [])]);
}

/** Puts the hook and the bridge into every open tab whose address matches one of `patterns`. */
async function injectInto(patterns: readonly string[]): Promise<void> {
  const { hook, bridge } = contentScriptFiles();
  const tabs = await browser.tabs.query({ url: [...new Set(patterns)] });
  for (const tab of tabs) {
    if (tab.id === undefined) continue;
    await chrome.scripting.executeScript({ target: { tabId: tab.id }, files: [hook], world: 'MAIN', injectImmediately: true }).catch(() => undefined);
    await chrome.scripting.executeScript({ target: { tabId: tab.id }, files: [bridge], injectImmediately: true }).catch(() => undefined);
  }
}
