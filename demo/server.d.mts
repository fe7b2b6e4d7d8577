/** The host names the call site answers for. */
export const CALL_HOSTS: string[];
/** Starts the local HTTPS call site. */
export function startCallServer(options?: { port?: number }): Promise<{
  port: number;
  requests: Array<{ host: string; path: string }>;
  url: (host: string, path?: string) => string;
  close: () => Promise<void>;
}>;
