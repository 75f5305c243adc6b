import type { AddressInfo } from 'node:net';
import { createApp, type AppOptions, type SeatApp } from '../../src/app';
import { apiClient, type ApiClient } from './api';
import { expectDocumented, type Received } from './documented';

export interface Served extends SeatApp {
  url: string;
  /**
   * The typed test client for this app (test/support/api.ts), its responses checked against the
   * route declarations like `call`'s; credentials come from test/support/credentials.ts.
   */
  api: ApiClient;
  /**
   * Sends a request and checks the response against the API's documented schemas before
   * returning it, so every response a test sees is also a documentation test.
   */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<Received>;
  stop: () => Promise<void>;
}

/**
 * Builds an app with `options`, listens on port 0, and marks it ready.
 *
 * @example
 * ```ts
 * const api = await serve({ rows: 1, seatsPerRow: 3 });
 * const res = await api.call('POST', '/seats/A1/lock', { body: { userId: 'alice' } });
 * await api.stop();
 * ```
 */
export async function serve(options: AppOptions = {}): Promise<Served> {
  const seatApp = createApp(options);
  const server = seatApp.app.listen(0);
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  seatApp.lifecycle.ready();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const api = apiClient(url, { routes: seatApp.routes });
  return {
    ...seatApp,
    url,
    api,
    async call(method, path, { body, rawBody, headers = {} } = {}) {
      const hasBody = body !== undefined || rawBody !== undefined;
      const res = await fetch(url + path, {
        method,
        headers: hasBody ? { 'content-type': 'application/json', ...headers } : headers,
        body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const received: Received = { status: res.status, headers: res.headers, text, body: parsed };
      expectDocumented(seatApp.routes, method, path, received);
      return received;
    },
    async stop() {
      api.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await seatApp.close();
    },
  };
}
