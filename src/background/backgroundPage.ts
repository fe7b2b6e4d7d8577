/**
 * Firefox's background: a page, with a DOM, Workers and wasm, and no offscreen documents: it is the
 * analyser as well (src/offscreen/analyserHost.ts, loaded on the first call), always open while it runs.
 */
import '../offscreen/analyserHost';
import { startBackground } from './background';

startBackground(async () => undefined);
