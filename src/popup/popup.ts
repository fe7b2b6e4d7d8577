/**
 * The popup: on/off everywhere and for the current site, the emoji set and label mode with a preview,
 * and the live state of the current tab. Settings are written whole to chrome.storage.sync; each tab's
 * bridge picks the change up within a second.
 */
import browser from 'webextension-polyfill';
import { EMOJI_SETS, twemojiName, type LabelMode } from '../pipeline/emoji/emojiSets';
import type { BackgroundRequests, PopupRequest, TabStatus } from '../pipeline/messages';
import { DEFAULT_SETTINGS, isOnForSite, readSettings, SETTINGS_KEY, type Settings } from '../pipeline/settings';
import { preview, siteOf, statusLines, STRINGS, withAddedSite, withChoice, withEnabled, withSite } from './view';

/** How often the live state is asked for while the popup is open (ms). */
const STATUS_EVERY_MS = 500;

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let settings: Settings = DEFAULT_SETTINGS;
let tab: browser.Tabs.Tab | undefined;

async function save(next: Settings): Promise<void> {
  settings = next;
  render();
  await browser.storage.sync.set({ [SETTINGS_KEY]: next });
}

function render(): void {
  const { host, kind } = siteOf(tab?.url, settings);
  element<HTMLInputElement>('enabled').checked = settings.enabled;
  element('enabled-label').textContent = STRINGS.onEverywhere;
  const covered = kind === 'built-in' || kind === 'added';
  element('site-switch').hidden = !covered;
  if (covered && host) {
    element<HTMLInputElement>('site-enabled').checked = isOnForSite(settings, host);
    element<HTMLInputElement>('site-enabled').disabled = !settings.enabled;
    element('site-label').textContent = STRINGS.onForSite(host);
  }
  element('add-site').hidden = kind !== 'available';
  element('remove-site').hidden = kind !== 'added';
  if (host) {
    element('add-site').textContent = STRINGS.addSite(host);
    element('remove-site').textContent = STRINGS.removeSite(host);
  }
  renderChoices();
}

function renderChoices(): void {
  const sets = element('sets');
  sets.replaceChildren(...Object.values(EMOJI_SETS).map((set) => radio('set', set.name, set.title, settings.emojiSet === set.name,
    () => void save(withChoice(settings, { emojiSet: set.name })))));
  const modes: [LabelMode, string][] = [['seven', STRINGS.sevenLabels], ['five', STRINGS.fiveLabels]];
  element('modes').replaceChildren(...modes.map(([mode, title]) => radio('mode', mode, title, settings.labelMode === mode,
    () => void save(withChoice(settings, { labelMode: mode })))));
  element('preview').replaceChildren(...preview(settings).map(({ label, emoji }) => {
    const row = document.createElement('tr');
    const name = document.createElement('th');
    name.textContent = label;
    const cell = document.createElement('td');
    cell.append(...emoji.map((e) => {
      const image = document.createElement('img');
      image.src = `/emoji/twemoji/${twemojiName(e)}.svg`;
      image.alt = e;
      image.width = image.height = 24;
      return image;
    }));
    row.append(name, cell);
    return row;
  }));
}

function radio(group: string, value: string, title: string, checked: boolean, onChange: () => void): HTMLLabelElement {
  const label = document.createElement('label');
  const input = document.createElement('input');
  input.type = 'radio';
  input.name = group;
  input.value = value;
  input.checked = checked;
  input.addEventListener('change', onChange);
  label.append(input, ` ${title}`);
  return label;
}

async function refreshStatus(): Promise<void> {
  const { host, kind } = siteOf(tab?.url, settings);
  let status: TabStatus | null = null;
  if (tab?.id !== undefined && kind !== 'none') {
    status = await browser.tabs.sendMessage(tab.id, { type: 'getStatus' } satisfies PopupRequest).then((s) => s as TabStatus, () => null);
  }
  element('status').replaceChildren(...statusLines(kind, settings, host, status).map((line) => {
    const item = document.createElement('li');
    item.textContent = line;
    return item;
  }));
}

function showProblems(problems: readonly string[]): void {
  element('problems').hidden = problems.length === 0;
  element('problems-title').textContent = STRINGS.settingsProblem;
  element('problems-list').replaceChildren(...problems.map((p) => {
    const item = document.createElement('li');
    item.textContent = p;
    return item;
  }));
}

async function start(): Promise<void> {
  [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  const read = readSettings((await browser.storage.sync.get(SETTINGS_KEY))[SETTINGS_KEY]);
  settings = read.settings;
  showProblems(read.problems);
  element('reset').textContent = STRINGS.resetSettings;
  element('reset').addEventListener('click', () => {
    showProblems([]);
    void save(DEFAULT_SETTINGS);
  });
  element<HTMLInputElement>('enabled').addEventListener('change', (event) => void save(withEnabled(settings, (event.target as HTMLInputElement).checked)));
  element<HTMLInputElement>('site-enabled').addEventListener('change', (event) => {
    const { host } = siteOf(tab?.url, settings);
    if (host) void save(withSite(settings, host, (event.target as HTMLInputElement).checked));
  });
  element('add-site').addEventListener('click', () => {
    const { host } = siteOf(tab?.url, settings);
    if (!host) return;
    // permissions.request must run in the click's own turn (a user gesture).
    void browser.permissions.request({ origins: [`https://${host}/*`] }).then(async (granted) => {
      if (!granted) return;
      const reply = await browser.runtime.sendMessage({ type: 'addSite', host } satisfies BackgroundRequests['addSite']['request']) as BackgroundRequests['addSite']['reply'];
      note(reply.ok ? STRINGS.reloadToStart : reply.error);
      if (reply.ok) await save(withAddedSite(settings, host, true));
    });
  });
  element('remove-site').addEventListener('click', async () => {
    const { host } = siteOf(tab?.url, settings);
    if (!host) return;
    const reply = await browser.runtime.sendMessage({ type: 'removeSite', host } satisfies BackgroundRequests['removeSite']['request']) as BackgroundRequests['removeSite']['reply'];
    if (!reply.ok) note(reply.error);
    await save(withAddedSite(settings, host, false));
  });
  browser.storage.onChanged.addListener((changes, area) => {
    if (area !== 'sync' || !(SETTINGS_KEY in changes)) return;
    settings = readSettings(changes[SETTINGS_KEY]!.newValue).settings;
    render();
  });
  render();
  await refreshStatus();
  setInterval(() => void refreshStatus(), STATUS_EVERY_MS);
}

function note(text: string): void {
  element('site-note').hidden = false;
  element('site-note').textContent = text;
}

void start();
