import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { startInspector } from './inspector';
import { createLogger } from './logger';
import { exitOnSignals } from './shutdown';

/** Reads the configuration from the environment, listens, and shuts down on SIGTERM/SIGINT. */
function main(): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`Cannot start: bad configuration.\n${err.message}`);
    process.exit(1);
  }
  const logger = createLogger(config.LOG_LEVEL);
  const inspector = config.INSPECT ? startInspector(config.INSPECT_PORT) : undefined;
  const seatApp = createApp({
    rows: config.SEAT_ROWS,
    seatsPerRow: config.SEATS_PER_ROW,
    lockTtlMs: config.LOCK_TTL_MS,
    inspect: inspector?.inspect,
    logger,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    maxLocksPerUser: config.MAX_LOCKS_PER_USER,
    corsOrigin: config.CORS_ORIGIN,
    processMetrics: true,
  });
  const server = seatApp.app.listen(config.PORT, () => {
    seatApp.lifecycle.ready();
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    const seats = config.SEAT_ROWS * config.SEATS_PER_ROW;
    logger.info(
      { port, seats, lockTtlMs: config.LOCK_TTL_MS },
      `Seat service listening on http://localhost:${port} (${seats} seats, lock TTL ${config.LOCK_TTL_MS} ms)`,
    );
    if (inspector) {
      logger.info(
        { inspector: inspector.url },
        `Stately inspector: open ${inspector.url} in a browser, then lock a seat to see its actor.`,
      );
    }
  });
  server.on('error', (err) => {
    logger.fatal({ err }, `Cannot listen on port ${config.PORT}: ${err.message}`);
    process.exit(1);
  });
  if (inspector) seatApp.lifecycle.onShutdown(() => inspector.stop());
  exitOnSignals({ server, app: seatApp, timeoutMs: config.SHUTDOWN_TIMEOUT_MS, logger });
}

main();
