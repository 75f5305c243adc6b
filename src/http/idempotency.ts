import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { StoredAnswer } from '../../machines/idempotencyMachine';
import { callerOf } from '../auth/callerOf';
import type { Clock } from '../clock';
import type { IdempotencyKeys, KeyRef } from '../idempotency/IdempotencyKeys';
import { HttpError } from './HttpError';

/** A key is an opaque string a client makes (a UUID, say): printable ASCII, at most 255 long. */
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

/** How long a client should wait before retrying a request whose first attempt is still running. */
const RETRY_AFTER_S = 1;

/**
 * `Idempotency-Key` for a route (Stripe's semantics, the contract): the first request with
 * a key runs and its answer is remembered for 24 h, scoped to the caller; a retry with the same
 * method, path and body gets that answer again (`Idempotent-Replayed: true`) without running
 * anything; the same key with another request is a 422 `IDEMPOTENCY_KEY_REUSED`; a retry while the
 * first still runs is a 409 `IDEMPOTENCY_IN_PROGRESS` with `Retry-After`. 5xx and 429 answers are
 * not remembered (the key is let go, so a retry runs for real). Whether to run, replay or refuse
 * is the key machine's answer (`machines/idempotencyMachine.ts`); `keys` only keeps its snapshots,
 * in memory or in PostgreSQL for every instance. Runs after authentication (the scope is the
 * caller), before the route's validation. A request without the header runs as usual.
 *
 * @example
 * ```ts
 * api.route(createHold, handler, { before: [idempotency(keys, clock)] });
 * ```
 */
export function idempotency(keys: IdempotencyKeys, clock: Pick<Clock, 'now'>): RequestHandler {
  return async (req, res, next) => {
    const key = req.get('Idempotency-Key');
    if (key === undefined) return next();
    if (!KEY_SHAPE.test(key)) {
      throw new HttpError(
        400,
        'INVALID_REQUEST',
        'Idempotency-Key must be 1 to 255 printable ASCII characters (a UUID is a good choice).',
      );
    }
    const ref: KeyRef = { scope: scopeOf(res), key };
    const fingerprint = createHash('sha256')
      .update(`${req.method} ${req.baseUrl}${req.path}\n${JSON.stringify(req.body ?? null)}`)
      .digest('hex');
    const reply = await keys.begin(ref, fingerprint, clock.now());
    switch (reply.type) {
      case 'idempotency.replay':
        return replay(res, reply.answer);
      case 'idempotency.refused':
        if (reply.code === 'IDEMPOTENCY_KEY_REUSED') {
          throw new HttpError(
            422,
            'IDEMPOTENCY_KEY_REUSED',
            'This Idempotency-Key was used for a different request; use a new key for a new request.',
          );
        }
        throw new HttpError(
          409,
          'IDEMPOTENCY_IN_PROGRESS',
          'The first request with this Idempotency-Key is still being handled; retry in a moment.',
          { 'Retry-After': String(RETRY_AFTER_S) },
        );
      case 'idempotency.run':
        remember(res, keys, ref, clock);
        return next();
    }
  };
}

/** Whose keys these are: the user acted for, and the API key acting (a backend's users apart). */
function scopeOf(res: Response): string {
  const caller = callerOf(res);
  if (!caller) throw new Error('idempotency() runs after the caller is authenticated');
  const via = caller.kind === 'apiKey' ? `apiKey:${caller.apiKeyId ?? ''}/` : '';
  return `${via}user:${caller.userId}`;
}

/**
 * Remembers the answer this request sends, before it is sent (so a retry on any instance that
 * sees the response has its answer too); a 5xx, a 429, or a request that ends unanswered lets the
 * key go instead.
 */
function remember(res: Response, keys: IdempotencyKeys, ref: KeyRef, clock: Pick<Clock, 'now'>) {
  let settled = false;
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    if (settled) return send(body);
    settled = true;
    const status = res.statusCode;
    const text = Buffer.isBuffer(body)
      ? body.toString('utf8')
      : typeof body === 'string'
        ? body
        : JSON.stringify(body ?? '');
    const keep = status < 500 && status !== 429;
    const location = res.get('Location');
    const answer: StoredAnswer = {
      status,
      body: parsed(text),
      headers: {
        'content-type': String(res.get('Content-Type') ?? 'application/json'),
        ...(location ? { location } : {}),
      },
    };
    const stored = keep ? keys.finish(ref, answer, clock.now()) : keys.abandon(ref, clock.now());
    void stored.catch(() => undefined).finally(() => send(body));
    return res;
  };
  res.on('close', () => {
    if (settled) return;
    settled = true;
    void keys.abandon(ref, clock.now()).catch(() => undefined);
  });
}

/** Sends the first request's answer again. */
function replay(res: Response, answer: StoredAnswer): void {
  const { 'content-type': type, ...headers } = answer.headers ?? {};
  res.status(answer.status).set(headers).set('Idempotent-Replayed', 'true');
  if (type) res.type(type);
  res.send(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
