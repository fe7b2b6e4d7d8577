/** The markers of the two window messages the content scripts find each other by (see hook/bridgeLink.ts). */
export const HELLO_FROM_HOOK = 'emoface:hook-hello';
export const BRIDGE_READY = 'emoface:bridge-ready';
