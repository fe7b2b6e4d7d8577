import { extname } from 'node:path';
import { loadArtwork } from '../artwork.js';
import { checkOutputPath, writeAtomically, writeFileAtomically } from '../atomic.js';
import { CliError } from '../errors.js';
import { encodeImage, IMAGE_EXTENSIONS, readImage } from '../image.js';
import { createPipeline } from '../pipeline.js';
import { Progress } from '../progress.js';
import { renderOverlay } from '../render.js';
import { probeVideo, readVideoFrames, requireFfmpeg, VIDEO_EXTENSIONS, VideoEncoder } from '../video.js';
import type { CommonOptions } from './common.js';

/** Options of `overlay`. */
export interface OverlayCommandOptions extends CommonOptions {
  readonly boxes: boolean;
  readonly bars: boolean;
}

const isOneOf = (list: readonly string[], path: string) => list.includes(extname(path).toLowerCase());

/** `emoface overlay <input> -o <output>`: the image or video with an emoji over every face. Returns frames written. */
export async function overlay(input: string, output: string, options: OverlayCommandOptions): Promise<number> {
  checkOutputPath(input, output);
  const inputIsVideo = isOneOf(VIDEO_EXTENSIONS, input);
  if (inputIsVideo ? !isOneOf(VIDEO_EXTENSIONS, output) : !isOneOf(IMAGE_EXTENSIONS, output)) {
    const kinds = inputIsVideo ? VIDEO_EXTENSIONS : IMAGE_EXTENSIONS;
    throw new CliError(`${output}: for ${inputIsVideo ? 'a video' : 'an image'} input the output must end in ${kinds.join(', ')}`);
  }
  const artwork = await loadArtwork(options.emojiSet);
  const draw = { boxes: options.boxes, bars: options.bars };
  if (!inputIsVideo) {
    const frame = await readImage(input);
    const pipeline = await createPipeline(options.detector ?? 'back', { emojiSet: options.emojiSet.set, mode: options.mode });
    try {
      const { faces } = await pipeline.analyze(frame);
      await writeFileAtomically(output, await encodeImage(renderOverlay(frame, faces, artwork, draw), extname(output)));
      return 1;
    } finally {
      await pipeline.dispose();
    }
  }
  requireFfmpeg();
  const info = probeVideo(input);
  const pipeline = await createPipeline(options.detector ?? 'back', { emojiSet: options.emojiSet.set, mode: options.mode });
  let written = 0;
  try {
    await writeAtomically(output, async (temporary) => {
      const encoder = new VideoEncoder(temporary, input, info);
      const progress = new Progress(`overlay ${input}`, info.frames);
      try {
        for await (const frame of readVideoFrames(input, info)) {
          const { faces } = await pipeline.processFrame(frame, (written * 1000) / info.fps);
          await encoder.write(renderOverlay(frame, faces, artwork, draw));
          written++;
          progress.tick();
        }
        if (written === 0) throw new CliError(`${input}: the video has no frames`);
        await encoder.close();
      } catch (error) {
        encoder.abort();
        throw error;
      } finally {
        progress.finish();
      }
    });
  } finally {
    await pipeline.dispose();
  }
  return written;
}
