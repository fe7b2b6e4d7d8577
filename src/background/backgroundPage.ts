/**
 * Firefox's background: a page, with a DOM, Workers and wasm, and no offscreen documents: it is the
 * analyser as well (src/offscreen/analyserHost.ts, loaded on the first call), always open while it runs,
 * and the clock of hidden call tabs (pageClock.ts).
 */
import '../offscreen/analyserHost';
import { startBackground } from './background';
import { servePageClocks } from './pageClock';

startBackground(async () => undefined);
servePageClocks();
