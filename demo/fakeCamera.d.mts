/** Real photos by number of faces. */
export const FACE_PHOTOS: Record<1 | 3, string[]>;
/** A cached .y4m clip of real faces for Chromium's fake camera. */
export function makeFaceVideo(options?: { width?: number; height?: number; fps?: number; seconds?: number; faces?: 1 | 3 }): string;
