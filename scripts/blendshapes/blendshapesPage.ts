/**
 * The page `node scripts/blendshapes.mjs` opens in Chromium: the analyser's FaceLandmarkReader (the
 * bundled model, MediaPipe's wasm), fed photos from Node through page.evaluate.
 */
import { FaceLandmarkReader, type FaceReading } from '../../src/offscreen/faceLandmarker';

declare global {
  interface Window {
    /**
     * Resolves once the landmarker is loaded: reads the face of an RGBA photo (base64, width × height),
     * null when it finds none, and how long the reading took (ms).
     */
    emofaceBlendshapes: Promise<(rgba: string, width: number, height: number) => { reading: FaceReading | null; ms: number }>;
  }
}

const bytes = (base64: string) => Uint8ClampedArray.from(atob(base64), (c) => c.charCodeAt(0));

window.emofaceBlendshapes = FaceLandmarkReader.create((path) => new URL(path, location.origin).href)
  .then((reader) => (rgba, width, height) => {
    const image = new ImageData(bytes(rgba), width, height);
    const started = performance.now();
    const reading = reader.read(image);
    return { reading, ms: performance.now() - started };
  });
