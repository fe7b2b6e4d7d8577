// Chromium's net log: every network request with the origin that started it, so that requests can be
// counted per context (the extension's initiator is chrome-extension://<id>, the call page's its origin).
// Chromium's own requests (start-up, component checks) have no initiator origin and are not emoface's.
import { readFileSync } from 'node:fs';
import { CALL_HOSTS } from './server.mjs';

/** Chromium flags that write the net log of the whole run to `path` (complete once Chromium exits). */
export function netLogFlags(path) {
  return [`--log-net-log=${path}`, '--net-log-capture-mode=Default'];
}

/** Every request in the net log at `path`: who started it ('not an origin' for Chromium itself) and its URL. */
export function networkRequests(path) {
  const log = JSON.parse(readFileSync(path, 'utf8'));
  const start = log.constants.logEventTypes.URL_REQUEST_START_JOB;
  return log.events.filter((e) => e.type === start && e.params?.url).map((e) => ({ initiator: e.params.initiator ?? 'not an origin', url: e.params.url }));
}

/**
 * The requests in `requests` that leave the machine from the extension or from a call page: any URL
 * whose host is not one of the call hosts (those resolve to the local call site).
 */
export function requestsOffTheMachine(requests, extensionId) {
  const fromUs = (initiator) => initiator === `chrome-extension://${extensionId}` || CALL_HOSTS.some((host) => initiator === `https://${host}`);
  return requests.filter(({ initiator, url }) => fromUs(initiator) && !CALL_HOSTS.includes(new URL(url).hostname));
}
