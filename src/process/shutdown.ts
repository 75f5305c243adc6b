import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { SeatApp } from '../app';

/** The server's connections as shutdown needs to know them. */
export interface Connections {
  /**
   * Ends every idle keep-alive connection now, each busy one as soon as its answer is sent, and
   * any that connected but never sent a request after `graceMs`.
   */
  drain(graceMs: number): void;
  /** How many connections the server has accepted so far. */
  readonly accepted: number;
  /** Destroys every connection still open (the deadline passed). */
  destroyAll(): void;
}

/**
 * Follows `server`'s connections from now on: which are busy with a request, which have served
 * one and sit idle, which are fresh. Node's own `server.close()` destroys every connection that
 * has no request in progress, including one whose request is still on the wire, which that
 * client sees as a reset; shutdown uses this instead to end connections only between requests.
 * Call it right after `listen`.
 *
 * @example
 * ```ts
 * const server = app.listen(3000);
 * const connections = trackConnections(server);
 * ```
 */
export function trackConnections(server: Server): Connections {
  const sockets = new Map<Socket, { busy: number; served: number; res?: ServerResponse }>();
  let draining = false;
  let accepted = 0;
  /** Lets the client know this connection ends with this answer, while it still can. */
  const lastOnConnection = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  server.on('connection', (socket: Socket) => {
    accepted++;
    sockets.set(socket, { busy: 0, served: 0 });
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (req, res) => {
    const state = sockets.get(req.socket);
    if (!state) return;
    state.busy++;
    state.res = res;
    if (draining) lastOnConnection(res);
    res.once('close', () => {
      state.busy--;
      state.served++;
      if (draining && state.busy === 0) req.socket.end();
    });
  });
  return {
    get accepted() {
      return accepted;
    },
    drain(graceMs) {
      draining = true;
      for (const [socket, state] of sockets) {
        if (state.busy > 0 && state.res) lastOnConnection(state.res);
        else if (state.served > 0) socket.end();
      }
      const timer = setTimeout(() => {
        for (const [socket, state] of sockets) {
          if (state.busy === 0) socket.end();
        }
      }, graceMs);
      timer.unref();
    },
    destroyAll() {
      for (const socket of sockets.keys()) socket.destroy();
    },
  };
}

export interface ShutdownOptions {
  server: Server;
  /** From {@link trackConnections}, called when the server started listening. */
  connections: Connections;
  app: Pick<SeatApp, 'lifecycle' | 'close'>;
  /** After this long, connections still open are cut and shutdown reports `forced`. */
  timeoutMs: number;
  logger: Logger;
}

/**
 * Shuts the service down gracefully: readiness goes false and long-lived streams are told to end
 * (`lifecycle.drain()`), the server stops accepting connections, idle ones are closed, requests
 * in flight finish (their answers say `Connection: close` when still possible), then the store stops
 * its actors and timers. Past `timeoutMs` the remaining connections are destroyed and the result
 * is `forced`.
 *
 * @example
 * ```ts
 * const outcome = await shutdown({ server, connections, app, timeoutMs: 10_000, logger });
 * process.exit(outcome === 'clean' ? 0 : 1);
 * ```
 */
export async function shutdown(options: ShutdownOptions): Promise<'clean' | 'forced'> {
  const { server, connections, app, timeoutMs, logger } = options;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'forced'>((resolve) => {
    timer = setTimeout(() => resolve('forced'), timeoutMs);
  });
  const graceful = (async () => {
    const draining = app.lifecycle.drain(); // readiness false, streams told to end
    // Fresh connections get half the time to send their request (a browser's preconnect never does).
    connections.drain(timeoutMs / 2);
    // Connections the kernel already completed but Node has not accepted yet would be reset when
    // the listener closes: keep polling while connections are still being accepted (bounded, as a
    // steady stream of new ones would never end).
    const acceptUntil = Date.now() + timeoutMs / 4;
    for (let seen = -1; seen !== connections.accepted && Date.now() < acceptUntil;) {
      seen = connections.accepted;
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    }
    // net's close, not http's: stop listening, but leave connections to `drain` (see above).
    const closed = new Promise<void>((resolve) =>
      NetServer.prototype.close.call(server, () => resolve()),
    );
    await draining;
    await closed;
    return 'clean' as const;
  })();
  const outcome = await Promise.race([graceful, deadline]);
  clearTimeout(timer);
  if (outcome === 'forced') {
    logger.warn({ timeoutMs }, 'shutdown timed out; closing the connections still open');
    connections.destroyAll();
  }
  try {
    await app.close();
  } catch (err) {
    logger.error({ err }, 'closing the store failed');
    return 'forced';
  }
  return outcome;
}

/**
 * On SIGTERM or SIGINT, runs {@link shutdown} once and exits: 0 when it was clean, 1 when it had
 * to be forced. A second signal while shutting down is logged and ignored. Call it right after
 * `listen` (it starts tracking the server's connections).
 *
 * @example
 * ```ts
 * exitOnSignals({ server, app, timeoutMs: config.SHUTDOWN_TIMEOUT_MS, logger });
 * ```
 */
export function exitOnSignals(
  options: Omit<ShutdownOptions, 'connections'> & { exit?: (code: number) => void },
): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const connections = trackConnections(options.server);
  let started = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) {
      options.logger.warn({ signal }, 'already shutting down');
      return;
    }
    started = true;
    options.logger.info({ signal }, 'shutting down');
    void shutdown({ ...options, connections }).then((outcome) => {
      options.logger.info({ outcome }, 'shut down');
      exit(outcome === 'clean' ? 0 : 1);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
