import type * as OrtCommon from 'onnxruntime-common';

/**
 * The ONNX Runtime module the caller hands in: `onnxruntime-node` in Node, `onnxruntime-web` in the
 * browser. emoface never imports a runtime itself, so the core stays platform-free.
 */
export interface OrtModule {
  readonly InferenceSession: typeof OrtCommon.InferenceSession;
  readonly Tensor: typeof OrtCommon.Tensor;
}

export type InferenceSession = OrtCommon.InferenceSession;
export type SessionOptions = OrtCommon.InferenceSession.SessionOptions;

/** Model bytes as the caller has them. */
export type ModelBytes = Uint8Array | ArrayBuffer;

/** Throws a TypeError naming `name` unless `ort` looks like an ONNX Runtime module. */
export function assertOrt(ort: OrtModule, name = 'ort'): void {
  if (!ort || typeof ort.InferenceSession?.create !== 'function' || typeof ort.Tensor !== 'function') {
    throw new TypeError(`${name} must be an ONNX Runtime module (onnxruntime-node or onnxruntime-web)`);
  }
}

/** Model bytes as a Uint8Array; throws a TypeError naming `name` when they are missing or empty. */
export function modelBytes(bytes: ModelBytes, name: string): Uint8Array {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (!(view instanceof Uint8Array) || view.length === 0) {
    throw new TypeError(`${name} must be the non-empty bytes of an ONNX model (Uint8Array or ArrayBuffer)`);
  }
  return view;
}

/**
 * Creates a session from `bytes` with `options` over emoface's defaults: full graph optimisation, and
 * ONNX Runtime's own log at errors only (BlazeFace's converted graph makes it warn about every load).
 */
export function createSession(ort: OrtModule, bytes: Uint8Array, options: SessionOptions = {}): Promise<InferenceSession> {
  return ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', logSeverityLevel: 3, ...options });
}
