import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExpressionMetadata } from '../../src/pipeline/expressionMetadata';
import { KEYPOINT_NAMES } from '../../src/pipeline/types';
import { REPO } from './fixtures';

const json = (path: string) => JSON.parse(readFileSync(join(REPO, path), 'utf8'));
const sha256 = (path: string) => createHash('sha256').update(readFileSync(join(REPO, path))).digest('hex');

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
    expect(facts.keypoints).toEqual([...KEYPOINT_NAMES]);
    expect(sha256(`node_modules/${facts.source.package}/${facts.source.file}`)).toBe(facts.source.sha256);
  });
});
