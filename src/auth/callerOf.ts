import type { Response } from 'express';
import type { Caller } from './Caller';

/**
 * Who is asking, as the authentication middleware recorded it on this response
 * (`res.locals.caller`), or `undefined` before it ran or on a route that needs no credential.
 * Everything that acts on or limits a caller (routes, the lock caps, the rate limit) reads the
 * caller through this one accessor, never from `res.locals` directly.
 *
 * @example
 * ```ts
 * res.locals.caller = { kind: 'session', userId: 'u_1', clientAddress: req.ip ?? '' };
 * callerOf(res)?.userId; // 'u_1'
 * ```
 */
export function callerOf(res: Response): Caller | undefined {
  return (res.locals as { caller?: Caller }).caller;
}
