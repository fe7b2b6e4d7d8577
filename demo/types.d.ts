// Types of demo/*.mjs for the TypeScript tests and scripts that import them.
declare module '*/demo/fakeCamera.mjs' {
  export const FACE_PHOTOS: Record<1 | 3, string[]>;
  export function makeFaceVideo(options?: { width?: number; height?: number; fps?: number; seconds?: number; faces?: 1 | 3 }): string;
}
declare module '*/demo/server.mjs' {
  export const CALL_HOSTS: string[];
  export function startCallServer(options?: { port?: number }): Promise<{
    port: number; requests: Array<{ host: string; path: string }>; url: (host: string, path?: string) => string; close: () => Promise<void>;
  }>;
}
declare module '*/demo/browser.mjs' {
  import type { BrowserContext, Worker } from 'playwright-core';
  export function findChrome(): string;
  export function launchBrowser(options: { extensionDir?: string | null; video?: string | null; headless?: boolean; port: number; args?: string[] }): Promise<{
    context: BrowserContext; serviceWorker: Worker | null; extensionId: string | null; close: () => Promise<void>;
  }>;
}
