import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { Frame } from '@emoface/core';
import { CliError } from './errors.js';

/** Image formats the command reads and writes. */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'] as const;

/**
 * Decodes an image file to an upright RGBA frame (EXIF orientation applied). Errors name the file and
 * say what is wrong: missing, empty, not an image, truncated or corrupt.
 */
export async function readImage(path: string): Promise<Frame> {
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new CliError(`${path}: is a directory, not an image`);
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  if (bytes.length === 0) throw new CliError(`${path}: empty file`);
  try {
    const { data, info } = await sharp(bytes, { failOn: 'truncated' }).rotate().ensureAlpha().raw()
      .toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (error) {
    const message = (error as Error).message;
    if (/unsupported image format/i.test(message)) throw new CliError(`${path}: not an image (JPEG, PNG or WebP expected)`);
    throw new CliError(`${path}: truncated or corrupt image (${message.split('\n')[0]})`);
  }
}

/** Encodes RGBA pixels in the format the file extension names (PNG, JPEG or WebP). */
export async function encodeImage(frame: Frame, extension: string): Promise<Buffer> {
  const image = sharp(Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.length), {
    raw: { width: frame.width, height: frame.height, channels: 4 },
  });
  switch (extension.toLowerCase()) {
    case '.png': return image.png().toBuffer();
    case '.jpg': case '.jpeg': return image.flatten().jpeg({ quality: 92 }).toBuffer();
    case '.webp': return image.webp({ quality: 92 }).toBuffer();
    default: throw new CliError(`output format ${extension || '(none)'} is not supported; use .png, .jpg or .webp`);
  }
}
