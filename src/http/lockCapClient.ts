import type { Request, Response } from 'express';
import { callerOf } from '../auth/callerOf';
import { clientKey } from './clientKey';

/**
 * The client address a lock request counts against under `MAX_LOCKS_PER_CLIENT`, or `undefined`
 * for a caller that cap does not count. Counted: guest sessions (anyone can open many, so one
 * address must not hold a venue through them) and `AUTH=off` callers (whose body names any
 * user). Not counted: backends with an API key (one address serves all their users) and a box
 * office's own users (JWT: its identity provider vouches for each; many may share a carrier's NAT).
 * Both are still held to `MAX_LOCKS_PER_USER`.
 *
 * @example
 * ```ts
 * await service.lock(req.params.id, userId, lockCapClient(req, res));
 * ```
 */
export function lockCapClient(req: Request, res: Response): string | undefined {
  const caller = callerOf(res);
  if (caller?.kind === 'apiKey' || caller?.kind === 'jwt') return undefined;
  return clientKey(caller?.clientAddress ?? req.ip);
}
