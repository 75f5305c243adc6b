/**
 * Whether a request the store could not finish changed anything: `not-applied` when it certainly
 * did not (no connection, the queue was full, the statement never left), `unknown` when the write
 * was sent and no answer came back (it may have committed).
 */
export type UnavailableOutcome = 'not-applied' | 'unknown';

/**
 * The store cannot serve this request right now: its database is down, unreachable, too slow
 * (past the request's bound) or too busy (the queue for connections is full). The HTTP layer
 * answers it with a 503 `STORE_UNAVAILABLE` problem and `Retry-After`; it is never a 500, because
 * nothing is wrong with the request or the service, and trying again later works.
 *
 * @example
 * ```ts
 * throw new StoreUnavailableError('overloaded', 'not-applied', 1);
 * ```
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';

  constructor(
    /** Why, for logs and the problem's detail. */
    readonly reason: 'unreachable' | 'timeout' | 'overloaded',
    readonly outcome: UnavailableOutcome,
    /** What `Retry-After` says, in seconds. */
    readonly retryAfterSeconds = 1,
    /** The database error behind it, for logs. */
    override readonly cause?: unknown,
  ) {
    super(`Seat store unavailable (${reason}, ${outcome})`);
  }
}
