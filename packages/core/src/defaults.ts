/**
 * Every default of the pipeline, in one place; option docs refer here. Units are in the names.
 */
export const DEFAULTS = {
  detector: {
    /** BlazeFace model: 'front' (128×128, selfie/webcam range) or 'back' (256×256, smaller faces, photos). */
    model: 'front',
    /** Minimum detector score (0..1) for a face. MediaPipe's face detection uses 0.5. */
    minScore: 0.5,
    /** Detections overlapping by more than this IoU are merged (weighted NMS); MediaPipe uses 0.3. */
    iouThreshold: 0.3,
    /** At most this many faces per frame, highest scores first. */
    maxFaces: 10,
  },
  tracker: {
    /** Time constant (ms) of the exponential smoothing of each face's label probabilities. */
    scoreTimeConstantMs: 250,
    /** Time constant (ms) of the smoothing of each face's box and keypoints (short: boxes must follow motion). */
    boxTimeConstantMs: 40,
    /** A new label is shown only when its smoothed probability beats the shown label's by this much. */
    hysteresis: 0.1,
    /** A face that is not detected stays (at its last place) this long before it is dropped, in ms. */
    holdMs: 500,
    /** A detection continues a track when their boxes overlap by at least this IoU. */
    minIou: 0.2,
  },
  emoji: {
    /** Label set: 'seven' (all FER2013 labels) or 'five' (neutral, happy, angry, sad, surprise, as in the mini-Xception paper). */
    mode: 'seven',
    /** Probability at which a label's emoji steps up an intensity level (levels split the range from here to 1). */
    intensityFrom: 0.6,
  },
  render: {
    /** Emoji side as a multiple of the face box's larger side. */
    scale: 1.35,
  },
} as const;
