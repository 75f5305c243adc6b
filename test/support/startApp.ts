import type { AddressInfo } from 'node:net';
import { createApp, type AppOptions, type SeatApp } from '../../src/app';

export interface RunningApp extends SeatApp {
  /** `fetch` against the app: `call('POST', '/seats/A1/lock', { userId: 'u' })`. */
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

/**
 * Starts the app on port 0 (a free port, so parallel runs never collide) and gives a tiny JSON
 * client for it.
 *
 * @example
 * ```ts
 * const app = await startApp({ rows: 2, seatsPerRow: 2 });
 * const { status, body } = await app.call('GET', '/seats/summary');
 * await app.stop();
 * ```
 */
export async function startApp(options: AppOptions = {}): Promise<RunningApp> {
  const seatApp = createApp({ logError: () => {}, ...options });
  const server = seatApp.app.listen(0);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...seatApp,
    async call(method, path, body) {
      const response = await fetch(base + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // fetch keeps connections alive; close would wait for them
      await closed;
      await seatApp.close();
    },
  };
}
