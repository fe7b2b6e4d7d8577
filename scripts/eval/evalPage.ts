/**
 * The page `npm run eval` opens in Chromium: the offscreen analyser's own code (Analyser: MediaPipe
 * detection, alignment, the TF.js model on the same backend choice), fed from Node through page.evaluate.
 */
import { Analyser, type Alignment } from '../../src/offscreen/analyser';
import type { Detection } from '../../src/pipeline/types';

declare global {
  interface Window {
    /** Resolves once the analyser is loaded; its backend. */
    emofaceEval: Promise<{
      backend: string;
      labels: readonly string[];
      crop: { width: number; height: number };
      /** Probabilities for each base64 gray crop (crop.width × crop.height bytes). */
      classifyCrops(crops: string[]): Promise<number[][]>;
      /**
       * The largest face (by box area) of an RGBA photo (base64, width × height pixels): its detection in
       * the photo's pixels, exactly as the analyser passes it to alignFace, and the probabilities of its
       * crop (aligned as `alignment` says, see Analyser.facesOf); null when no face is found.
       */
      largestFace(rgba: string, width: number, height: number, alignment: Alignment): Promise<{ detection: Detection; probabilities: number[]; alignedBy: Alignment; ovalCovered: number | null } | null>;
    }>;
  }
}

const bytes = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

window.emofaceEval = Analyser.create((path) => new URL(path, location.origin).href).then((analyser) => ({
  backend: analyser.backend,
  labels: analyser.metadata.labels,
  crop: { width: analyser.metadata.crop.width, height: analyser.metadata.crop.height },
  classifyCrops: async (crops) => (await analyser.classifyCrops(crops.map(bytes))).map((p) => [...p]),
  largestFace: async (rgba, width, height, alignment) => {
    const photo = await createImageBitmap(new ImageData(new Uint8ClampedArray(bytes(rgba)), width, height));
    const faces = await analyser.facesOf(photo, alignment);
    photo.close();
    if (faces.length === 0) return null;
    const area = ({ box }: Detection) => box.width * box.height;
    const largest = faces.reduce((a, b) => (area(b.detection) > area(a.detection) ? b : a));
    return { detection: largest.detection, probabilities: [...largest.probabilities], alignedBy: largest.alignedBy, ovalCovered: largest.ovalCovered };
  },
}));
