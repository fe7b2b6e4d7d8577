import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { argmax, resizeToRgb, type Emoface, type Frame } from '@emoface/core';
import { CliError } from '../errors.js';
import { IMAGE_EXTENSIONS, readImage } from '../image.js';
import { createPipeline } from '../pipeline.js';
import { Progress } from '../progress.js';
import type { CommonOptions } from './common.js';

/** What `eval` reports (DESIGN.md's contract). */
export interface EvalReport {
  readonly data: string;
  readonly detect: boolean;
  readonly labels: readonly string[];
  readonly accuracy: number;
  readonly n: number;
  readonly perLabel: Readonly<Record<string, { recall: number; precision: number; n: number }>>;
  /** Rows: true label, columns: predicted label, in `labels` order. */
  readonly confusion: readonly (readonly number[])[];
  /** Images in which no face was found (--detect only); each counts as wrong. */
  readonly noFace: readonly string[];
}

const CROP_BATCH = 64;

/** `<dir>/<label>/*` images for the given labels; other folders are ignored. */
export function listLabelledImages(dir: string, labels: readonly string[]): { file: string; label: number }[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new CliError(`--data ${dir}: not a folder`);
    entries = readdirSync(dir);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`--data ${dir}: no such folder`);
  }
  const items: { file: string; label: number }[] = [];
  labels.forEach((label, index) => {
    if (!entries.includes(label)) return;
    for (const name of readdirSync(join(dir, label)).sort()) {
      if ((IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase())) items.push({ file: join(dir, label, name), label: index });
    }
  });
  if (items.length === 0) throw new CliError(`--data ${dir}: no images in any of the folders ${labels.join(', ')}`);
  return items;
}

/** A frame as the model's gray crop: resized (antialiased) to the crop size, then gray by the metadata's weights. */
export function frameToCrop(frame: Frame, pipeline: Emoface): Uint8Array {
  const { width, height, grayWeights: [wr, wg, wb] } = pipeline.metadata.crop;
  const sameSize = frame.width === width && frame.height === height;
  const [pixels, stride] = sameSize ? [frame.data, 4] : [resizeToRgb(frame, width, height), 3];
  const crop = new Uint8Array(width * height);
  for (let i = 0; i < crop.length; i++) {
    const p = i * stride;
    crop[i] = Math.min(255, Math.floor(wr * pixels[p]! + wg * pixels[p + 1]! + wb * pixels[p + 2]! + 0.5));
  }
  return crop;
}

/** `emoface eval --data <dir> [--detect]`: accuracy of the shipped pipeline on labelled images. */
export async function evaluate(dir: string, detect: boolean, options: CommonOptions): Promise<EvalReport> {
  const pipeline = await createPipeline(options.detector ?? 'back', { mode: 'seven' });
  try {
    const labels = pipeline.metadata.labels;
    const items = listLabelledImages(dir, labels);
    const predicted = new Int32Array(items.length).fill(-1);
    const noFace: string[] = [];
    const progress = new Progress(`eval ${dir}`, items.length);
    try {
      for (let start = 0; start < items.length; start += CROP_BATCH) {
        const batch = items.slice(start, start + CROP_BATCH);
        if (detect) {
          for (const [offset, item] of batch.entries()) {
            const { faces } = await pipeline.analyze(await readImage(item.file));
            const best = faces[0];
            if (best) predicted[start + offset] = labels.indexOf(best.expression);
            else noFace.push(item.file);
          }
        } else {
          const crops = await Promise.all(batch.map(async (item) => frameToCrop(await readImage(item.file), pipeline)));
          const scores = await pipeline.classifier.classify(crops);
          scores.forEach((s, offset) => (predicted[start + offset] = argmax(s)));
        }
        progress.tick(batch.length);
      }
    } finally {
      progress.finish();
    }
    return report(dir, detect, labels, items.map((i) => i.label), predicted, noFace);
  } finally {
    await pipeline.dispose();
  }
}

function report(dir: string, detect: boolean, labels: readonly string[], truth: readonly number[], predicted: Int32Array,
  noFace: readonly string[]): EvalReport {
  const k = labels.length;
  const confusion = labels.map(() => new Array<number>(k).fill(0));
  let correct = 0;
  truth.forEach((t, i) => {
    const p = predicted[i]!;
    if (p >= 0) confusion[t]![p]!++;
    if (p === t) correct++;
  });
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  const perLabel = Object.fromEntries(labels.map((label, i) => {
    const n = truth.filter((t) => t === i).length;
    const column = confusion.reduce((sum, row) => sum + row[i]!, 0);
    return [label, { recall: round(n ? confusion[i]![i]! / n : 0), precision: round(column ? confusion[i]![i]! / column : 0), n }];
  }));
  return { data: dir, detect, labels, accuracy: round(correct / truth.length), n: truth.length, perLabel, confusion, noFace };
}

/** Human-readable summary of an eval report. */
export function formatEval(r: EvalReport): string {
  const lines = [`${r.data}: accuracy ${(100 * r.accuracy).toFixed(2)}% on ${r.n} images${r.detect ? ` (full pipeline; ${r.noFace.length} without a face)` : ''}`];
  for (const [label, v] of Object.entries(r.perLabel)) {
    lines.push(`  ${label.padEnd(9)} recall ${(100 * v.recall).toFixed(1).padStart(5)}%  precision ${(100 * v.precision).toFixed(1).padStart(5)}%  n ${v.n}`);
  }
  return lines.join('\n');
}
