/** The extension's `_locales`, and chrome.i18n.getMessage's substitution rules over them, for tests in Node. */
import { readdirSync, readFileSync } from 'node:fs';
import { translate, type Localized } from '../../src/pipeline/i18n';

interface Message {
  message: string;
  placeholders?: Record<string, { content: string }>;
}

const LOCALES = new URL('../../_locales/', import.meta.url);

/** Every language's messages by name. */
export const MESSAGES: Record<string, Record<string, Message>> = Object.fromEntries(readdirSync(LOCALES).map((language) =>
  [language, JSON.parse(readFileSync(new URL(`${language}/messages.json`, LOCALES), 'utf8'))]));

/** What chrome.i18n.getMessage returns in `language`: named placeholders ($NAME$) resolved, $1… substituted. */
export function getMessage(language: string, key: string, substitutions: string[] = []): string {
  const entry = MESSAGES[language]?.[key];
  if (!entry) return '';
  const positional = (text: string) => text.replace(/\$(\d)/g, (_, n: string) => substitutions[Number(n) - 1] ?? '');
  return entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, name: string) => {
    const placeholder = entry.placeholders?.[name.toLowerCase()];
    return placeholder ? positional(placeholder.content) : whole;
  });
}

/** `message` in English, as the popup would show it. */
export const english = (message: Localized) => translate(message, (key, substitutions) => getMessage('en', key, substitutions));
