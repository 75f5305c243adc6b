import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { systemClock } from './clock';
import { runWorkers } from './cluster';
import { ConfigError, loadConfig, type Config } from './config';
import { startInspector } from './inspector';
import { createStore } from './store/createStore';
import { VenueMismatchError } from './store/postgresSchema';

/** Reads the configuration and serves, in this process or in WORKERS workers. Nothing else. */
function main(): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`Cannot start: bad configuration.\n${err.message}`);
    process.exit(1);
  }
  if (config.WORKERS > 1) runWorkers(config.WORKERS, () => void serve(config));
  else void serve(config);
}

async function serve(config: Config): Promise<void> {
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
  const { app } = createApp({
    store,
    inspectorUrl: inspector?.url,
    eventsHeartbeatMs: config.EVENTS_HEARTBEAT_MS,
  });
  const server = app.listen(config.PORT, () => {
    const { port } = server.address() as AddressInfo;
    const seats = config.SEAT_ROWS * config.SEATS_PER_ROW;
    const where = onDatabase ? 'PostgreSQL' : 'memory';
    const worker = cluster.isWorker ? `, worker ${process.pid}` : '';
    console.log(
      `Seat service listening on http://localhost:${port} (${seats} seats, lock TTL ${config.LOCK_TTL_MS} ms, in ${where}${worker})`,
    );
    if (inspector) {
      console.log(
        `Stately inspector: open ${inspector.url} in a browser, then lock a seat to see its actor.`,
      );
    }
  });
  server.on('error', (err) => {
    console.error(`Cannot listen on port ${config.PORT}: ${err.message}`);
    process.exit(1);
  });
}

main();
