import type { Operation, OperationKind, Outcome } from './Operation';

/** What a client is about to ask, before it is sent. */
export interface Invocation {
  client: number;
  seat: string;
  kind: OperationKind;
  userId?: string;
  lockId?: string;
}

/**
 * Records a concurrent history: each operation's invocation and response instants, inputs and
 * outcome. Instants come from `now` (wall-clock ms by default) because the server stamps its
 * machine events with the same clock, so an operation's stamp lies inside its recorded window.
 *
 * @example
 * ```ts
 * const history = new History();
 * const op = history.invoke({ client: 1, seat: 'A1', kind: 'lock', userId: 'u1' });
 * history.complete(op, { status: 200, state: 'locked', lockId: 'L1', expiresAt: 1_700_000_000_050 });
 * checkLinearizable(history.operations(), { ttlMs: 50 });
 * ```
 */
export class History {
  private readonly ops: Operation[] = [];
  private nextId = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Notes that an operation starts now; returns it so the caller can complete it. */
  invoke(invocation: Invocation): Operation {
    const op: Operation = {
      id: this.nextId++,
      ...invocation,
      invokedAt: this.now(),
      returnedAt: Infinity,
      outcome: null,
    };
    this.ops.push(op);
    return op;
  }

  /** Notes the response; an operation never completed keeps an unknown outcome. */
  complete(op: Operation, outcome: Outcome): void {
    op.returnedAt = this.now();
    op.outcome = outcome;
  }

  /**
   * Forgets an operation known to have had no effect: a read that got no answer, or a request the
   * service says it refused before doing anything (a 503 with `"outcome": "not-applied"`). The
   * checker then need not guess whether it happened; if the service's word was wrong, the history
   * it leaves is what the checker catches.
   */
  discard(op: Operation): void {
    const at = this.ops.lastIndexOf(op);
    if (at >= 0) this.ops.splice(at, 1);
  }

  /** Every operation so far, in invocation order. */
  operations(): readonly Operation[] {
    return this.ops;
  }

  get size(): number {
    return this.ops.length;
  }
}
