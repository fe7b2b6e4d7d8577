import type { AlignmentTemplate, CropSpec } from './align/alignFace';

/** TF.js model formats the analyser loads. */
export type ModelFormat = 'tfjs-layers-model' | 'tfjs-graph-model';

/** What the TypeScript side needs from models/expression.json (written by training/…/export.py). */
export interface ExpressionMetadata {
  /** Labels in the model's output order. */
  readonly labels: readonly string[];
  /** The TF.js model.json, relative to models/, and its format. */
  readonly modelFile: string;
  readonly modelFormat: ModelFormat;
  /** Input crop: width, height, gray weights; the tensor is [batch, height, width, 1] (NHWC). */
  readonly crop: CropSpec;
  /** Input normalisation: each crop histogram-equalized if `equalizeHistogram`, then x = (pixel / 255 − mean) / std. */
  readonly equalizeHistogram: boolean;
  readonly mean: number;
  readonly std: number;
  readonly template: AlignmentTemplate;
  /** Everything else in the file (training, metrics), untouched. */
  readonly raw: Readonly<Record<string, unknown>>;
}

type Json = Record<string, unknown>;

function field(object: unknown, path: string): unknown {
  let value: unknown = object;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Json)[key];
  }
  return value;
}

function need<T>(json: unknown, path: string, check: (v: unknown) => v is T, what: string): T {
  const value = field(json, path);
  if (!check(value)) throw new TypeError(`expression metadata: ${path} must be ${what}, got ${JSON.stringify(value)}`);
  return value;
}

const isFormat = (v: unknown): v is ModelFormat => v === 'tfjs-layers-model' || v === 'tfjs-graph-model';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isPositiveInteger = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.length > 1 && v.every(isString);
const isPair = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && v.every(isNumber);
const isTriple = (v: unknown): v is [number, number, number] => Array.isArray(v) && v.length === 3 && v.every(isNumber);

/** Parses and checks expression.json (a JSON string or the parsed object); errors name the bad field. */
export function parseExpressionMetadata(source: string | object): ExpressionMetadata {
  const json: unknown = typeof source === 'string' ? JSON.parse(source) : source;
  const labels = need(json, 'labels', isStringList, 'a list of label names');
  if (new Set(labels).size !== labels.length) throw new TypeError('expression metadata: labels has duplicates');
  const layout = need(json, 'input.layout', isString, 'a tensor layout');
  if (layout !== 'NHWC') throw new TypeError(`expression metadata: input.layout is ${layout}; TF.js models take NHWC`);
  const channels = need(json, 'input.channels', isPositiveInteger, 'a positive integer');
  if (channels !== 1) throw new TypeError(`expression metadata: input.channels is ${channels}; only gray (1) is supported`);
  const point = (name: string) => {
    const [x, y] = need(json, `alignment.keypoints.${name}`, isPair, '[x, y] fractions of the crop');
    return { x, y };
  };
  const std = need(json, 'input.normalization.std', isNumber, 'a number');
  if (std <= 0) throw new TypeError('expression metadata: input.normalization.std must be > 0');
  return {
    labels,
    modelFile: need(json, 'model.file', isString, 'the path of model.json under models/'),
    modelFormat: need(json, 'model.format', isFormat, '"tfjs-layers-model" or "tfjs-graph-model"'),
    crop: {
      width: need(json, 'input.width', isPositiveInteger, 'a positive integer'),
      height: need(json, 'input.height', isPositiveInteger, 'a positive integer'),
      grayWeights: need(json, 'input.grayWeights', isTriple, '[r, g, b] weights'),
    },
    equalizeHistogram: need(json, 'input.normalization.equalizeHistogram', isBoolean, 'true or false'),
    mean: need(json, 'input.normalization.mean', isNumber, 'a number'),
    std,
    template: { rightEye: point('right_eye'), leftEye: point('left_eye'), mouth: point('mouth') },
    raw: json as Json,
  };
}
