import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { SimulatedClock } from 'xstate';
import { createApp, type AppOptions, type SeatApp } from '../../src/app';

export interface TestServer extends SeatApp {
  url: string;
  clock: SimulatedClock;
  /** `fetch` against the server, JSON in and out. */
  request(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

/**
 * Runs `createApp` in-process on port 0 with a simulated clock the test moves by hand.
 *
 * @example
 * ```ts
 * const server = await startServer({ lockTtlMs: 1000 });
 * const { status } = await server.request('POST', '/seats/A1/lock', { userId: 'alice' });
 * server.clock.increment(1000); // the lock expires, no waiting
 * await server.stop();
 * ```
 */
export async function startServer(options: AppOptions = {}): Promise<TestServer> {
  const clock = new SimulatedClock();
  const seatApp = createApp({ clock, ...options });
  const server: Server = await new Promise((resolve) => {
    const s = seatApp.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...seatApp,
    url,
    clock,
    async request(method, path, body) {
      const res = await fetch(url + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body:
          body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return {
        status: res.status,
        body: text ? JSON.parse(text) : undefined,
        headers: res.headers,
      };
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await seatApp.close();
    },
  };
}
