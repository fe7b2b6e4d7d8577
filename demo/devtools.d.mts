import type { BrowserContext, CDPSession } from 'playwright-core';

/** One DevTools target as Target.getTargets lists it. */
export interface TargetInfo { targetId: string; type: string; url: string }

/** The DevTools protocol of every target of the browser, through the browser's own session. */
export function devtools(context: BrowserContext): Promise<{
  browser: CDPSession;
  target: (match: (info: TargetInfo) => boolean) => Promise<TargetInfo | null>;
  send: (info: { targetId: string }, method: string, params?: object) => Promise<any>;
}>;
