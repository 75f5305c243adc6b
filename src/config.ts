import { createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { jwtAlgorithmOf } from './auth/jwtAlgorithmOf';
import { LOG_LEVELS, type LogLevel } from './logger';

/** One entry of TRUST_PROXY: what Express's `trust proxy` (proxy-addr) accepts, names or addresses. */
function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [ip, bits, extra] = entry.split('/');
  const version = isIP(ip);
  if (version === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128);
}

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

/** A secret: unset or at least 32 characters (a short HMAC key can be guessed offline). */
const secret = (name: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : v))
    .refine((v) => v === undefined || v.length >= 32, {
      message: `${name} must be at least 32 characters long (e.g. openssl rand -base64 32).`,
    });

/** Free text, unset when empty. */
const optionalText = () =>
  z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim() : undefined));

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
  /** Bound on each PostgreSQL statement (server `statement_timeout`, and the wait for its answer). */
  PG_STATEMENT_TIMEOUT_MS: integer('PG_STATEMENT_TIMEOUT_MS', 5000, 10, 600_000),
  /** Bound on getting a PostgreSQL connection (a free one of the pool, or a new one). */
  PG_CONNECT_TIMEOUT_MS: integer('PG_CONNECT_TIMEOUT_MS', 2000, 10, 600_000),
  /** Requests allowed to wait for a connection; more are shed with 503 STORE_UNAVAILABLE. */
  PG_QUEUE_LIMIT: integer('PG_QUEUE_LIMIT', 100, 0, 1_000_000),
  EVENTS_HEARTBEAT_MS: integer('EVENTS_HEARTBEAT_MS', 15_000, 1, 3_600_000),
  /** Most `GET /seats/events` streams open at once, in all and per client address (0: no cap). */
  EVENTS_MAX_STREAMS: integer('EVENTS_MAX_STREAMS', 10_000, 0, 1_000_000),
  EVENTS_MAX_STREAMS_PER_CLIENT: integer('EVENTS_MAX_STREAMS_PER_CLIENT', 32, 0, 1_000_000),
  LOG_LEVEL: z
    .enum(['', ...LOG_LEVELS] as [string, ...string[]], {
      error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`,
    })
    .optional()
    .transform((v): LogLevel => (v ? (v as LogLevel) : 'info')),
  RATE_LIMIT_PER_MINUTE: integer('RATE_LIMIT_PER_MINUTE', 600, 0, 1_000_000),
  /**
   * The proxies whose X-Forwarded-For is believed (Express `trust proxy`), by address: IPs,
   * CIDR ranges, or `loopback`, `linklocal`, `uniquelocal`. Never a hop count: with a count, a
   * client that reaches the service directly picks its own address with X-Forwarded-For.
   */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((raw, ctx): string[] => {
      const value = raw?.trim() ?? '';
      if (value === '' || value === '0' || value === 'false') return [];
      if (/^\d+$/.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message:
            `TRUST_PROXY takes the addresses your proxies connect from (e.g. loopback or 10.0.0.0/8), ` +
            `not a count (got ${JSON.stringify(raw)}): with a count, a client that reaches the service ` +
            'directly picks its own address with X-Forwarded-For.',
        });
        return z.NEVER;
      }
      const proxies = value.split(',').map((entry) => entry.trim());
      const bad = proxies.find((entry) => !isProxyAddress(entry));
      if (bad !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `TRUST_PROXY must list IP addresses, CIDR ranges (10.0.0.0/8) or loopback, linklocal, uniquelocal, separated by commas (got ${JSON.stringify(bad)}).`,
        });
        return z.NEVER;
      }
      return proxies;
    }),
  MAX_LOCKS_PER_USER: integer('MAX_LOCKS_PER_USER', 10, 0, 1_000_000),
  /** Most seats in one multi-seat hold. */
  MAX_SEATS_PER_HOLD: integer('MAX_SEATS_PER_HOLD', 10, 1, 100),
  /** Most extensions of one hold. */
  HOLD_MAX_EXTENSIONS: integer('HOLD_MAX_EXTENSIONS', 2, 0, 1000),
  /** Longest a hold may last after it was made, extensions included, in ms. */
  HOLD_MAX_MS: integer('HOLD_MAX_MS', 1_800_000, 1, 86_400_000),
  /** Locks held at once from one client address across its guest sessions (IPv6: per /56). */
  MAX_LOCKS_PER_CLIENT: integer('MAX_LOCKS_PER_CLIENT', 30, 0, 1_000_000),
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
  /**
   * `off`: no credentials, the body's `userId` is trusted (local experiments only: the server then
   * listens on loopback alone). Anything else, or unset: every write needs a credential.
   */
  AUTH: z
    .enum(['', 'on', 'off'], {
      error: 'AUTH must be on (the default) or off (local experiments only).',
    })
    .optional()
    .transform((v): 'on' | 'off' => (v === 'off' ? 'off' : 'on')),
  /** The key guest session tokens are signed with; unset: generated (per process, or kept in PostgreSQL). */
  SESSION_SECRET: secret('SESSION_SECRET'),
  /** How long a guest session lives, in ms (1 s to 30 days). */
  SESSION_TTL_MS: integer('SESSION_TTL_MS', 7_200_000, 1000, 2_592_000_000),
  /** `POST /sessions` per client address per minute (0: no limit). */
  SESSIONS_PER_MINUTE: integer('SESSIONS_PER_MINUTE', 60, 0, 1_000_000),
  /** The box office's HS256 secret (its UTF-8 bytes). */
  JWT_SECRET: secret('JWT_SECRET'),
  /** The box office's public key (PEM; RS256, ES256 or EdDSA by the key's type). */
  JWT_PUBLIC_KEY: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const pem = raw?.trim() ? raw.trim().replace(/\\n/g, '\n') : undefined;
      if (pem === undefined) return undefined;
      try {
        if (pem.includes('PRIVATE KEY'))
          throw new Error('this is a private key; give its public half.');
        jwtAlgorithmOf(createPublicKey(pem));
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          message: `JWT_PUBLIC_KEY must be a PEM public key (RSA, EC P-256 or Ed25519): ${(err as Error).message}`,
        });
        return z.NEVER;
      }
      return pem;
    }),
  /** Where the box office publishes its signing keys (a JSON Web Key Set). */
  JWKS_URL: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim() : undefined))
    .refine((v) => v === undefined || /^https?:\/\/\S+$/.test(v), {
      message: 'JWKS_URL must be an http:// or https:// URL of a JSON Web Key Set.',
    }),
  /** When set, box office JWTs must carry exactly this `iss`. */
  JWT_ISSUER: optionalText(),
  /** When set, box office JWTs must name this audience in `aud`. */
  JWT_AUDIENCE: optionalText(),
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

export type Config = z.output<typeof configSchema>;

/** Every environment variable the service reads (the README documents each). */
export const CONFIG_VARIABLES = Object.keys(configSchema.shape) as Array<keyof Config>;

/** Loopback listen addresses: the only ones `AUTH=off` may listen on. */
export const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

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
  const config = result.data;
  if (config.SEAT_ROWS * config.SEATS_PER_ROW > MAX_SEATS) {
    throw new ConfigError(
      `SEAT_ROWS × SEATS_PER_ROW must be at most ${MAX_SEATS} (got ${config.SEAT_ROWS * config.SEATS_PER_ROW}).`,
    );
  }
  const keys = [
    config.JWT_SECRET && 'JWT_SECRET',
    config.JWT_PUBLIC_KEY && 'JWT_PUBLIC_KEY',
    config.JWKS_URL && 'JWKS_URL',
  ].filter(Boolean);
  if (keys.length > 1) {
    throw new ConfigError(
      `Set one of JWT_SECRET, JWT_PUBLIC_KEY and JWKS_URL, not ${keys.join(' and ')}: box office tokens are verified one way.`,
    );
  }
  if (config.AUTH === 'off' && config.HOST !== undefined && !LOOPBACK.includes(config.HOST)) {
    throw new ConfigError(
      `AUTH=off trusts any userId a request names, so the service listens on 127.0.0.1 only; HOST=${config.HOST} is not allowed with it. Unset HOST, or turn AUTH back on.`,
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
