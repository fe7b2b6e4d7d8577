/**
 * Every default of the analysis and drawing, in one place; option docs refer here. Units are in the names.
 * Defaults of the user's settings live in settings.ts (DEFAULT_SETTINGS).
 */
export const DEFAULTS = {
  detector: {
    /** Minimum detector score (0..1) for a face. MediaPipe's face detection uses 0.5. */
    minScore: 0.5,
    /** Detections overlapping by more than this IoU are suppressed; MediaPipe uses 0.3. */
    suppressionIou: 0.3,
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
    /** Probability at which a label's emoji steps up an intensity level (levels split the range from here to 1). */
    intensityFrom: 0.6,
  },
  render: {
    /** Emoji side as a multiple of the face box's larger side. */
    scale: 1.35,
  },
  analysis: {
    /** Long side, in pixels, of the copy of a camera frame sent to the analyser (never upscaled). */
    frameLongSidePx: 320,
    /** At most this many faces per frame are analysed, highest detector scores first. */
    maxFaces: 6,
    /**
     * Frames of one stream being analysed at once. With two, the next frame travels to the analyser while
     * the last is analysed, so results come about every camera frame rather than every other one.
     */
    maxInFlight: 2,
    /** An analysis not answered within this time is given up, and the next frame is sent (ms). */
    replyTimeoutMs: 2000,
    /** Results older than this are not drawn any more: the face may have moved on (ms). */
    maxResultAgeMs: 1000,
    /**
     * The offscreen analyser is closed (detector and model freed) once no stream has been analysed for
     * this long (ms); a call that starts again within it finds it ready, a later one loads it again (~1 s).
     */
    idleCloseMs: 15_000,
  },
} as const;
