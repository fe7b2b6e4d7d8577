import { cpus } from 'node:os';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { measureFrames, type BlazeFaceModel, type Emoface, type Timing } from '@emoface/core';
import type { Image } from '@napi-rs/canvas';
import { loadArtwork } from '../artwork.js';
import { CliError } from '../errors.js';
import { createPipeline } from '../pipeline.js';
import { renderOverlay } from '../render.js';
import { samplePhotos } from '../samplePhotos.js';
import type { CommonOptions } from './common.js';

/** The stages of one frame that `bench` times, and their sum. */
export type BenchStage = 'decode' | 'detect' | 'align' | 'classify' | 'track' | 'render' | 'total';

/** One benchmarked scene. */
export interface SceneResult {
  readonly photo: string;
  readonly width: number;
  readonly height: number;
  readonly facesFound: number;
  readonly stagesMs: Readonly<Record<BenchStage, Timing>>;
  /** 1000 / median total, decode of the JPEG included. */
  readonly fps: number;
}

/** What `bench` reports. */
export interface BenchReport {
  readonly date: string;
  readonly machine: { cpus: number; model: string };
  readonly runtime: string;
  readonly detector: BlazeFaceModel;
  readonly iterations: number;
  readonly scenes: readonly SceneResult[];
}

const SIZES = [[640, 480], [1280, 720]] as const;
const WARM_UP = 10;

/**
 * Times emoface on one JPEG frame after another as the CLI runs it: decode (sharp) → detect → align →
 * classify → track → render (@napi-rs/canvas). Frame i gets timestamp i × 33.3 ms (a 30 fps camera).
 */
export async function benchScene(pipeline: Emoface, artwork: ReadonlyMap<string, Image>, jpeg: Buffer, iterations: number, warmUp = WARM_UP):
  Promise<{ facesFound: number; stagesMs: Record<BenchStage, Timing>; fps: number }> {
  let facesFound = 0;
  pipeline.setTrackerOptions({});
  const stagesMs = await measureFrames<BenchStage>(iterations, warmUp, async (i) => {
    const t0 = performance.now();
    const { data, info } = await sharp(jpeg).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const frame = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
    const t1 = performance.now();
    const result = await pipeline.processFrame(frame, (i + warmUp) * 33.3);
    const t2 = performance.now();
    renderOverlay(frame, result.faces, artwork);
    const t3 = performance.now();
    facesFound = result.faces.length;
    return { decode: t1 - t0, ...result.stageMs, render: t3 - t2, total: t3 - t0 };
  });
  return { facesFound, stagesMs, fps: Math.round(10000 / stagesMs.total.median) / 10 };
}

/** `emoface bench`: per-stage times and frames per second on real photos at 640×480 and 1280×720. */
export async function bench(iterations: number, options: CommonOptions): Promise<BenchReport> {
  const photos = samplePhotos();
  if (photos.length === 0) throw new CliError('bench: no sample photos found (run `npm install` for @vladmandic/face-api\'s demo photos)');
  const detector = options.detector ?? 'front';
  const pipeline = await createPipeline(detector, { emojiSet: options.emojiSet.set, mode: options.mode });
  const artwork = await loadArtwork(options.emojiSet);
  const scenes: SceneResult[] = [];
  try {
    for (const photo of photos) {
      for (const [width, height] of SIZES) {
        const jpeg = await sharp(photo.path).rotate().resize(width, height, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer();
        scenes.push({ photo: photo.name, width, height, ...await benchScene(pipeline, artwork, jpeg, iterations) });
      }
    }
  } finally {
    await pipeline.dispose();
  }
  return {
    date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown' },
    runtime: `onnxruntime-node ${ort.env.versions.common} (cpu, default threads)`, detector, iterations, scenes,
  };
}

/** A table of a bench report. */
export function formatBench(r: BenchReport): string {
  const head = `emoface bench — ${r.machine.cpus}× ${r.machine.model}, ${r.runtime}, BlazeFace ${r.detector}, median (p95) ms over ${r.iterations} frames`;
  const stages = ['decode', 'detect', 'align', 'classify', 'track', 'render', 'total'] as const;
  const rows = r.scenes.map((s) => `${`${s.photo} ${s.width}×${s.height}`.padEnd(24)} faces ${String(s.facesFound).padStart(2)}  `
    + stages.map((k) => `${k} ${s.stagesMs[k].median.toFixed(2)} (${s.stagesMs[k].p95.toFixed(2)})`).join('  ') + `  → ${s.fps} fps`);
  return [head, ...rows].join('\n');
}
