import http from 'node:http';
import type { SeatStateValue } from '../../machines/seatTypes';
import type { History, Invocation } from './History';
import type { Operation, Outcome } from './Operation';

/** The parts of the service's JSON answers the checker reads. */
interface AnswerBody {
  code?: string;
  /** On a 503: `not-applied` when the service did nothing, `unknown` when it may have. */
  outcome?: 'not-applied' | 'unknown';
  lockId?: string;
  expiresAt?: string;
  seat?: { state?: SeatStateValue; expiresAt?: string };
}

/** What one recorded call returned: the operation, and the raw status (0 = no answer). */
export interface RecordedCall {
  op: Operation;
  status: number;
  /** The problem's `code`, when the answer was one. */
  code?: string;
  /** The `Retry-After` header, when there was one (a 503 must carry it). */
  retryAfter?: string;
}

/**
 * An HTTP client of the seat API that records every call in a {@link History}: invocation instant,
 * inputs, response instant and outcome. A 5xx or a lost connection leaves the outcome unknown
 * (the request may or may not have reached the seat); any other 4xx is not a machine answer and
 * is also left unknown, for the caller to count. Operations that certainly changed nothing are
 * dropped from the history: a read without an answer, and a 503 whose body says `not-applied`.
 *
 * @example
 * ```ts
 * const client = new RecordingSeatClient('http://127.0.0.1:3000', history, new http.Agent({ keepAlive: true }));
 * const { op } = await client.call({ client: 1, seat: 'A1', kind: 'lock', userId: 'u1' });
 * op.outcome?.lockId;
 * ```
 */
export class RecordingSeatClient {
  constructor(
    private readonly baseUrl: string,
    private readonly history: History,
    private readonly agent: http.Agent,
    private readonly timeoutMs = 10_000,
    /**
     * Sent with every request: the credentials of a trusted backend (`Authorization: Bearer <API
     * key>`), which acts for each operation's `userId`, as the checker's many users need.
     */
    private readonly headers: Record<string, string> = {},
  ) {}

  async call(invocation: Invocation): Promise<RecordedCall> {
    const { seat, kind, userId, lockId } = invocation;
    const path = `/seats/${encodeURIComponent(seat)}${kind === 'get' ? '' : `/${kind}`}`;
    const body = kind === 'get' ? undefined : JSON.stringify({ userId, lockId });
    const op = this.history.invoke(invocation);
    let status: number;
    let parsed: AnswerBody;
    let retryAfter: string | undefined;
    try {
      ({ status, parsed, retryAfter } = await this.send(
        kind === 'get' ? 'GET' : 'POST',
        path,
        body,
      ));
    } catch {
      if (kind === 'get') this.history.discard(op);
      return { op, status: 0 };
    }
    if (status === 200 || status === 409) this.history.complete(op, toOutcome(status, parsed));
    else if (kind === 'get' || (status === 503 && parsed.outcome === 'not-applied')) {
      this.history.discard(op);
    }
    return { op, status, code: parsed.code, retryAfter };
  }

  private send(
    method: string,
    path: string,
    body: string | undefined,
  ): Promise<{ status: number; parsed: AnswerBody; retryAfter?: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        new URL(path, this.baseUrl),
        {
          method,
          agent: this.agent,
          timeout: this.timeoutMs,
          headers:
            body === undefined
              ? this.headers
              : { ...this.headers, 'content-type': 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            let parsed: AnswerBody = {};
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AnswerBody;
            } catch {
              // Not JSON: the status alone is reported.
            }
            const retryAfter = res.headers['retry-after'];
            resolve({ status: res.statusCode ?? 0, parsed, retryAfter });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(body);
    });
  }
}

function toOutcome(status: 200 | 409, body: AnswerBody): Outcome {
  if (status === 409) return { status, code: body.code };
  const outcome: Outcome = { status, state: body.seat?.state };
  const expiresAt = body.expiresAt ?? body.seat?.expiresAt;
  if (body.lockId !== undefined) outcome.lockId = body.lockId;
  if (expiresAt !== undefined) outcome.expiresAt = Date.parse(expiresAt);
  return outcome;
}
