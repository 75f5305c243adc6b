import { createServer } from 'node:net';

/**
 * A port nobody listens on right now (the OS picks it), for a child process or server that must be
 * told its port before it starts: the soak's and the bench's services, a disposable PostgreSQL.
 *
 * @example
 * ```ts
 * const port = await freePort();
 * spawn('node', ['server.js'], { env: { PORT: String(port) } });
 * ```
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
