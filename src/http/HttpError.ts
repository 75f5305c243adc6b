/**
 * The one error type the HTTP layer answers with: a status, a machine-readable `code` and a
 * sentence for a person (`detail`). The error handler turns it into an RFC 9457 problem.
 *
 * @example
 * ```ts
 * throw new HttpError(404, 'SEAT_NOT_FOUND', 'There is no seat Z99 in this venue.');
 * ```
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    /** Extra response headers, e.g. `Retry-After`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpError';
  }
}
