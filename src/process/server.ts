import cluster from 'node:cluster';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../app';
import { systemClock } from '../clock';
import { runWorkers } from './cluster';
import { aggregateWorkerMetrics, shareWorkerMetrics } from './clusterMetrics';
import { ConfigError, loadConfig, type Config } from '../config';
import { applyServerTimeouts } from '../http/serverTimeouts';
import { startInspector } from './inspector';
import { createLogger } from '../logger';
import { exitOnSignals } from './shutdown';
import { createStore } from '../store/createStore';
import type { SeatStore } from '../store/SeatStore';
import { VenueMismatchError } from '../store/postgres/schema';

/**
 * Reads the configuration and serves, in this process or in WORKERS workers, and shuts down on
 * SIGTERM/SIGINT. Nothing else lives here.
 */
function main(): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`Cannot start: bad configuration.\n${err.message}`);
    process.exit(1);
  }
  if (config.WORKERS > 1) {
    if (cluster.isPrimary) aggregateWorkerMetrics();
    runWorkers(config.WORKERS, () => void serve(config));
  } else void serve(config);
}

async function serve(config: Config): Promise<void> {
  const logger = createLogger(config.LOG_LEVEL);
  const onDatabase = config.DATABASE_URL !== undefined;
  // The inspector shows live actors, which only the in-memory store has.
  const inspector = config.INSPECT && !onDatabase ? startInspector(config.INSPECT_PORT) : undefined;
  const store = await createStore(config, {
    clock: systemClock,
    inspect: inspector?.inspect,
  }).catch((err: Error) => {
    const what =
      err instanceof VenueMismatchError ? '' : 'cannot use the database at DATABASE_URL: ';
    console.error(`Cannot start: ${onDatabase ? what : ''}${err.message}`);
    process.exit(1);
  });
  const sessionSecret = config.SESSION_SECRET ?? (await sharedSessionKey(store));
  const seatApp = createApp({
    store,
    lockTtlMs: config.LOCK_TTL_MS,
    inspectorUrl: inspector?.url,
    eventsHeartbeatMs: config.EVENTS_HEARTBEAT_MS,
    eventsMaxStreams: config.EVENTS_MAX_STREAMS,
    eventsMaxStreamsPerClient: config.EVENTS_MAX_STREAMS_PER_CLIENT,
    logger,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    trustProxy: config.TRUST_PROXY,
    maxLocksPerUser: config.MAX_LOCKS_PER_USER,
    maxSeatsPerHold: config.MAX_SEATS_PER_HOLD,
    holdMaxExtensions: config.HOLD_MAX_EXTENSIONS,
    holdMaxMs: config.HOLD_MAX_MS,
    apiKeyDigests: config.API_KEYS,
    openAuth: config.AUTH === 'off',
    sessionSecret,
    sessionTtlMs: config.SESSION_TTL_MS,
    sessionsPerMinute: config.SESSIONS_PER_MINUTE,
    boxOffice: {
      secret: config.JWT_SECRET,
      publicKey: config.JWT_PUBLIC_KEY,
      jwksUrl: config.JWKS_URL,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    },
    maxLocksPerClient: config.MAX_LOCKS_PER_CLIENT,
    corsOrigin: config.CORS_ORIGIN,
    processMetrics: true,
    shareMetrics: cluster.isWorker ? shareWorkerMetrics : undefined,
  });
  // Connections opened now, not by the first burst of requests (a sale opening).
  await store.warm?.().catch((err: Error) => {
    logger.warn({ err }, `Could not open the database connections ahead: ${err.message}`);
  });
  const server = createServer(seatApp.app);
  applyServerTimeouts(server);
  // AUTH=off trusts any userId a request names: only this host may reach it.
  const host = config.AUTH === 'off' ? (config.HOST ?? '127.0.0.1') : config.HOST;
  server.listen(config.PORT, host, () => {
    seatApp.lifecycle.ready();
    const { port } = server.address() as AddressInfo;
    const seats = config.SEAT_ROWS * config.SEATS_PER_ROW;
    const where = onDatabase ? 'PostgreSQL' : 'memory';
    const worker = cluster.isWorker ? `, worker ${process.pid}` : '';
    // Warned before the listening line: whoever waits for that line has seen the warning too.
    if (config.AUTH === 'off') {
      logger.warn(
        { auth: 'off', host },
        `AUTH=off: writes need no credential and act for whatever userId they name; listening on ${host} only. For local experiments, never for a real sale.`,
      );
    }
    logger.info(
      { port, seats, lockTtlMs: config.LOCK_TTL_MS, store: where },
      `Seat service listening on http://${urlHost(host)}:${port} (${seats} seats, lock TTL ${config.LOCK_TTL_MS} ms, in ${where}${worker})`,
    );
    if (!onDatabase && !cluster.isWorker) {
      logger.warn(
        { store: 'memory', durable: false },
        'Seats live in this process only: a restart or crash forgets every lock and booking. ' +
          'Set DATABASE_URL=postgres://user@host/db to keep them in PostgreSQL.',
      );
    }
    if (config.SESSION_SECRET === undefined && !cluster.isWorker) {
      logger.info(
        { sessionKey: sessionSecret === undefined ? 'process' : 'database' },
        sessionSecret === undefined
          ? 'SESSION_SECRET unset: guest sessions are signed with a key generated for this process; they end when it restarts.'
          : 'SESSION_SECRET unset: guest sessions are signed with the key kept in the database, shared by every instance.',
      );
    }
    if (inspector) {
      logger.info(
        { inspector: inspector.url },
        `Stately inspector: open ${inspector.url} in a browser, then lock a seat to see its actor.`,
      );
    }
  });
  server.on('error', (err) => {
    const where = config.HOST ? `${config.HOST}:${config.PORT}` : `port ${config.PORT}`;
    logger.fatal({ err }, `Cannot listen on ${where}: ${err.message}`);
    process.exit(1);
  });
  if (inspector) seatApp.lifecycle.onShutdown(() => inspector.stop());
  exitOnSignals({ server, app: seatApp, timeoutMs: config.SHUTDOWN_TIMEOUT_MS, logger });
}

/** The session key the store keeps for every instance, or `undefined` (memory: one per process). */
async function sharedSessionKey(store: SeatStore): Promise<string | undefined> {
  try {
    return await store.sessionKey();
  } catch (err) {
    console.error(
      `Cannot start: cannot read the session key from the database: ${(err as Error).message}`,
    );
    process.exit(1);
  }
}

/** How a URL names the listening address: `localhost` for every interface, IPv6 in brackets. */
function urlHost(host: string | undefined): string {
  if (host === undefined || host === '::' || host === '0.0.0.0') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

main();
