import { Writable } from 'node:stream';
import type { LogLevel } from '../../src/logger';
import { createLogger } from '../../src/logger';

/** A JSON log line: what tests read of it, and whatever else it carries. */
export interface LogLine extends Record<string, unknown> {
  msg?: string;
  outcome?: string;
  req?: { id?: string };
}

/**
 * A logger writing into memory: `lines` are the parsed JSON log lines, `raw` everything written.
 *
 * @example
 * ```ts
 * const log = captureLog('info');
 * createApp({ logger: log.logger });
 * ```
 */
export function captureLog(level: LogLevel = 'info') {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    logger: createLogger(level, stream),
    get raw() {
      return chunks.join('');
    },
    get lines(): LogLine[] {
      return chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LogLine);
    },
  };
}
