/** The host names the call site answers for. */
export const CALL_HOSTS: string[];
/** Where the call hosts serve the `camera` clip. */
export const CAMERA_PATH: '/camera.webm';
/** Starts the local HTTPS call site. */
export function startCallServer(options?: { port?: number; camera?: string | null }): Promise<{
  port: number;
  requests: Array<{ host: string; path: string }>;
  url: (host: string, path?: string) => string;
  close: () => Promise<void>;
}>;
