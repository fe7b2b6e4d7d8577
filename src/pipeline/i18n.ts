/**
 * User-facing text travels between contexts as a message name of `_locales/<lang>/messages.json` and
 * its substitutions; the popup turns it into words with chrome.i18n in the user's language.
 */
import type english from '../../_locales/en/messages.json';

/** The name of a message in `_locales/en/messages.json` (every other language has the same names). */
export type MessageKey = keyof typeof english;

/** Text for the user: a message name and its substitutions (`$1`…, in the order of its placeholders). */
export interface Localized {
  readonly key: MessageKey;
  readonly args: readonly MessageArg[];
}

/** A substitution: plain text (a number, a host, what the browser said) or another message. */
export type MessageArg = string | Localized;

/** The message `key` with its substitutions, in order. */
export function localized(key: MessageKey, ...args: MessageArg[]): Localized {
  return { key, args };
}

/** `message` in words, with `getMessage` (chrome.i18n.getMessage's signature); the name if it has none. */
export function translate(message: Localized, getMessage: (key: string, substitutions: string[]) => string): string {
  return getMessage(message.key, message.args.map((arg) => (typeof arg === 'string' ? arg : translate(arg, getMessage)))) || message.key;
}

/** The message naming a label (`happy` → `labelHappy`). */
export function labelKey(label: string): MessageKey | null {
  const key = `label${label.charAt(0).toUpperCase()}${label.slice(1)}`;
  return LABEL_KEYS.has(key) ? (key as MessageKey) : null;
}

const LABEL_KEYS = new Set<string>(['labelAngry', 'labelDisgust', 'labelFear', 'labelHappy', 'labelNeutral', 'labelSad', 'labelSurprise'] satisfies MessageKey[]);

/** What an exception says, for a message's substitution. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
}
