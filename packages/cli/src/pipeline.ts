import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { Emoface, parseExpressionMetadata, type BlazeFaceModel, type EmofaceOptions, type ExpressionMetadata } from '@emoface/core';
import { MODEL_PATHS, requireFile } from './paths.js';

/** ONNX Runtime settings for the command: CPU, warnings off (BlazeFace's file has unused initialisers). */
const SESSION_OPTIONS = { executionProviders: ['cpu'], logSeverityLevel: 3 } as const;

const RESTORE = 'the repository ships it; restore models/ from git';

/** The shipped model's metadata (models/expression.json). */
export function shippedMetadata(): ExpressionMetadata {
  return parseExpressionMetadata(readFileSync(requireFile(MODEL_PATHS.metadata, RESTORE), 'utf8'));
}

/** The shipped models, loaded into a pipeline (free it with dispose()). */
export async function createPipeline(detector: BlazeFaceModel, options: Omit<EmofaceOptions, 'detector' | 'classifier'> = {}): Promise<Emoface> {
  const hint = 'run `npm install` at the repository root';
  return Emoface.create(ort, {
    detector: readFileSync(requireFile(MODEL_PATHS.detector[detector], hint)),
    expression: readFileSync(requireFile(MODEL_PATHS.expression, RESTORE)),
    metadata: readFileSync(requireFile(MODEL_PATHS.metadata, RESTORE), 'utf8'),
  }, {
    ...options,
    detector: { model: detector, sessionOptions: SESSION_OPTIONS },
    classifier: { sessionOptions: SESSION_OPTIONS },
  });
}
