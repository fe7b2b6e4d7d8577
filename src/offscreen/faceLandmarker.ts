import { FaceLandmarker } from '@mediapipe/tasks-vision';
import landmarkerFacts from 'emoface-models/face-landmarker/model.json';
import type { Box, Point } from '../pipeline/types';
import { cropImage } from './cropImage';
import { mediaPipeFiles } from './mediaPipeFiles';

const MODEL_FILE = `models/face-landmarker/${landmarkerFacts.file}`;
/** Indices in MediaPipe's 478-point face mesh: the two irises' centres, and the lips' inner middle (upper, lower). */
const IRIS_CENTRES = [468, 473] as const;
const INNER_LIPS = [13, 14] as const;
/** The face oval's 36 points in MediaPipe's face mesh, around from the forehead's middle. */
const FACE_OVAL = [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109] as const;

/** What MediaPipe's FaceLandmarker reads of one face. */
export interface FaceReading {
  /** The 52 blendshape scores (0..1) by MediaPipe's names: eyeBlinkLeft, jawOpen, mouthPucker… */
  readonly blendshapes: Readonly<Record<string, number>>;
  /** The head's turn, radians: yaw (towards the subject's left is positive), pitch (down), roll. */
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
  /** The irises' centres and the mouth's (between the lips' inner middles), in the pixels of the image read. */
  readonly irises: readonly [Point, Point];
  readonly mouth: Point;
  /** The face's outline (forehead, cheeks, chin), in the pixels of the image read. */
  readonly oval: readonly Point[];
}

/**
 * MediaPipe's FaceLandmarker (its own face detector, 478 landmarks, blendshapes and the face's transform;
 * the bundled float16 model, see models/face-landmarker/) behind the pipeline's types: one face at a time,
 * read from an image or a part of it.
 */
export class FaceLandmarkReader {
  readonly #landmarker: FaceLandmarker;

  private constructor(landmarker: FaceLandmarker) {
    this.#landmarker = landmarker;
  }

  /** Loads the wasm and the model from the extension's own files (`resolveUrl` maps a path to its URL). */
  static async create(resolveUrl: (path: string) => string): Promise<FaceLandmarkReader> {
    const { wasm, model } = await mediaPipeFiles(resolveUrl, MODEL_FILE, 'face landmarker model');
    const landmarker = await FaceLandmarker.createFromOptions(wasm, {
      baseOptions: { modelAssetBuffer: model, delegate: 'CPU' },
      runningMode: 'IMAGE',
      numFaces: 1,
      outputFaceBlendshapes: true,
      outputFacialTransformationMatrixes: true,
    });
    return new FaceLandmarkReader(landmarker);
  }

  /** The face in `image` (or in its part `region`, pixels inside the image), or null when it finds none. */
  read(image: ImageData, region?: Box): FaceReading | null {
    const read = region ?? { x: 0, y: 0, width: image.width, height: image.height };
    const result = this.#landmarker.detect(region ? cropImage(image, region) : image);
    const categories = result.faceBlendshapes[0]?.categories;
    const matrix = result.facialTransformationMatrixes[0]?.data;
    const mesh = result.faceLandmarks[0];
    if (!categories || !matrix || !mesh) return null;
    // Mesh points are fractions of the image the landmarker was given.
    const at = (i: number): Point => ({ x: read.x + mesh[i]!.x * read.width, y: read.y + mesh[i]!.y * read.height });
    const [upper, lower] = INNER_LIPS.map(at) as [Point, Point];
    return {
      blendshapes: Object.fromEntries(categories.map((c) => [c.categoryName, c.score])), ...headTurn(matrix),
      irises: [at(IRIS_CENTRES[0]), at(IRIS_CENTRES[1])], mouth: { x: (upper.x + lower.x) / 2, y: (upper.y + lower.y) / 2 }, oval: FACE_OVAL.map(at),
    };
  }

  /** Frees the landmarker's wasm memory. */
  close(): void {
    this.#landmarker.close();
  }
}

/**
 * Yaw, pitch and roll of the rotation in a 4 × 4 column-major transform (MediaPipe's facial
 * transformation matrix: the canonical face into camera space), as R = Ry(yaw) · Rx(pitch) · Rz(roll).
 */
export function headTurn(m: ArrayLike<number>): { yaw: number; pitch: number; roll: number } {
  // Column-major: element (row r, column c) is m[c * 4 + r].
  const at = (r: number, c: number) => m[c * 4 + r]!;
  const pitch = Math.asin(Math.max(-1, Math.min(1, -at(1, 2))));
  return { yaw: Math.atan2(at(0, 2), at(2, 2)), pitch, roll: Math.atan2(at(1, 0), at(1, 1)) };
}
