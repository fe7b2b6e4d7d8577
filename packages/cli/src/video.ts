import { spawn, spawnSync } from 'node:child_process';
import { extname } from 'node:path';
import type { Frame } from '@emoface/core';
import { CliError } from './errors.js';

/** Video containers `overlay` writes (by output extension). */
export const VIDEO_EXTENSIONS = ['.mp4', '.mov', '.mkv', '.webm', '.avi', '.m4v'] as const;

/** What ffprobe tells about a video's first video stream. */
export interface VideoInfo {
  readonly width: number;
  readonly height: number;
  /** Frame rate as ffmpeg writes it, e.g. "30000/1001". */
  readonly frameRate: string;
  readonly fps: number;
  /** Frame count when the container states it, else an estimate from the duration (0 if unknown). */
  readonly frames: number;
  readonly hasAudio: boolean;
}

/** Throws a clear error when ffmpeg/ffprobe are not installed. */
export function requireFfmpeg(): void {
  for (const tool of ['ffmpeg', 'ffprobe']) {
    const result = spawnSync(tool, ['-version'], { stdio: 'ignore' });
    if (result.error || result.status !== 0) {
      throw new CliError(`${tool} was not found: videos need ffmpeg. Install it (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg) and try again`);
    }
  }
}

/** Reads a video's size, frame rate, frame count and whether it has audio. */
export function probeVideo(path: string): VideoInfo {
  const result = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,width,height,avg_frame_rate,r_frame_rate,nb_frames:format=duration',
    '-of', 'json', path], { encoding: 'utf8' });
  if (result.status !== 0) throw new CliError(`${path}: unreadable video (${(result.stderr || 'ffprobe failed').trim().split('\n').pop()})`);
  const json = JSON.parse(result.stdout) as { streams?: Record<string, string | number>[]; format?: { duration?: string } };
  const video = json.streams?.find((s) => s.codec_type === 'video');
  if (!video || !Number(video.width) || !Number(video.height)) throw new CliError(`${path}: has no video stream`);
  const rate = String(video.avg_frame_rate && video.avg_frame_rate !== '0/0' ? video.avg_frame_rate : video.r_frame_rate);
  const [num, den] = rate.split('/').map(Number);
  const fps = den ? num! / den : Number(num);
  if (!(fps > 0)) throw new CliError(`${path}: unknown frame rate`);
  const stated = Number(video.nb_frames);
  const duration = Number(json.format?.duration);
  return {
    width: Number(video.width), height: Number(video.height), frameRate: rate, fps,
    frames: stated > 0 ? stated : duration > 0 ? Math.round(duration * fps) : 0,
    hasAudio: Boolean(json.streams?.some((s) => s.codec_type === 'audio')),
  };
}

/** Decodes every frame of a video as RGBA, in order, through an ffmpeg pipe. */
export async function* readVideoFrames(path: string, info: VideoInfo): AsyncGenerator<Frame> {
  const decoder = spawn('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v:0', '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgba', 'pipe:1'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  decoder.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<number>((done) => decoder.on('close', (code) => done(code ?? 1)));
  const frameBytes = info.width * info.height * 4;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  try {
    for await (const chunk of decoder.stdout as AsyncIterable<Buffer>) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      while (pendingBytes >= frameBytes) {
        const joined = Buffer.concat(pending, pendingBytes);
        const frame = new Uint8Array(frameBytes);
        frame.set(joined.subarray(0, frameBytes));
        pending = [joined.subarray(frameBytes)];
        pendingBytes -= frameBytes;
        yield { data: frame, width: info.width, height: info.height };
      }
    }
    if ((await exited) !== 0) throw new CliError(`${path}: decoding failed (${errors.trim().split('\n').pop()})`);
  } finally {
    if (decoder.exitCode === null) decoder.kill('SIGKILL');
  }
}

/** An ffmpeg process that encodes RGBA frames (plus the source's audio) into a video file. */
export class VideoEncoder {
  readonly #process;
  readonly #exited: Promise<number>;
  #errors = '';

  /** Starts encoding to `output` (its extension picks the codecs) with `source`'s frame rate and audio. */
  constructor(output: string, source: string, info: VideoInfo) {
    const webm = extname(output).toLowerCase() === '.webm';
    const video = webm ? ['-c:v', 'libvpx-vp9', '-crf', '30', '-b:v', '0', '-row-mt', '1'] : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18'];
    const audio = info.hasAudio ? ['-map', '1:a?', '-c:a', webm ? 'libopus' : 'aac'] : [];
    this.#process = spawn('ffmpeg', ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${info.width}x${info.height}`,
      '-framerate', info.frameRate, '-i', 'pipe:0', ...(info.hasAudio ? ['-i', source] : []), '-map', '0:v:0', ...audio,
      ...video, '-pix_fmt', 'yuv420p', '-fps_mode', 'passthrough', output], { stdio: ['pipe', 'ignore', 'pipe'] });
    this.#process.stderr.on('data', (chunk: Buffer) => (this.#errors += chunk.toString()));
    this.#process.stdin.on('error', () => undefined); // reported through the exit code below
    this.#exited = new Promise((done) => this.#process.on('close', (code) => done(code ?? 1)));
  }

  /** Queues one frame, waiting when ffmpeg's input is full. */
  async write(frame: Frame): Promise<void> {
    const stdin = this.#process.stdin;
    if (!stdin.write(frame.data)) await new Promise<void>((done) => stdin.once('drain', done));
  }

  /** Finishes the file; throws if ffmpeg failed. */
  async close(): Promise<void> {
    this.#process.stdin.end();
    if ((await this.#exited) !== 0) throw new CliError(`encoding failed: ${this.#errors.trim().split('\n').pop()}`);
  }

  /** Stops ffmpeg without finishing the file. */
  abort(): void {
    this.#process.kill('SIGKILL');
  }
}
