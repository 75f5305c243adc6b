import type { IdempotencyReply, StoredAnswer } from '../../machines/idempotencyMachine';

/** Which key of whose: keys are scoped to the caller, so two callers never share one. */
export interface KeyRef {
  /** The caller's scope (e.g. `user:<id>` or `apiKey:<id>`). */
  scope: string;
  key: string;
}

/**
 * Where `Idempotency-Key`s live: each key's machine (`machines/idempotencyMachine.ts`) held as a
 * snapshot, in this process or in a database every instance shares. The store only keeps and
 * steps snapshots; whether a request runs, replays or is refused is the machine's answer.
 */
export interface IdempotencyKeys {
  /** A request with `ref` arrives asking `fingerprint`: the machine's answer. */
  begin(ref: KeyRef, fingerprint: string, now: number): Promise<IdempotencyReply>;
  /** The first request's answer, to replay to its retries. */
  finish(ref: KeyRef, answer: StoredAnswer, now: number): Promise<void>;
  /** The first request ended without an answer worth replaying: a retry runs for real. */
  abandon(ref: KeyRef, now: number): Promise<void>;
  close(): Promise<void>;
}

/** How long a key is remembered (24 h, as Stripe's and the contract say). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Longer than any request may run (the server's request timeout is 30 s). */
export const IDEMPOTENCY_LEASE_MS = 60 * 1000;
