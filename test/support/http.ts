import { SimulatedClock } from 'xstate';
import type { AppOptions } from '../../src/app';
import { serve, type Served } from './serve';

export interface TestServer extends Served {
  clock: SimulatedClock;
  /** JSON in and out; a string body is sent as it is (malformed JSON, arrays…). */
  request(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: any; headers: Headers }>;
}

/**
 * {@link serve} (the app in-process on port 0, every response checked against the documented
 * API) with a simulated clock the test moves by hand.
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
  const api = await serve({ clock, ...options });
  return {
    ...api,
    clock,
    async request(method, path, body) {
      const sent = typeof body === 'string' ? { rawBody: body } : { body };
      const { status, body: received, headers } = await api.call(method, path, sent);
      return { status, body: received, headers };
    },
  };
}
