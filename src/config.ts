import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from './logger';

const integer = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(value) || value < min || value > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)}).`,
        });
        return z.NEVER;
      }
      return value;
    });

const configSchema = z.object({
  /** The address to listen on; unset: every interface (Node's default). */
  HOST: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim() : undefined))
    .refine((v) => v === undefined || /^[A-Za-z0-9.:-]{1,253}$/.test(v), {
      message:
        'HOST must be an address or host name to listen on, like 127.0.0.1, :: or localhost.',
    }),
  PORT: integer('PORT', 3000, 0, 65535),
  LOCK_TTL_MS: integer('LOCK_TTL_MS', 60_000, 1, 86_400_000),
  SEAT_ROWS: integer('SEAT_ROWS', 10, 1, 100_000),
  SEATS_PER_ROW: integer('SEATS_PER_ROW', 10, 1, 100_000),
  INSPECT: z
    .enum(['', '0', '1', 'true', 'false'], { error: 'INSPECT must be 1 (on) or 0 (off).' })
    .optional()
    .transform((v) => v === '1' || v === 'true'),
  INSPECT_PORT: integer('INSPECT_PORT', 4242, 1, 65535),
  /** Unset or empty: seats live in this process's memory. Set: in this PostgreSQL database. */
  DATABASE_URL: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim() : undefined))
    .refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
      message: 'DATABASE_URL must be a postgres:// or postgresql:// connection string.',
    }),
  /** Processes serving requests (node:cluster workers); more than one needs DATABASE_URL. */
  WORKERS: integer('WORKERS', 1, 1, 64),
  /** How often each instance expires due locks in the database, in ms. */
  SWEEP_INTERVAL_MS: integer('SWEEP_INTERVAL_MS', 1000, 10, 3_600_000),
  /** Most database connections one process opens for requests. */
  PG_POOL_SIZE: integer('PG_POOL_SIZE', 10, 1, 1000),
  EVENTS_HEARTBEAT_MS: integer('EVENTS_HEARTBEAT_MS', 15_000, 1, 3_600_000),
  LOG_LEVEL: z
    .enum(['', ...LOG_LEVELS] as [string, ...string[]], {
      error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`,
    })
    .optional()
    .transform((v): LogLevel => (v ? (v as LogLevel) : 'info')),
  RATE_LIMIT_PER_MINUTE: integer('RATE_LIMIT_PER_MINUTE', 600, 0, 1_000_000),
  /** Proxies in front of the service whose X-Forwarded-For is believed (Express `trust proxy`). */
  TRUST_PROXY: integer('TRUST_PROXY', 0, 0, 10),
  MAX_LOCKS_PER_USER: integer('MAX_LOCKS_PER_USER', 10, 0, 1_000_000),
  SHUTDOWN_TIMEOUT_MS: integer('SHUTDOWN_TIMEOUT_MS', 10_000, 1, 600_000),
  /** SHA-256 hex digests of the API keys that may create and run events, comma-separated. */
  API_KEYS: z
    .string()
    .optional()
    .transform((raw, ctx): string[] => {
      const digests = (raw ?? '')
        .split(',')
        .map((digest) => digest.trim())
        .filter(Boolean);
      const bad = digests.find((digest) => !/^[0-9a-fA-F]{64}$/.test(digest));
      if (bad !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `API_KEYS must be SHA-256 hex digests (64 hex digits each) separated by commas; ${JSON.stringify(bad.slice(0, 16))}… is not one. Never put a key itself here.`,
        });
        return z.NEVER;
      }
      return digests;
    }),
  CORS_ORIGIN: z
    .string()
    .optional()
    .transform((raw, ctx): '*' | string[] | undefined => {
      const value = raw?.trim() ?? '';
      if (value === '') return undefined;
      if (value === '*') return '*';
      const origins = value.split(',').map((origin) => origin.trim());
      const bad = origins.find((origin) => !/^https?:\/\/[^/\s]+$/.test(origin));
      if (bad !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `CORS_ORIGIN must be *, or origins like https://example.com separated by commas (got ${JSON.stringify(bad)}).`,
        });
        return z.NEVER;
      }
      return origins;
    }),
});

export type Config = z.output<typeof configSchema> & {
  /**
   * Whether the rate limit also counts clients on this host (loopback). Only when
   * `RATE_LIMIT_PER_MINUTE` is set explicitly: the default limit is for remote clients, and leaves
   * the host's own tools (health checks, benchmarks, scripts) alone.
   */
  RATE_LIMIT_LOCAL: boolean;
};

/** Every environment variable the service reads (the README documents each). */
export const CONFIG_VARIABLES = Object.keys(configSchema.shape) as Array<keyof Config>;

/** A configuration the service refuses to start with. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Most seats one process will host (virtual actors make idle seats free, but ids stay bounded). */
export const MAX_SEATS = 10_000_000;

/**
 * Reads the service's configuration from environment variables, or throws a {@link ConfigError}
 * listing every bad value.
 *
 * @example
 * ```ts
 * const config = loadConfig({ PORT: '8080', LOCK_TTL_MS: '1500' });
 * config.SEAT_ROWS; // 10
 * ```
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => issue.message).join('\n'));
  }
  const config = {
    ...result.data,
    RATE_LIMIT_LOCAL: (env.RATE_LIMIT_PER_MINUTE ?? '').trim() !== '',
  };
  if (config.SEAT_ROWS * config.SEATS_PER_ROW > MAX_SEATS) {
    throw new ConfigError(
      `SEAT_ROWS × SEATS_PER_ROW must be at most ${MAX_SEATS} (got ${config.SEAT_ROWS * config.SEATS_PER_ROW}).`,
    );
  }
  if (config.WORKERS > 1 && config.DATABASE_URL === undefined) {
    throw new ConfigError(
      `WORKERS=${config.WORKERS} needs DATABASE_URL: without it seats live in one process's memory, ` +
        'and separate workers would each sell the same seats. Set DATABASE_URL=postgres://… to share ' +
        'the venue in PostgreSQL, or run WORKERS=1.',
    );
  }
  return config;
}
