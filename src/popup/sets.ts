/**
 * The sets page (the extension's options page, opened from the popup): the user's own emoji sets. Make
 * one (per label and level, and per gesture, an emoji of the palette or an image file), name it, edit,
 * duplicate, delete, export it as one JSON file with its images inside, import such a file, and use a
 * set. Everything is checked before it is stored (chrome.storage.local); a refusal names the problem and
 * changes nothing.
 */
import browser from 'webextension-polyfill';
import {
  CUSTOM_LIMITS, CUSTOM_SETS_KEY, customSetName, kB, newSetId, parseCustomSet, parseSetFile, readCustomSets, SetProblem, setFile,
  storedCustomSets, type CustomEntry, type CustomSet,
} from '../pipeline/emoji/customSets';
import { EMOJI_SETS, SET_LABELS } from '../pipeline/emoji/emojiSets';
import { GESTURES, type Gesture } from '../pipeline/gestures/gestureReader';
import { PALETTE } from '../pipeline/emoji/palette';
import { labelKey, localized, type Localized } from '../pipeline/i18n';
import { DEFAULT_SETTINGS, readSettings, SETTINGS_KEY, type Settings } from '../pipeline/settings';
import { entryImage } from './entryImage';
import { imageEntryFromFile } from './imageFile';
import { t, translatePage } from './pageText';
import { gestureName } from './view';

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let sets: CustomSet[] = [];
let settings: Settings = DEFAULT_SETTINGS;
/** The set being edited: its id (null for a new one), name, entries by label and by gesture (null: none there). */
let draft: { id: string | null; title: string; levels: Record<string, (CustomEntry | null)[]>; gestures: Record<Gesture, CustomEntry | null> } | null = null;

async function load(): Promise<void> {
  const [local, sync] = await Promise.all([browser.storage.local.get(CUSTOM_SETS_KEY), browser.storage.sync.get(SETTINGS_KEY)]);
  const read = readCustomSets(local[CUSTOM_SETS_KEY], SET_LABELS);
  sets = read.sets;
  settings = readSettings(sync[SETTINGS_KEY]).settings;
  if (read.problems.length > 0) showProblem(read.problems[0]!);
}

/** Stores `next` (checked whole first); on a refusal shows why and keeps what was stored. */
async function store(next: CustomSet[], done: Localized): Promise<boolean> {
  try {
    await browser.storage.local.set({ [CUSTOM_SETS_KEY]: storedCustomSets(next) });
  } catch (error) {
    showProblem(error instanceof SetProblem ? error.problem : localized('plainText', String(error)));
    return false;
  }
  sets = next;
  showMessage(done);
  render();
  return true;
}

function showMessage(message: Localized): void {
  element('problem').hidden = true;
  element('message').hidden = false;
  element('message').textContent = t(message);
}

function showProblem(problem: Localized): void {
  element('message').hidden = true;
  element('problem').hidden = false;
  element('problem').textContent = `${t(problem)} ${t(localized('nothingChanged'))}`;
}

function failed(error: unknown): void {
  showProblem(error instanceof SetProblem ? error.problem : localized('plainText', String(error)));
}

function button(key: Parameters<typeof localized>[0], onClick: () => void): HTMLButtonElement {
  const made = document.createElement('button');
  made.type = 'button';
  made.textContent = t(localized(key));
  made.addEventListener('click', onClick);
  return made;
}

function render(): void {
  element('no-sets').hidden = sets.length > 0;
  element('sets').replaceChildren(...sets.map((set) => {
    const row = document.createElement('li');
    row.dataset.setId = set.id;
    const title = document.createElement('span');
    title.className = 'title';
    title.textContent = set.title;
    const inUse = settings.emojiSet === customSetName(set.id);
    const state = document.createElement('span');
    state.textContent = inUse ? t(localized('inUse')) : '';
    row.append(title, ...SET_LABELS.map((label) => entryImage(set.levels[label]![0]!, t(localized('imageEntry')))), state,
      ...(inUse ? [] : [button('useSet', () => void use(set))]),
      button('editSet', () => edit(set)), button('duplicateSet', () => void duplicate(set)),
      button('exportSet', () => exportSet(set)), button('deleteSet', () => void remove(set)));
    return row;
  }));
  renderEditor();
}

