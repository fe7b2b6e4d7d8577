/**
 * An image file the user picked for a custom set, made into what the set stores: checked by its bytes
 * (not its name), an SVG refused if it could run or fetch anything, decoded (a GIF's first frame),
 * fitted into a transparent square and re-encoded as PNG. Every refusal names the file and the problem.
 */
import { CUSTOM_LIMITS, imageKind, kB, SetProblem, svgProblem } from '../pipeline/emoji/customSets';
import { describeError, localized, type MessageArg, type MessageKey } from '../pipeline/i18n';

/** The PNG data URL to store for `file`; throws SetProblem naming the file and what is wrong with it. */
export async function imageEntryFromFile(file: File): Promise<string> {
  const refuse = (key: MessageKey, ...args: MessageArg[]) => new SetProblem('fileProblem', file.name, localized(key, ...args));
  if (file.size > CUSTOM_LIMITS.imageFileBytes) throw refuse('fileTooBig', kB(file.size), kB(CUSTOM_LIMITS.imageFileBytes));
  const bytes = new Uint8Array(await file.arrayBuffer());
  const kind = imageKind(bytes);
  if (!kind) throw refuse('fileNotImage');
  let image: ImageBitmap | HTMLImageElement;
  try {
    if (kind === 'svg') {
      const problem = svgProblem(new TextDecoder().decode(bytes));
      if (problem) throw refuse(problem);
      image = await loadImage(new Blob([bytes], { type: 'image/svg+xml' }));
    } else {
      image = await createImageBitmap(new Blob([bytes], { type: `image/${kind}` }));
    }
  } catch (error) {
    if (error instanceof SetProblem) throw error;
    throw refuse('imageUndecodable', describeError(error));
  }
  const side = CUSTOM_LIMITS.imageSidePx;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = side;
  const width = image.width || side;
  const height = image.height || side;
  const scale = side / Math.max(width, height);
  canvas.getContext('2d')!.drawImage(image, (side - width * scale) / 2, (side - height * scale) / 2, width * scale, height * scale);
  const dataUrl = canvas.toDataURL('image/png');
  if (dataUrl.length > CUSTOM_LIMITS.storedImageChars) throw refuse('imageTooBigAfter', String(side), kB(dataUrl.length), kB(CUSTOM_LIMITS.storedImageChars));
  return dataUrl;
}

/** An SVG loaded as an image (an <img> runs no script and loads nothing else). */
function loadImage(blob: Blob): Promise<HTMLImageElement> {
  const url = URL.createObjectURL(blob);
  return new Promise<HTMLImageElement>((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('not a valid SVG'));
    image.src = url;
  }).finally(() => URL.revokeObjectURL(url));
}
