import type { Page } from 'playwright-core';

/** One sample of the remote side: the clip frame it shows, and each target face's emoji fill there. */
export interface Look {
  frameIndex: number;
  faces: { id: string; heightPx: number; fill: number }[];
}
/** One face over the samples: how many show it, how many of those cover it, and its fill in each. */
export interface FaceCoverage {
  heightPx: number;
  present: number;
  covered: number;
  fills: number[];
}
export const COVERED_FILL: number;
export function lookAtRemote(page: Page): Promise<Look | null>;
export function coverageByFace(looks: readonly Look[], entryFrames: number): Map<string, FaceCoverage>;
export function entryDelays(looks: readonly Look[], entryFrames: number): number[];
