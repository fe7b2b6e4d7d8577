import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExpressionMetadata } from '../../src/pipeline/expressionMetadata';
import { KEYPOINT_NAMES } from '../../src/pipeline/types';
import { REPO } from './fixtures';

const json = (path: string) => JSON.parse(readFileSync(join(REPO, path), 'utf8'));
const sha256 = (path: string) => createHash('sha256').update(readFileSync(join(REPO, path))).digest('hex');

/** The shape of a .tflite model's first input tensor, read from its flatbuffer (TFLite schema: Model.subgraphs[0], SubGraph.inputs, Tensor.shape). */
function tfliteInputShape(bytes: Buffer): number[] {
  const ref = (at: number) => at + bytes.readUInt32LE(at);
  const field = (table: number, index: number) => {
    const vtable = table - bytes.readInt32LE(table);
    const offset = 4 + 2 * index < bytes.readUInt16LE(vtable) ? bytes.readUInt16LE(vtable + 4 + 2 * index) : 0;
    if (offset === 0) throw new Error(`flatbuffer field ${index} is absent`);
    return table + offset;
  };
  const element = (vectorField: number, index: number) => ref(vectorField) + 4 + 4 * index;
  const subgraph = ref(element(field(ref(0), 2), 0));
  const input = bytes.readInt32LE(element(field(subgraph, 1), 0));
  const shape = ref(field(ref(element(field(subgraph, 0), input)), 0));
  return Array.from({ length: bytes.readUInt32LE(shape) }, (_, i) => bytes.readInt32LE(shape + 4 + 4 * i));
}

describe('the models the extension ships', () => {
  it('expression.json gives labels, input and template, and names files whose hashes match', () => {
    const raw = json('models/expression.json');
    const meta = parseExpressionMetadata(raw);
    expect(meta.labels).toEqual(['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise']);
    expect(meta.crop).toMatchObject({ width: 48, height: 48 });
    expect(meta.template.rightEye.x).toBeLessThan(meta.template.leftEye.x);
    for (const file of [{ file: raw.model.file, sha256: raw.model.sha256 }, ...raw.model.weights]) {
      expect(sha256(`models/${file.file}`), file.file).toBe(file.sha256);
    }
  });
  it('rejects metadata the analyser could not use, naming the field', () => {
    const raw = json('models/expression.json');
    expect(() => parseExpressionMetadata({ ...raw, labels: ['happy', 'happy'] })).toThrow(/labels has duplicates/);
    expect(() => parseExpressionMetadata({ ...raw, input: { ...raw.input, layout: 'NCHW' } })).toThrow(/input.layout is NCHW/);
    expect(() => parseExpressionMetadata({ ...raw, model: { ...raw.model, format: 'onnx' } })).toThrow(/model.format must be/);
    expect(() => parseExpressionMetadata({ ...raw, input: { ...raw.input, normalization: { mean: 0.5, std: 0 } } })).toThrow(/std must be > 0/);
    expect(() => parseExpressionMetadata({ ...raw, input: { ...raw.input, normalization: { mean: 0.5, std: 0.25 } } }))
      .toThrow(/input.normalization.equalizeHistogram must be true or false/);
  });
  it('the face detector model is the patched BlazeFace its model.json describes, keypoints in the pipeline\'s order', () => {
    const facts = json('models/face-detector/model.json');
    expect(sha256(`models/face-detector/${facts.file}`)).toBe(facts.sha256);
    expect(tfliteInputShape(readFileSync(join(REPO, 'models/face-detector', facts.file)))).toEqual([1, ...facts.inputSize, 3]);
    expect(facts.keypoints).toEqual([...KEYPOINT_NAMES]);
    expect(sha256(`node_modules/${facts.source.package}/${facts.source.file}`)).toBe(facts.source.sha256);
  });
  it('the full-range face detector is mediapipe\'s file unchanged, as model.json\'s fullRange describes it', () => {
    const { fullRange } = json('models/face-detector/model.json');
    const bytes = readFileSync(join(REPO, 'models/face-detector', fullRange.file));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(fullRange.sha256);
    expect(bytes.length).toBe(fullRange.bytes);
    // Copied, not patched: the wheel's own hash is the one to check (the wheel is not kept here; make.sh checks it).
    expect({ sha256: fullRange.sha256, bytes: fullRange.bytes }).toEqual({ sha256: fullRange.source.sha256, bytes: fullRange.source.bytes });
    expect(tfliteInputShape(bytes)).toEqual([1, ...fullRange.inputSize, 3]);
    expect(fullRange.inputSize).toEqual([192, 192]);
    expect(fullRange.keypoints).toEqual([...KEYPOINT_NAMES]);
  });
  it('both face detectors ship with the Apache 2.0 licence their sources name', () => {
    const facts = json('models/face-detector/model.json');
    expect([facts.source.license, facts.fullRange.source.license]).toEqual(['Apache-2.0', 'Apache-2.0']);
    expect(readFileSync(join(REPO, 'models/face-detector/LICENSE'), 'utf8')).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
  });
});
