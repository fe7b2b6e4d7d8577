import type { Browser, Page } from 'puppeteer-core';
import { CAMERA_PATH } from './server.mjs';
import { webmOf } from './fakeCamera.mjs';

export { CAMERA_PATH, webmOf };
/** Debian's Firefox ESR: $FIREFOX_PATH, else /usr/bin/firefox-esr. */
export const FIREFOX_PATH: string;
/** emoface's gecko id. */
export const EXTENSION_ID: 'emoface@emoface.dev';
/** The internal UUID the launcher gives EXTENSION_ID (its pages: moz-extension://EXTENSION_UUID/). */
export const EXTENSION_UUID: string;
/** Debian's Xvfb: Firefox runs on a virtual display there, where it has WebGL. */
export const XVFB_PATH: string;
/** The label of the camera track made from the clip. */
export const CLIP_CAMERA_LABEL: string;
/** https://host:port/path: Firefox keeps the call site's port in the URL. */
export function callUrl(host: string, port: number, path?: string): string;
/** Width, height and frame rate from a .y4m file's header. */
export function y4mFormat(file: string): { width: number; height: number; fps: number };
/** Launches Firefox with the extension (or none), a camera from a clip (or Firefox's fake one) and the call hosts mapped. */
export function launchFirefox(options: { extensionDir?: string | null; video?: string | null; headless?: boolean; virtualDisplay?: boolean; port: number; prefs?: Record<string, unknown> }): Promise<{
  browser: Browser;
  extension: string | null;
  extensionUuid: string | null;
  newPage: () => Promise<Page>;
  extensionPage: (path: string) => Promise<Page>;
  url: (host: string, path?: string) => string;
  close: () => Promise<void>;
}>;
