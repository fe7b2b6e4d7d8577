import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (packages/cli/dist → ../../..). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Where the shipped models live. */
export const MODEL_PATHS = {
  expression: join(REPO_ROOT, 'models', 'expression.onnx'),
  metadata: join(REPO_ROOT, 'models', 'expression.json'),
  detector: { front: join(REPO_ROOT, 'vendor', 'blazeface', 'face_detection_front_128x128.onnx'),
    back: join(REPO_ROOT, 'vendor', 'blazeface', 'face_detection_back_256x256.onnx') },
} as const;

/** Throws a clear error when a model file is missing. */
export function requireFile(path: string, hint: string): string {
  if (!existsSync(path)) throw new Error(`${path}: missing; ${hint}`);
  return path;
}
