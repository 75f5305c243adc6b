import { assign, emit, setup } from 'xstate';

/** The answer first given to a request, replayed to its retries. */
export interface StoredAnswer {
  status: number;
  body: unknown;
  /** Headers worth replaying (e.g. `Location`). */
  headers?: Record<string, string>;
}

export interface IdempotencyContext {
  /** A digest of what the first request asked (method, path and body). */
  fingerprint: string;
  /** When the first request arrived (ms since epoch). */
  at: number;
  /** How long the key is remembered (24 h). */
  ttlMs: number;
  /**
   * How long a first request may run before a retry may take over the key: longer than any
   * request can run (the server's request timeout), so only a request whose instance died is
   * overtaken.
   */
  leaseMs: number;
  answer: StoredAnswer | null;
}

export interface IdempotencyInput {
  fingerprint: string;
  now: number;
  ttlMs: number;
  leaseMs: number;
}

/**
 * - `BEGIN`: a request arrives with this key (the first one creates the key's machine).
 * - `FINISH`: the first request's answer is known: remember it.
 * - `ABANDON`: the first request ended without an answer worth replaying (a fault, a 429, a
 *   503): forget the key, so a retry runs for real.
 */
export type IdempotencyEvent =
  | { type: 'BEGIN'; fingerprint: string; now: number }
  | { type: 'FINISH'; answer: StoredAnswer; now: number }
  | { type: 'ABANDON'; now: number };

export type IdempotencyReply =
  /** Run the request: this is its first arrival (or the key was forgotten). */
  | { type: 'idempotency.run' }
  /** Answer with the stored answer, without running anything. */
  | { type: 'idempotency.replay'; answer: StoredAnswer }
  /** The first request with this key is still running: try again shortly. */
  | { type: 'idempotency.refused'; code: 'IDEMPOTENCY_IN_PROGRESS' }
  /** The key was used for a different request. */
  | { type: 'idempotency.refused'; code: 'IDEMPOTENCY_KEY_REUSED' };

/**
 * One `Idempotency-Key` of one caller (Stripe's and pretix's semantics): the first request with
 * the key runs, its answer is remembered for `ttlMs` (24 h) and replayed to every retry with the
 * same request; the same key with a different request is refused (`IDEMPOTENCY_KEY_REUSED`, 422);
 * a retry while the first is still running is refused (`IDEMPOTENCY_IN_PROGRESS`, 409 with
 * `Retry-After`). A key past its time is forgotten: the next request with it runs again.
 *
 * Pure and timer-free (expiry is decided from `at` and each event's `now`), so a host keeps only
 * the snapshot per key, in memory or in a database row shared by every instance.
 *
 * @example
 * ```ts
 * const [key] = initialTransition(idempotencyMachine, { fingerprint: 'f1', now, ttlMs: DAY, leaseMs: 60_000 });
 * step(key, { type: 'BEGIN', fingerprint: 'f1', now }); // idempotency.run
 * ```
 */
export const idempotencyMachine = setup({
  types: {
    context: {} as IdempotencyContext,
    events: {} as IdempotencyEvent,
    input: {} as IdempotencyInput,
    emitted: {} as IdempotencyReply,
  },
  guards: {
    /** The key is past its time: whatever it remembers no longer counts. */
    isStale: ({ context, event }) => event.now >= context.at + context.ttlMs,
    /** The first request has run longer than any request can: its instance died. */
    leaseOver: ({ context, event }) => event.now >= context.at + context.leaseMs,
    sameRequest: ({ context, event }) =>
      event.type === 'BEGIN' && event.fingerprint === context.fingerprint,
  },
  actions: {
    /** A fresh start for the key: this request is now its first. */
    restart: assign(({ event }) =>
      event.type === 'BEGIN' ? { fingerprint: event.fingerprint, at: event.now, answer: null } : {},
    ),
    remember: assign(({ event }) => (event.type === 'FINISH' ? { answer: event.answer } : {})),
    run: emit({ type: 'idempotency.run' } satisfies IdempotencyReply),
    replay: emit(({ context }) => ({
      type: 'idempotency.replay' as const,
      answer: context.answer!,
    })),
    inProgress: emit({
      type: 'idempotency.refused',
      code: 'IDEMPOTENCY_IN_PROGRESS',
    } satisfies IdempotencyReply),
    reused: emit({
      type: 'idempotency.refused',
      code: 'IDEMPOTENCY_KEY_REUSED',
    } satisfies IdempotencyReply),
  },
}).createMachine({
  id: 'idempotencyKey',
  initial: 'fresh',
  context: ({ input }) => ({
    fingerprint: input.fingerprint,
    at: input.now,
    ttlMs: input.ttlMs,
    leaseMs: input.leaseMs,
    answer: null,
  }),
  states: {
    /** Made for a request that has not begun yet. */
    fresh: {
      on: { BEGIN: { target: 'running', actions: ['restart', 'run'] } },
    },
    running: {
      on: {
        BEGIN: [
          // A first request that never finished (its instance died) does not block the key forever.
          { guard: 'leaseOver', target: 'running', reenter: true, actions: ['restart', 'run'] },
          { guard: 'sameRequest', actions: 'inProgress' },
          { actions: 'reused' },
        ],
        FINISH: { target: 'answered', actions: 'remember' },
        ABANDON: { target: 'fresh' },
      },
    },
    answered: {
      on: {
        BEGIN: [
          { guard: 'isStale', target: 'running', actions: ['restart', 'run'] },
          { guard: 'sameRequest', actions: 'replay' },
          { actions: 'reused' },
        ],
      },
    },
  },
});
