import { initialTransition, type SnapshotFrom } from 'xstate';
import {
  idempotencyMachine,
  type IdempotencyEvent,
  type IdempotencyInput,
  type IdempotencyReply,
} from '../idempotencyMachine';
import { emitted, pureStepper } from './pureStepper';

/** One scope for every key: the machine's own input never reaches the snapshots stepped. */
const step = pureStepper(idempotencyMachine, { fingerprint: '', now: 0, ttlMs: 0, leaseMs: 0 });

export type IdempotencyKeySnapshot = SnapshotFrom<typeof idempotencyMachine>;

/** A key as its first request finds it: nothing remembered yet. */
export function idempotencyKeyStart(input: IdempotencyInput): IdempotencyKeySnapshot {
  return initialTransition(idempotencyMachine, input)[0];
}

/**
 * One event through a key's machine held as a snapshot (a pure step, no actor): the next snapshot
 * and the reply it emitted (`undefined` for FINISH and ABANDON). Every idempotency host runs the
 * machine through this.
 *
 * @example
 * ```ts
 * const [next, reply] = stepIdempotencyKey(key, { type: 'BEGIN', fingerprint: 'f1', now });
 * reply; // { type: 'idempotency.run' }
 * ```
 */
export function stepIdempotencyKey(
  snapshot: IdempotencyKeySnapshot,
  event: IdempotencyEvent,
): [IdempotencyKeySnapshot, IdempotencyReply | undefined] {
  const [next, actions] = step(snapshot, event);
  return [next, emitted<IdempotencyReply>(actions)];
}

/** Restores a key from the JSON a store kept (`{ value, context }`). */
export function restoreIdempotencyKey(persisted: unknown): IdempotencyKeySnapshot {
  return idempotencyMachine.resolveState(
    persisted as Parameters<typeof idempotencyMachine.resolveState>[0],
  );
}

/** The JSON-safe form of a key's snapshot, as a store keeps it. */
export function persistIdempotencyKey(snapshot: IdempotencyKeySnapshot): {
  value: string;
  context: IdempotencyKeySnapshot['context'];
} {
  return { value: snapshot.value, context: snapshot.context };
}
