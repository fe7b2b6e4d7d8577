/**
 * Chrome's background: a service worker, which has no DOM for the analyser, so the analyser runs in an
 * offscreen document (src/offscreen/), opened when a tab needs it.
 */
import { startBackground } from './background';

const OFFSCREEN_PAGE = 'src/offscreen/index.html';

let opening: Promise<void> | null = null;

/** Opens the offscreen document unless it is open (one for every tab). */
async function openOffscreenAnalyser(): Promise<void> {
  const url = chrome.runtime.getURL(OFFSCREEN_PAGE);
  const contexts = await chrome.runtime.getContexts({ contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT], documentUrls: [url] });
  if (contexts.length > 0) return;
  opening ??= chrome.offscreen.createDocument({
    url: OFFSCREEN_PAGE,
    reasons: [chrome.offscreen.Reason.WORKERS],
    justification: 'Runs face detection and expression inference (wasm) on frames of the camera stream of a call tab.',
  }).finally(() => {
    opening = null;
  });
  await opening;
}

startBackground(openOffscreenAnalyser);
