import type { ViewLayout } from '../pipeline/views';

/**
 * A view's pixels drawn from `source` (`sourceWidth` × `sourceHeight`) with a canvas: each cell's part of
 * the frame scaled into its place, parts outside the frame left black. For frames that are not in a YUV
 * layout the page reads itself, and for still photos being evaluated.
 */
export function paintView(source: CanvasImageSource, sourceWidth: number, sourceHeight: number, layout: ViewLayout,
  canvas: OffscreenCanvas = new OffscreenCanvas(layout.width, layout.height)): ImageData {
  if (canvas.width !== layout.width || canvas.height !== layout.height) {
    canvas.width = layout.width;
    canvas.height = layout.height;
  }
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.imageSmoothingQuality = 'high';
  ctx.fillStyle = 'black';
  ctx.fillRect(0, 0, layout.width, layout.height);
  for (const cell of layout.cells) {
    const { source: part } = cell;
    ctx.save();
    ctx.beginPath();
    ctx.rect(cell.x, cell.y, cell.width, cell.height);
    ctx.clip();
    // The whole source drawn so that the cell's part of it lands on the cell (parts outside stay black).
    const scaleX = cell.width / (part.width * sourceWidth);
    const scaleY = cell.height / (part.height * sourceHeight);
    ctx.drawImage(source, cell.x - part.x * sourceWidth * scaleX, cell.y - part.y * sourceHeight * scaleY, sourceWidth * scaleX, sourceHeight * scaleY);
    ctx.restore();
  }
  return ctx.getImageData(0, 0, layout.width, layout.height);
}
