/**
 * The page `npm run eval` opens in Chromium: the offscreen analyser's own code (Analyser: MediaPipe
 * detection, alignment, the TF.js model on the same backend choice), fed from Node through page.evaluate.
 */
import { Analyser } from '../../src/offscreen/analyser';

declare global {
  interface Window {
    /** Resolves once the analyser is loaded; its backend. */
    emofaceEval: Promise<{
      backend: string;
      labels: readonly string[];
      crop: { width: number; height: number };
      /** Probabilities for each base64 gray crop (crop.width × crop.height bytes). */
      classifyCrops(crops: string[]): Promise<number[][]>;
      /** The probabilities of the largest face of an RGBA photo (base64), or null when no face is found. */
      classifyPhoto(rgba: string, width: number, height: number): Promise<number[] | null>;
    }>;
  }
}

const bytes = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

window.emofaceEval = Analyser.create((path) => new URL(path, location.origin).href).then((analyser) => ({
  backend: analyser.backend,
  labels: analyser.metadata.labels,
  crop: { width: analyser.metadata.crop.width, height: analyser.metadata.crop.height },
  classifyCrops: async (crops) => (await analyser.classifyCrops(crops.map(bytes))).map((p) => [...p]),
  classifyPhoto: async (rgba, width, height) => {
    const faces = await analyser.facesOf(new ImageData(new Uint8ClampedArray(bytes(rgba)), width, height));
    if (faces.length === 0) return null;
    const largest = faces.reduce((a, b) => (b.detection.box.width * b.detection.box.height > a.detection.box.width * a.detection.box.height ? b : a));
    return [...largest.probabilities];
  },
}));