function renderEditor(): void {
  element('editor').hidden = draft === null;
  if (!draft) return;
  element<HTMLInputElement>('title').value = draft.title;
  const header = document.createElement('tr');
  header.append(document.createElement('th'), ...Array.from({ length: CUSTOM_LIMITS.levelsPerLabel }, (_, level) => {
    const cell = document.createElement('th');
    cell.textContent = t(localized('levelHeading', String(level + 1)));
    return cell;
  }));
  element('entries').replaceChildren(header, ...SET_LABELS.map((label) => {
    const row = document.createElement('tr');
    const name = document.createElement('th');
    const labelName = t(localized(labelKey(label) ?? 'plainText', label));
    name.textContent = labelName;
    row.append(name, ...draft!.levels[label]!.map((entry, level) => entryCell(entry, {
      emoji: t(localized('emojiChoice', labelName, String(level + 1))), image: t(localized('imageChoice', labelName, String(level + 1))),
    }, level > 0, (chosen) => {
      draft!.levels[label]![level] = chosen;
    })));
    return row;
  }));
  element('gesture-entries').replaceChildren(...GESTURES.map((gesture) => {
    const row = document.createElement('tr');
    const name = document.createElement('th');
    name.textContent = t(gestureName(gesture));
    row.append(name, entryCell(draft!.gestures[gesture], {
      emoji: t(localized('gestureEmojiChoice', name.textContent)), image: t(localized('gestureImageChoice', name.textContent)),
    }, true, (chosen) => {
      draft!.gestures[gesture] = chosen;
    }));
    return row;
  }));
}

/**
 * One place of the draft: what it shows now, a choice of emoji (or none, where `optional`) and an image
 * file picker, with their `labels`; `choose` takes the new entry.
 */
function entryCell(entry: CustomEntry | null, labels: { emoji: string; image: string }, optional: boolean, choose: (entry: CustomEntry | null) => void): HTMLTableCellElement {
  const cell = document.createElement('td');
  const select = document.createElement('select');
  select.setAttribute('aria-label', labels.emoji);
  if (optional) select.append(new Option(t(localized('noEntry')), ''));
  if (entry && 'image' in entry) select.append(new Option(t(localized('imageEntry')), 'image', true, true));
  select.append(...PALETTE.map((emoji) => new Option(emoji, emoji, false, entry !== null && 'emoji' in entry && entry.emoji === emoji)));
  select.addEventListener('change', () => {
    if (select.value === 'image') return;
    choose(select.value ? { emoji: select.value } : null);
    renderEditor();
  });
  const file = document.createElement('input');
  file.type = 'file';
  file.accept = 'image/png,image/webp,image/svg+xml,image/gif';
  file.setAttribute('aria-label', labels.image);
  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    imageEntryFromFile(chosen).then((image) => {
      choose({ image });
      element('problem').hidden = true;
      renderEditor();
    }, failed);
  });
  const picker = document.createElement('label');
  picker.className = 'file-button';
  picker.append(t(localized('chooseImage')), file);
  cell.append(...(entry ? [entryImage(entry, t(localized('imageEntry')))] : []), select, picker);
  return cell;
}

function edit(set: CustomSet | null): void {
  const faces = EMOJI_SETS.faces!;
  const source: Omit<CustomSet, 'id'> = set ?? {
    title: t(localized('newSetName')),
    levels: Object.fromEntries(Object.entries(faces.levels).map(([label, emoji]) => [label, emoji.map((e) => ({ emoji: e }))])),
    gestures: Object.fromEntries(Object.entries(faces.gestures ?? {}).map(([gesture, emoji]) => [gesture, { emoji }])),
  };
  draft = {
    id: set?.id ?? null, title: source.title,
    levels: Object.fromEntries(SET_LABELS.map((label) => [label, Array.from({ length: CUSTOM_LIMITS.levelsPerLabel }, (_, level) => source.levels[label]?.[level] ?? null)])),
    gestures: Object.fromEntries(GESTURES.map((gesture) => [gesture, source.gestures?.[gesture] ?? null])) as Record<Gesture, CustomEntry | null>,
  };
  renderEditor();
  element('title').focus();
}

