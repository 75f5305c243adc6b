import pino, { type DestinationStream, type Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/**
 * The service's logger: one JSON object per line (pino), to stdout unless a `destination` is
 * given (tests pass a stream and read the lines back).
 *
 * @example
 * ```ts
 * const logger = createLogger('info');
 * logger.info({ port: 3000 }, 'listening');
 * ```
 */
export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'seat-booking' } };
  return pino(options, destination ?? pino.destination({ sync: true }));
}
