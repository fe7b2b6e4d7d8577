// The DevTools protocol of every target of a Chromium started by browser.mjs (pages, the offscreen
// document, the service worker, the popup) through the browser's own session, for benches and tests.

/**
 * `browser`: the browser-level session (Target, Extensions domains); `target(match)`: the first target
 * that matches; `send(target, method, params)`: a command to one target (attached on first use), its
 * result, or an Error. Types: devtools.d.mts.
 */
export async function devtools(context) {
  const browser = await context.browser().newBrowserCDPSession();
  const sessions = new Map();
  const pending = new Map();
  let nextId = 0;
  browser.on('Target.receivedMessageFromTarget', ({ message }) => {
    const reply = JSON.parse(message);
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  browser.on('Target.detachedFromTarget', ({ targetId }) => sessions.delete(targetId));
  return {
    browser,
    async target(match) {
      const { targetInfos } = await browser.send('Target.getTargets');
      return targetInfos.find(match) ?? null;
    },
    async send(info, method, params = {}) {
      if (!sessions.has(info.targetId)) sessions.set(info.targetId, (await browser.send('Target.attachToTarget', { targetId: info.targetId, flatten: false })).sessionId);
      const id = ++nextId;
      const reply = new Promise((resolve) => pending.set(id, resolve));
      await browser.send('Target.sendMessageToTarget', { sessionId: sessions.get(info.targetId), message: JSON.stringify({ id, method, params }) });
      const { result, error } = await reply;
      if (error) throw new Error(`${method}: ${error.message}`);
      return result;
    },
  };
}
