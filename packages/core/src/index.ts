/**
 * @emoface/core — emoji over every face, from the face's expression. Platform-free: hand in the ONNX
 * Runtime module (onnxruntime-node or onnxruntime-web), the model bytes and RGBA frames.
 */
export { Emoface, type EmofaceModels, type EmofaceOptions, type FaceResult, type FrameResult, type StageTimes } from './pipeline.js';
export { DEFAULTS } from './defaults.js';
export type { Box, Detection, Frame, Keypoints, Point } from './types.js';
export { KEYPOINT_NAMES } from './types.js';
export type { OrtModule, ModelBytes } from './ort.js';
export { FaceDetector, type FaceDetectorOptions } from './detector/faceDetector.js';
export { BLAZEFACE, BLAZEFACE_BACK, BLAZEFACE_FRONT, type BlazeFaceModel, type BlazeFaceSpec } from './detector/constants.js';
export { createAnchors } from './detector/anchors.js';
export { decodeDetections, projectDetection, weightedNonMaxSuppression, type RawDetection } from './detector/decode.js';
export { letterboxFor, letterboxTensor, type Letterbox } from './detector/letterbox.js';
export { alignFace, cropTransform, type AlignmentTemplate, type CropSpec } from './align/alignFace.js';
export { applySimilarity, fitSimilarity, invertSimilarity, type Similarity } from './align/similarity.js';
export { ExpressionClassifier, type ExpressionClassifierOptions } from './classify/expressionClassifier.js';
export { parseExpressionMetadata, type ExpressionMetadata } from './classify/metadata.js';
export { FaceTracker, smoothingWeight, type Observation, type TrackedFace, type TrackerOptions } from './track/tracker.js';
export {
  assertEmojiSet, chooseEmoji, intensityLevel, scoresForMode, twemojiName, CATS, EMOJI_SETS, FACES, FIVE_LABELS, type EmojiSet, type LabelMode,
} from './emoji/emojiSets.js';
export { drawOverlay, mirrorFace, placeEmoji, type DrawingContext, type FaceToDraw, type OverlayOptions, type Placement } from './render/overlay.js';
export { resizeToRgb } from './resample.js';
export { argmax } from './math.js';
export { measureFrames, summarise, type Timing } from './measure.js';
