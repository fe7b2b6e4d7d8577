/**
 * The popup: on/off and the emoji set everywhere and for the current site, the label mode with a preview,
 * gestures on/off with the current set's gesture emoji,
 * the way to the user's own sets (sets.html), and the live state of the current tab. Settings are written whole to chrome.storage.sync; each tab's
 * bridge picks the change up within a second.
 */
import browser from 'webextension-polyfill';
import { CUSTOM_SETS_KEY, readCustomSets } from '../pipeline/emoji/customSets';
import { SET_LABELS, type LabelMode } from '../pipeline/emoji/emojiSets';
import { localized, type Localized } from '../pipeline/i18n';
import type { BackgroundRequests, PopupRequest, TabStatus } from '../pipeline/messages';
import { DEFAULT_SETTINGS, isOnForSite, readSettings, SETTINGS_KEY, type Settings } from '../pipeline/settings';
import { t, translatePage } from './pageText';
import { entryImage } from './entryImage';
import { chosenSet, preview, setChoices, setGestures, siteOf, type SetChoice, siteScope, statusLines, withChoice, withEnabled, withoutSiteChoices, withSite } from './view';

/** How often the live state is asked for while the popup is open (ms). */
const STATUS_EVERY_MS = 500;

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let settings: Settings = DEFAULT_SETTINGS;
/** Every set to choose from: the built-in ones and the user's own. */
let choices: SetChoice[] = setChoices([]);
let tab: browser.Tabs.Tab | undefined;

async function save(next: Settings): Promise<void> {
  settings = next;
  render();
  await browser.storage.sync.set({ [SETTINGS_KEY]: next });
}

function render(): void {
  const { host, kind } = siteOf(tab?.url, settings);
  element<HTMLInputElement>('enabled').checked = settings.enabled;
  element('enabled-label').textContent = t(localized('onEverywhere'));
  const covered = kind === 'built-in' || kind === 'added';
  element('site-choices').hidden = !covered;
  if (covered && host) {
    element<HTMLInputElement>('site-enabled').checked = isOnForSite(settings, host);
    element('site-label').textContent = t(localized('onForSite', host));
    element('site-set-label').textContent = t(localized('siteSet', host));
    const options = [['', t(localized('siteSetFollow', chosenSet(choices, settings.emojiSet).title))],
      ...choices.map((choice) => [choice.name, t(choice.title)])];
    element('site-set').replaceChildren(...options.map(([value, text]) => new Option(text, value, false, (settings.sites[host]?.emojiSet ?? '') === value)));
    element('site-scope').textContent = t(siteScope(settings, host));
    element('follow-everywhere').hidden = !settings.sites[host];
  }
  element('add-site').hidden = kind !== 'available';
  element('remove-site').hidden = kind !== 'added';
  if (host) {
    element('add-site').textContent = t(localized('addSite', host));
    element('remove-site').textContent = t(localized('removeSite', host));
  }
  renderChoices(covered ? host : null);
}

function renderChoices(host: string | null): void {
  const sets = element('sets');
  const chosen = chosenSet(choices, settings.emojiSet).name;
  sets.replaceChildren(...choices.map((choice) => radio('set', choice.name, t(choice.title), chosen === choice.name,
    () => void save(withChoice(settings, { emojiSet: choice.name })))));
  const modes: [LabelMode, string][] = [['seven', t(localized('sevenLabels'))], ['five', t(localized('fiveLabels'))]];
  element('modes').replaceChildren(...modes.map(([mode, title]) => radio('mode', mode, title, settings.labelMode === mode,
    () => void save(withChoice(settings, { labelMode: mode })))));
  element('preview').replaceChildren(...preview(settings, host, choices).map(({ label, name: labelName, entries }) => {
    const row = document.createElement('tr');
    const name = document.createElement('th');
    name.textContent = labelName ? t(labelName) : label;
    const cell = document.createElement('td');
    cell.append(...entries.map((entry) => entryImage(entry, t(localized('imageEntry')))));
    row.append(name, cell);
    return row;
  }));
  element<HTMLInputElement>('gestures').checked = settings.gestures;
  const gestures = setGestures(settings, host, choices);
  element('gesture-list').replaceChildren(...(gestures.length === 0 ? [t(localized('gesturesNone'))] : [
    t(localized('gesturesOfSet')),
    ...gestures.flatMap(({ entry, name }, i) => [entryImage(entry, t(localized('imageEntry'))), ` ${t(name)}${i < gestures.length - 1 ? ', ' : ''}`]),
  ]));
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
    item.textContent = t(line);
    return item;
  }));
}

