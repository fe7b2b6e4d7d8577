/** Text of emoface's extension pages (popup, sets page) in the browser's language, with chrome.i18n. */
import browser from 'webextension-polyfill';
import { localized, translate, type Localized, type MessageKey } from '../pipeline/i18n';

/** `message` in the browser's language. */
export const t = (message: Localized) => translate(message, (key, substitutions) => browser.i18n.getMessage(key, substitutions));

/** Fills the page's fixed text: `data-i18n` names the message of an element's text, `data-i18n-label` of its aria-label. */
export function translatePage(): void {
  document.documentElement.lang = browser.i18n.getUILanguage();
  for (const node of document.querySelectorAll<HTMLElement>('[data-i18n]')) node.textContent = t(localized(node.dataset.i18n as MessageKey));
  for (const node of document.querySelectorAll<HTMLElement>('[data-i18n-label]')) node.setAttribute('aria-label', t(localized(node.dataset.i18nLabel as MessageKey)));
}
