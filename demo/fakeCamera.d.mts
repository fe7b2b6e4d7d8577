/** Real photos by number of faces. */
export const FACE_PHOTOS: Record<1 | 3, string[]>;
/** How the face moves in the clip: 'drift' (a hand-held camera) or 'move' (a head travelling across the frame). */
export const MOTIONS: readonly ['drift', 'move'];
/** The 'move' clip's geometry and speed (see fakeCamera.mjs). */
export const MOVE: Readonly<{ fit: { width: number; height: number }; top: number; horizontal: number; vertical: number; periodSeconds: number }>;
/** A cached .y4m clip of real faces for Chromium's fake camera. */
export function makeFaceVideo(options?: { width?: number; height?: number; fps?: number; seconds?: number; faces?: 1 | 3; motion?: 'drift' | 'move'; photos?: string[] }): string;
/** The cached .y4m 'room' clip: small, distant faces, one group sliding, one person entering, a frame counter (see roomScene.mjs). */
export function makeRoomVideo(): string;
/** The .y4m `clip` as a VP8 WebM beside it (made once), for Firefox's camera from a clip. */
export function webmOf(clip: string): string;