async function saveDraft(): Promise<void> {
  if (!draft) return;
  const title = element<HTMLInputElement>('title').value;
  const id = draft.id ?? newSetId(title, sets.map((s) => s.id));
  let set: CustomSet;
  try {
    set = parseCustomSet({
      id, title, levels: Object.fromEntries(Object.entries(draft.levels).map(([label, entries]) => [label, entries.filter((e) => e !== null)])),
      gestures: Object.fromEntries(Object.entries(draft.gestures).filter(([, entry]) => entry !== null)),
    }, SET_LABELS);
  } catch (error) {
    failed(error);
    return;
  }
  const next = draft.id ? sets.map((s) => (s.id === draft!.id ? set : s)) : [...sets, set];
  if (await store(next, localized('savedSet', set.title))) {
    draft = null;
    renderEditor();
  }
}

async function use(set: CustomSet): Promise<void> {
  settings = { ...settings, emojiSet: customSetName(set.id) };
  await browser.storage.sync.set({ [SETTINGS_KEY]: settings });
  render();
}

async function duplicate(set: CustomSet): Promise<void> {
  const title = t(localized('copyOf', set.title)).slice(0, CUSTOM_LIMITS.titleChars);
  const copy = { ...set, id: newSetId(title, sets.map((s) => s.id)), title };
  await store([...sets, copy], localized('savedSet', copy.title));
}

function exportSet(set: CustomSet): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([setFile(set)], { type: 'application/json' }));
  link.download = `${set.id}.emoface-set.json`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** Deletes `set`; where it was in use (everywhere or on a site), the default set takes over. */
async function remove(set: CustomSet): Promise<void> {
  const name = customSetName(set.id);
  const sites = Object.fromEntries(Object.entries(settings.sites).map(([host, site]) => {
    if (site.emojiSet !== name) return [host, site];
    const { emojiSet: _, ...rest } = site;
    return [host, rest];
  }));
  const inUse = settings.emojiSet === name || Object.values(settings.sites).some((site) => site.emojiSet === name);
  if (!await store(sets.filter((s) => s.id !== set.id), localized(inUse ? 'deletedSetInUse' : 'deletedSet', set.title))) return;
  if (inUse) {
    settings = { ...settings, sites, emojiSet: settings.emojiSet === name ? DEFAULT_SETTINGS.emojiSet : settings.emojiSet };
    await browser.storage.sync.set({ [SETTINGS_KEY]: settings });
  }
  if (draft?.id === set.id) draft = null;
  render();
}

async function importFile(file: File): Promise<void> {
  try {
    if (file.size > CUSTOM_LIMITS.setChars) throw new SetProblem('fileTooBig', kB(file.size), kB(CUSTOM_LIMITS.setChars));
    const text = await file.text();
    const parsed = parseSetFile(text, 'import', SET_LABELS);
    const set = { ...parsed, id: newSetId(parsed.title, sets.map((s) => s.id)) };
    await store([...sets, set], localized('importedSet', set.title));
  } catch (error) {
    showProblem(localized('fileProblem', file.name, error instanceof SetProblem ? error.problem : localized('plainText', String(error))));
  }
}

async function start(): Promise<void> {
  translatePage();
  await load();
  element('new-set').addEventListener('click', () => edit(null));
  element('save').addEventListener('click', () => void saveDraft());
  element('cancel').addEventListener('click', () => {
    draft = null;
    renderEditor();
  });
  element<HTMLInputElement>('title').addEventListener('input', (event) => {
    if (draft) draft.title = (event.target as HTMLInputElement).value;
  });
  element<HTMLInputElement>('import').addEventListener('change', (event) => {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) void importFile(file);
  });
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'sync' && SETTINGS_KEY in changes) settings = readSettings(changes[SETTINGS_KEY]!.newValue).settings;
    if (area === 'local' && CUSTOM_SETS_KEY in changes) sets = readCustomSets(changes[CUSTOM_SETS_KEY]!.newValue, SET_LABELS).sets;
    render();
  });
  render();
}

void start();
