import { cpus } from 'node:os';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import type { BlazeFaceModel } from '@emoface/core';
import { loadArtwork } from '../artwork.js';
import { CliError } from '../errors.js';
import { createPipeline } from '../pipeline.js';
import { renderOverlay } from '../render.js';
import { samplePhotos } from '../samplePhotos.js';
import type { CommonOptions } from './common.js';

/** Timing summary of one stage, ms. */
export interface Timing {
  readonly median: number;
  readonly p95: number;
}

/** One benchmarked scene. */
export interface SceneResult {
  readonly photo: string;
  readonly width: number;
  readonly height: number;
  readonly facesFound: number;
  readonly stagesMs: Readonly<Record<'decode' | 'detect' | 'align' | 'classify' | 'track' | 'render' | 'total', Timing>>;
  /** 1000 / median total of detect…render (a camera frame arrives decoded). */
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

function summarise(values: number[]): Timing {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: Math.round(at(0.5) * 1000) / 1000, p95: Math.round(at(0.95) * 1000) / 1000 };
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
        const samples: Record<keyof SceneResult['stagesMs'], number[]> = { decode: [], detect: [], align: [], classify: [], track: [], render: [], total: [] };
        let facesFound = 0;
        pipeline.setTrackerOptions({});
        for (let i = -10; i < iterations; i++) {
          const t0 = performance.now();
          const { data, info } = await sharp(jpeg).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
          const frame = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
          const t1 = performance.now();
          const result = await pipeline.processFrame(frame, (i + 10) * 33.3);
          const t2 = performance.now();
          renderOverlay(frame, result.faces, artwork);
          const t3 = performance.now();
          if (i < 0) continue; // warm-up
          facesFound = result.faces.length;
          samples.decode.push(t1 - t0);
          samples.detect.push(result.stageMs.detect);
          samples.align.push(result.stageMs.align);
          samples.classify.push(result.stageMs.classify);
          samples.track.push(result.stageMs.track);
          samples.render.push(t3 - t2);
          samples.total.push(t3 - t1);
        }
        const stagesMs = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarise(v)])) as SceneResult['stagesMs'];
        scenes.push({ photo: photo.name, width, height, facesFound, stagesMs, fps: Math.round(10000 / stagesMs.total.median) / 10 });
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
