/** Chromium flags that write the net log of the whole run to `path`. */
export function netLogFlags(path: string): string[];
/** Every request in a Chromium net log: who started it ('not an origin' for Chromium itself) and its URL. */
export function networkRequests(path: string): { initiator: string; url: string }[];
/** The requests that leave the machine from the extension or a call page (any host but the call hosts). */
export function requestsOffTheMachine(requests: { initiator: string; url: string }[], extensionId: string): { initiator: string; url: string }[];
