/**
 * Makes a processed track answer like the camera track it comes from, so the call sees the real camera:
 * MediaStreamTrackGenerator tracks report a random label and deviceId, and stopping one would leave the
 * camera light on. DESIGN.md ("Rules the contexts keep") lists what must hold.
 */

const nativeClone = MediaStreamTrack.prototype.clone;
const nativeStop = MediaStreamTrack.prototype.stop;

/** What the dressed tracks share: the camera, and what to do when the last of them stops. */
export interface CameraSource {
  readonly camera: MediaStreamTrack;
  /** Called once per output track that is stopped by the page. */
  released(output: MediaStreamTrack): void;
  /** Called for each new output track (the first, and every clone). */
  added(output: MediaStreamTrack): void;
}

/**
 * Gives `output` (a generator track, or a clone of one) the camera's label, settings, capabilities and
 * constraints; applyConstraints goes to the camera; clone() gives another dressed track; stop() stops
 * this track, and the source stops the camera once no dressed track is left.
 */
export function dressAsCamera(output: MediaStreamTrack, source: CameraSource): MediaStreamTrack {
  const { camera } = source;
  Object.defineProperties(output, {
    label: { get: () => camera.label, configurable: true },
    muted: { get: () => camera.muted, configurable: true },
    getSettings: { value: () => camera.getSettings(), configurable: true },
    getCapabilities: { value: () => camera.getCapabilities(), configurable: true },
    getConstraints: { value: () => camera.getConstraints(), configurable: true },
    applyConstraints: { value: (constraints?: MediaTrackConstraints) => camera.applyConstraints(constraints), configurable: true },
    clone: { value: () => dressAsCamera(nativeClone.call(output), source), configurable: true },
    stop: {
      value: () => {
        if (output.readyState === 'ended') return;
        nativeStop.call(output);
        source.released(output);
      },
      configurable: true,
    },
  });
  source.added(output);
  return output;
}
