import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type AppOptions, type SeatApp } from '../../src/app';
import { applyServerTimeouts, type ServerTimeouts } from '../../src/http/serverTimeouts';
import { apiClient, type ApiClient, type Received, type SendOptions } from './api';
import { TEST_API_KEY_DIGEST } from './credentials';

export interface Served extends SeatApp {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** The listening server, for tests that watch its connections. */
  server: Server;
  /**
   * The typed test client for this app (test/support/api.ts): every response is checked against
   * the route declarations, and credentials come from test/support/credentials.ts.
   */
  api: ApiClient;
  /** `api.send`: any request, its response checked against the API's documented schemas. */
  call(method: string, path: string, options?: SendOptions): Promise<Received>;
  stop: () => Promise<void>;
}

export interface ServeOptions {
  /** Node's server timeouts (src/http/serverTimeouts.ts); Node's own defaults when not given. */
  timeouts?: Partial<ServerTimeouts>;
}

/**
 * Builds an app with `options`, listens on port 0 of 127.0.0.1, and marks it ready.
 *
 * @example
 * ```ts
 * const served = await serve({ rows: 1, seatsPerRow: 3, clock: new SimulatedClock() });
 * const { lockId } = ok(await served.api.lock('A1', 'alice'));
 * await served.stop();
 * ```
 */
export async function serve(
  options: AppOptions = {},
  { timeouts }: ServeOptions = {},
): Promise<Served> {
  // Every test app accepts the test API key, so the typed client acts for its body's userId.
  const seatApp = createApp({
    ...options,
    apiKeyDigests: [TEST_API_KEY_DIGEST, ...(options.apiKeyDigests ?? [])],
  });
  const listening = await listenLocally(seatApp.app, { timeouts });
  const { server, port, url } = listening;
  seatApp.lifecycle.ready();
  const api = apiClient(url, { routes: seatApp.routes });
  return {
    ...seatApp,
    url,
    port,
    server,
    api,
    // The body of a documented response is checked by its schema; tests read it freely.
    call: (method, path, sent) => api.send(method, path, sent),
    async stop() {
      api.close();
      await listening.stop();
      await seatApp.close();
    },
  };
}

/** A server listening on a free port of 127.0.0.1. */
export interface Listening {
  server: Server;
  port: number;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Closes the server and every connection it still has. */
  stop: () => Promise<void>;
}

/**
 * Serves any request handler (an Express app other than the service's, such as a fake JWKS
 * endpoint) on a free port of 127.0.0.1; {@link serve} runs the service through it.
 *
 * @example
 * ```ts
 * const keys = await listenLocally(express().get('/jwks.json', (_req, res) => res.json(jwks)));
 * await keys.stop();
 * ```
 */
export async function listenLocally(
  handler: RequestListener,
  { timeouts }: ServeOptions = {},
): Promise<Listening> {
  const server = createServer(handler);
  if (timeouts) applyServerTimeouts(server, timeouts);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
