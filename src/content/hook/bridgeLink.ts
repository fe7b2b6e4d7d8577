import type { BridgeMessage, HookMessage } from '../../pipeline/messages';
import { BRIDGE_READY, HELLO_FROM_HOOK } from '../handshake';

/** The hook's end of its MessagePort to the bridge. */
export interface BridgeLink {
  /** Sends a message to the bridge (dropped while no bridge is listening). */
  send(message: HookMessage, transfer?: Transferable[]): void;
  /** The newest state the bridge pushed, waiting up to `timeoutMs` for the first; null when no bridge answers. */
  state(timeoutMs: number): Promise<Extract<BridgeMessage, { type: 'state' }> | null>;
  /** Registers the receiver of every message from the bridge. */
  onMessage(handler: (message: BridgeMessage) => void): void;
}

// Built-ins taken at document_start, before any page script runs: a page that later replaces them
// (to read the hook's messages, or the stream ids in them) changes nothing here.
const Channel = MessageChannel;
const apply = Reflect.apply;
const portPost = MessagePort.prototype.postMessage;
const portClose = MessagePort.prototype.close;
const setOnMessage = Object.getOwnPropertyDescriptor(MessagePort.prototype, 'onmessage')!.set!;

/**
 * Opens a MessagePort to the bridge (the ISOLATED-world content script): the hook posts one end on a
 * window message, and posts a new one whenever a bridge announces itself (a bridge injected after an
 * update of the extension, or loaded after the hook). The newest port wins.
 */
export function connectToBridge(): BridgeLink {
  const post = window.postMessage.bind(window);
  let port: MessagePort | null = null;
  let latestState: Extract<BridgeMessage, { type: 'state' }> | null = null;
  const stateWaiters: Array<() => void> = [];
  const handlers: Array<(message: BridgeMessage) => void> = [];

  const hello = () => {
    if (port) apply(portClose, port, []);
    const channel = new Channel();
    port = channel.port1;
    apply(setOnMessage, port, [(event: MessageEvent<BridgeMessage>) => {
      const message = event.data;
      if (message.type === 'state') {
        latestState = message;
        stateWaiters.splice(0).forEach((wake) => wake());
      }
      for (const handler of handlers) handler(message);
    }]);
    post({ emoface: HELLO_FROM_HOOK }, '*', [channel.port2]);
  };
  window.addEventListener('message', (event) => {
    if (event.source === window && (event.data as { emoface?: unknown } | null)?.emoface === BRIDGE_READY) hello();
  });
  hello();

  return {
    send(message, transfer = []) {
      if (port) apply(portPost, port, [message, transfer]);
    },
    state(timeoutMs) {
      if (latestState) return Promise.resolve(latestState);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(latestState), timeoutMs);
        stateWaiters.push(() => {
          clearTimeout(timer);
          resolve(latestState);
        });
      });
    },
    onMessage(handler) {
      handlers.push(handler);
    },
  };
}
