import { createServer } from 'node:http';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { applyServerTimeouts } from './http/serverTimeouts';
import { startInspector } from './inspector';

/** Reads the configuration from the environment and listens. Nothing else lives here. */
function main(): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`Cannot start: bad configuration.\n${err.message}`);
    process.exit(1);
  }
  const inspector = config.INSPECT ? startInspector(config.INSPECT_PORT) : undefined;
  const { app } = createApp({
    rows: config.SEAT_ROWS,
    seatsPerRow: config.SEATS_PER_ROW,
    lockTtlMs: config.LOCK_TTL_MS,
    inspect: inspector?.inspect,
  });
  const server = createServer(app);
  applyServerTimeouts(server);
  server.listen(config.PORT, () => {
    const seats = config.SEAT_ROWS * config.SEATS_PER_ROW;
    console.log(
      `Seat service listening on http://localhost:${config.PORT} (${seats} seats, lock TTL ${config.LOCK_TTL_MS} ms)`,
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
