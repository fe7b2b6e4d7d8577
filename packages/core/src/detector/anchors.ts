import type { BlazeFaceSpec } from './constants.js';

/**
 * Anchor centres in 0..1 of the detector input, [anchors × 2] as x, y pairs, cell-major with the
 * anchors of one cell adjacent. Port of MediaPipe's SsdAnchorsCalculator with fixed_anchor_size
 * (every anchor is 1×1, so only centres matter): two feature maps, 16×16 with 2 anchors per cell
 * and 8×8 with 6 → 896 anchors.
 */
export function createAnchors(spec: Pick<BlazeFaceSpec, 'anchorGrid'>): Float32Array {
  const total = spec.anchorGrid.reduce((sum, [cells, perCell]) => sum + cells * cells * perCell, 0);
  const anchors = new Float32Array(total * 2);
  let index = 0;
  for (const [cells, perCell] of spec.anchorGrid) {
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let k = 0; k < perCell; k++) {
          anchors[index++] = (x + 0.5) / cells;
          anchors[index++] = (y + 0.5) / cells;
        }
      }
    }
  }
  return anchors;
}
