import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { applyServerTimeouts, type ServerTimeouts } from '../../src/http/serverTimeouts';

export interface Listening {
  server: Server;
  baseUrl: string;
  port: number;
  /** Closes the server and every connection it still has. */
  stop(): Promise<void>;
}

/** Serves `app` on a free port (port 0) of 127.0.0.1 with the production timeouts, or `timeouts`. */
export async function listen(app: Express, timeouts?: Partial<ServerTimeouts>): Promise<Listening> {
  const server = createServer(app);
  applyServerTimeouts(server, timeouts);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
