import type { Server } from 'node:http';

export interface ServerTimeouts {
  /** Longest a client may take to send its request headers (ms). */
  headersTimeoutMs: number;
  /** Longest a client may take to send its whole request (ms). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open (ms). */
  keepAliveTimeoutMs: number;
  /** How often Node looks for connections past the first two limits (ms). */
  checkIntervalMs: number;
}

/** Generous for people, short enough that slow clients cannot pin connections for minutes. */
export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
};

/**
 * Sets Node's server timeouts so a client trickling its headers or body (slowloris) is answered
 * 408 and disconnected instead of holding a socket, and idle keep-alive sockets are closed. Call
 * it before `listen`: Node reads the check interval when the server starts listening.
 *
 * @example
 * ```ts
 * const server = http.createServer(app);
 * applyServerTimeouts(server, { headersTimeoutMs: 5_000 });
 * server.listen(3000);
 * ```
 */
export function applyServerTimeouts(
  server: Server,
  timeouts: Partial<ServerTimeouts> = {},
): ServerTimeouts {
  const applied = { ...DEFAULT_SERVER_TIMEOUTS, ...timeouts };
  // Node requires requestTimeout >= headersTimeout (a request includes its headers).
  server.headersTimeout = applied.headersTimeoutMs;
  server.requestTimeout = Math.max(applied.requestTimeoutMs, applied.headersTimeoutMs);
  server.keepAliveTimeout = applied.keepAliveTimeoutMs;
  // A public option of http.createServer that @types/node does not declare as a property; Node
  // reads it when the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    applied.checkIntervalMs;
  return applied;
}