function showProblems(problems: readonly Localized[]): void {
  element('problems').hidden = problems.length === 0;
  element('problems-title').textContent = t(localized('settingsProblem'));
  element('problems-list').replaceChildren(...problems.map((p) => {
    const item = document.createElement('li');
    item.textContent = t(p);
    return item;
  }));
}

async function start(): Promise<void> {
  translatePage();
  [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  const [stored, local] = await Promise.all([browser.storage.sync.get(SETTINGS_KEY), browser.storage.local.get(CUSTOM_SETS_KEY)]);
  choices = setChoices(readCustomSets(local[CUSTOM_SETS_KEY], SET_LABELS).sets);
  const read = readSettings(stored[SETTINGS_KEY]);
  settings = read.settings;
  showProblems(read.problems);
  element('reset').addEventListener('click', () => {
    showProblems([]);
    void save(DEFAULT_SETTINGS);
  });
  element<HTMLInputElement>('enabled').addEventListener('change', (event) => void save(withEnabled(settings, (event.target as HTMLInputElement).checked)));
  element<HTMLInputElement>('gestures').addEventListener('change', (event) => void save(withChoice(settings, { gestures: (event.target as HTMLInputElement).checked })));
  element<HTMLInputElement>('site-enabled').addEventListener('change', (event) => {
    const { host } = siteOf(tab?.url, settings);
    if (host) void save(withSite(settings, host, { enabled: (event.target as HTMLInputElement).checked }));
  });
  element<HTMLSelectElement>('site-set').addEventListener('change', (event) => {
    const { host } = siteOf(tab?.url, settings);
    if (host) void save(withSite(settings, host, { emojiSet: (event.target as HTMLSelectElement).value || null }));
  });
  element('follow-everywhere').addEventListener('click', () => {
    const { host } = siteOf(tab?.url, settings);
    if (host) void save(withoutSiteChoices(settings, host));
  });
  element('add-site').addEventListener('click', () => {
    const { host } = siteOf(tab?.url, settings);
    if (!host) return;
    // permissions.request must run in the click's own turn (a user gesture).
    // The service worker records the site (also when the prompt closed this popup before it resolved).
    void browser.permissions.request({ origins: [`https://${host}/*`] }).then(async (granted) => {
      if (!granted) return;
      const reply = await browser.runtime.sendMessage({ type: 'addSite', host } satisfies BackgroundRequests['addSite']['request']) as BackgroundRequests['addSite']['reply'];
      note(reply.ok ? localized('siteAdded') : reply.error);
    });
  });
  element('remove-site').addEventListener('click', async () => {
    const { host } = siteOf(tab?.url, settings);
    if (!host) return;
    const reply = await browser.runtime.sendMessage({ type: 'removeSite', host } satisfies BackgroundRequests['removeSite']['request']) as BackgroundRequests['removeSite']['reply'];
    if (!reply.ok) note(reply.error);
  });
  element('manage-sets').addEventListener('click', () => void browser.runtime.openOptionsPage());
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && CUSTOM_SETS_KEY in changes) {
      choices = setChoices(readCustomSets(changes[CUSTOM_SETS_KEY]!.newValue, SET_LABELS).sets);
      render();
    }
    if (area !== 'sync' || !(SETTINGS_KEY in changes)) return;
    settings = readSettings(changes[SETTINGS_KEY]!.newValue).settings;
    render();
  });
  render();
  await refreshStatus();
  setInterval(() => void refreshStatus(), STATUS_EVERY_MS);
}

function note(message: Localized): void {
  element('site-note').hidden = false;
  element('site-note').textContent = t(message);
}

void start();
