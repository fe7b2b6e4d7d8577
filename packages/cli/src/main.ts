#!/usr/bin/env node
/** The `emoface` command: see `emoface --help` and ../shared/DESIGN.md's CLI table. */
import { parseArgs } from 'node:util';
import type { BlazeFaceModel, LabelMode } from '@emoface/core';
import { loadEmojiSet } from './artwork.js';
import { analyze, formatAnalysis } from './commands/analyze.js';
import { bench, formatBench } from './commands/bench.js';
import type { CommonOptions } from './commands/common.js';
import { evaluate, formatEval } from './commands/eval.js';
import { overlay } from './commands/overlay.js';
import { shippedMetadata } from './pipeline.js';
import { CliError, EXIT, usageError } from './errors.js';

const COMMON_HELP = `  --detector front|back  BlazeFace model: back (256×256, small faces) or front (128×128, selfie range)
  --emoji <set|file.json>  emoji set: faces (default), cats, or a JSON file {name, levels: {label: [emoji or image file…]}}
  --mode seven|five      all seven labels (default) or the paper's five (angry, happy, neutral, sad, surprise)`;

const HELP: Record<string, string> = {
  main: `emoface — an emoji over every face, chosen from the face's expression. Runs on this device only.

Usage: emoface <command> [options]

Commands:
  analyze <image…> [--json]              faces, expressions and emoji per image
  overlay <input> -o <output>            the image or video with an emoji over every face
  eval --data <dir> [--detect] [--json]  accuracy on <dir>/<label>/* images
  bench [--json]                         per-stage timings and frames per second on real photos

Run \`emoface <command> --help\` for a command's options. Exit codes: 0 done, 1 bad input, 2 bad usage.`,
  analyze: `Usage: emoface analyze <image…> [--json]

Per image: width, height and every face's box {x, y, width, height} in pixels, detector score,
keypoints, expression, probability per label and emoji. Images: JPEG, PNG, WebP (EXIF orientation applied).

Options:
  --json                 machine-readable output
${COMMON_HELP} (default back)`,
  overlay: `Usage: emoface overlay <input> -o <output>

Draws an emoji over every face of an image (JPEG, PNG, WebP) or a video (through ffmpeg: same size,
frame rate and frame count, audio kept). Never overwrites the input; the output appears only when complete.

Options:
  -o, --output <file>    where to write (.png/.jpg/.webp for images; .mp4/.mov/.mkv/.webm for video)
  --boxes                also draw the face boxes
  --bars                 also draw the expression bars
${COMMON_HELP} (default back)`,
  eval: `Usage: emoface eval --data <dir> [--detect] [--json]

Accuracy of the shipped pipeline on <dir>/<label>/* (labels: angry, disgust, fear, happy, neutral, sad,
surprise; other folders are ignored). Without --detect each image is an already-cropped face (FER2013
style); with --detect the whole pipeline runs on full photos and an image without a face counts as wrong.

Options:
  --data <dir>           the labelled folder
  --detect               detect and align faces first (full photos)
  --json                 accuracy, n, per-label recall and precision, confusion matrix, images without a face
  --detector front|back  BlazeFace model for --detect (default back)`,
  bench: `Usage: emoface bench [--json] [--iterations N]

Per-stage milliseconds (decode, detect, align, classify, track, render; median and p95) and frames per
second on real photos with 1 and 3–4 faces at 640×480 and 1280×720, after warm-up.

Options:
  --iterations N         frames per scene after 10 warm-up frames (default 100)
  --json                 machine-readable output
${COMMON_HELP} (default front, the camera model)`,
};

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  data: { type: 'string' },
  detect: { type: 'boolean' },
  detector: { type: 'string' },
  emoji: { type: 'string' },
  mode: { type: 'string' },
  boxes: { type: 'boolean' },
  bars: { type: 'boolean' },
  iterations: { type: 'string' },
} as const;

/** Options each command accepts (others are a usage error). */
const ACCEPTS: Record<string, readonly string[]> = {
  analyze: ['json', 'detector', 'emoji', 'mode'],
  overlay: ['output', 'detector', 'emoji', 'mode', 'boxes', 'bars'],
  eval: ['data', 'detect', 'json', 'detector'],
  bench: ['json', 'iterations', 'detector', 'emoji', 'mode'],
};

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Runs the command line `argv` (without node and script); returns the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    print(HELP.main!);
    return command ? EXIT.ok : EXIT.usage;
  }
  const help = HELP[command];
  if (!help || command === 'main') throw usageError(`unknown command ${command}; run emoface --help`);
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(`${command}: ${(error as Error).message}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    print(help);
    return EXIT.ok;
  }
  for (const key of Object.keys(values)) {
    if (key !== 'help' && !ACCEPTS[command]!.includes(key)) throw usageError(`${command} does not take --${key}; see emoface ${command} --help`);
  }
  if (values.detector !== undefined && !['front', 'back'].includes(values.detector)) throw usageError(`--detector must be front or back, got ${values.detector}`);
  if (values.mode !== undefined && !['seven', 'five'].includes(values.mode)) throw usageError(`--mode must be seven or five, got ${values.mode}`);
  const common = (): CommonOptions => ({
    ...(values.detector ? { detector: values.detector as BlazeFaceModel } : {}),
    emojiSet: loadEmojiSet(values.emoji ?? 'faces', shippedMetadata().labels),
    mode: (values.mode ?? 'seven') as LabelMode,
  });

  switch (command) {
    case 'analyze': {
      if (positionals.length === 0) throw usageError('analyze needs at least one image; see emoface analyze --help');
      const results = await analyze(positionals, common());
      print(values.json ? JSON.stringify(results.length === 1 ? results[0] : results, null, 2) : formatAnalysis(results));
      return EXIT.ok;
    }
    case 'overlay': {
      if (positionals.length !== 1 || !values.output) throw usageError('overlay needs one input and -o <output>; see emoface overlay --help');
      const frames = await overlay(positionals[0]!, values.output, { ...common(), boxes: Boolean(values.boxes), bars: Boolean(values.bars) });
      process.stderr.write(`wrote ${values.output}${frames > 1 ? ` (${frames} frames)` : ''}\n`);
      return EXIT.ok;
    }
    case 'eval': {
      if (!values.data || positionals.length > 0) throw usageError('eval needs --data <dir> and no other arguments; see emoface eval --help');
      const report = await evaluate(values.data, Boolean(values.detect), common());
      print(values.json ? JSON.stringify(report, null, 2) : formatEval(report));
      return EXIT.ok;
    }
    case 'bench': {
      if (positionals.length > 0) throw usageError('bench takes no arguments; see emoface bench --help');
      const iterations = values.iterations === undefined ? 100 : Number(values.iterations);
      if (!Number.isInteger(iterations) || iterations < 1) throw usageError(`--iterations must be a whole number ≥ 1, got ${values.iterations}`);
      const report = await bench(iterations, common());
      print(values.json ? JSON.stringify(report, null, 2) : formatBench(report));
      return EXIT.ok;
    }
    default:
      throw usageError(`unknown command ${command}`);
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CliError) {
      process.stderr.write(`emoface: ${error.message}\n`);
      process.exit(error.exitCode);
    }
    process.stderr.write(`emoface: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(EXIT.badInput);
  },
);
