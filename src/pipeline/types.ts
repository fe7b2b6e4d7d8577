/** Pixels of one frame: RGBA, row-major, 4 bytes per pixel (what canvas ImageData holds). */
export interface Frame {
  /** RGBA bytes, length width × height × 4. */
  readonly data: Uint8Array | Uint8ClampedArray;
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
}

/** A point in frame pixels (x right, y down; 0,0 is the top-left corner of the top-left pixel). */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** An axis-aligned box in frame pixels. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The face detector's six keypoints (MediaPipe BlazeFace), in frame pixels. "Right" is the subject's right (the left side of an unmirrored image). */
export interface Keypoints {
  readonly rightEye: Point;
  readonly leftEye: Point;
  readonly noseTip: Point;
  readonly mouth: Point;
  readonly rightEar: Point;
  readonly leftEar: Point;
}

/** Keypoint names in the detector's output order. */
export const KEYPOINT_NAMES = ['rightEye', 'leftEye', 'noseTip', 'mouth', 'rightEar', 'leftEar'] as const;

/** One face found by the detector. */
export interface Detection {
  readonly box: Box;
  /** Detector confidence, 0..1. */
  readonly score: number;
  readonly keypoints: Keypoints;
}
