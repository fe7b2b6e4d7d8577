// face-api.js timed the same way in the Node and the browser benchmarks.

/** The tiny face detector's settings for both benchmarks. */
export function detectorOptions(faceapi) {
  return new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 });
}

/**
 * One frame: `decode()` gives its pixels as a tensor, then the tiny face detector runs alone and again
 * with the expression net; the net's share is the difference (face-api has no separate call for it).
 * Returns the faces found and the milliseconds by stage.
 */
export async function timeFaceApiFrame(faceapi, options, decode) {
  const t0 = performance.now();
  const input = await decode();
  const t1 = performance.now();
  await faceapi.detectAllFaces(input, options);
  const t2 = performance.now();
  const faces = await faceapi.detectAllFaces(input, options).withFaceExpressions();
  const t3 = performance.now();
  input.dispose();
  return { faces: faces.length, ms: { decode: t1 - t0, detect: t2 - t1, classify: Math.max(0, t3 - t2 - (t2 - t1)), total: t1 - t0 + (t3 - t2) } };
}
