import { HttpError } from '../../src/http/HttpError';

/**
 * What a service call came to, in one comparable word: `200`, or `<status> <code>` of the
 * {@link HttpError} it was refused with (any other error fails the test).
 *
 * @example
 * ```ts
 * expect(await outcome(service.lock('A1', 'bob'))).to.equal('409 SEAT_LOCKED');
 * ```
 */
export async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return '200';
  } catch (err) {
    if (err instanceof HttpError) return `${err.status} ${err.code}`;
    throw err;
  }
}
