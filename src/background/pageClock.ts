/**
 * Ticks for hidden tabs (Firefox): a tab behind others runs its timers and video frame callbacks once a
 * second there, which would send the call one camera frame a second. The background page's timers run on
 * time, and a message wakes the tab's scripts at once: each bridge that asks gets a tick on its port
 * every interval it asked for, until it closes the port.
 */
import browser from 'webextension-polyfill';
import { CLOCK_PORT, type ClockRequest } from '../pipeline/messages';

/** Intervals outside this range are taken as its nearest end (ms). */
const SHORTEST_MS = 8;
const LONGEST_MS = 1000;

/** Serves CLOCK_PORT: called once, as the background page starts. */
export function servePageClocks(): void {
  browser.runtime.onConnect.addListener((port) => {
    if (port.name !== CLOCK_PORT) return;
    let timer: ReturnType<typeof setInterval> | undefined;
    port.onMessage.addListener((message: unknown) => {
      const { intervalMs } = message as ClockRequest;
      if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs)) return;
      clearInterval(timer);
      timer = setInterval(() => port.postMessage({}), Math.min(LONGEST_MS, Math.max(SHORTEST_MS, intervalMs)));
    });
    port.onDisconnect.addListener(() => clearInterval(timer));
  });
}
