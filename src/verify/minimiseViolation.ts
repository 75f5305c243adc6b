import type { Operation } from './Operation';

/**
 * Shrinks a non-linearizable single-seat history to a small one that is still non-linearizable,
 * using only reductions that can never turn a linearizable history into a failing one, so what is
 * left is a genuine counterexample rather than a history that merely lost its context:
 *
 * 1. drop reads and refusals (delta debugging): they never change the seat except by ending a
 *    due lock, which the checker may do by itself at the same instant;
 * 2. cut at an instant: keep the operations invoked by then; those still in flight lose their
 *    answer (it lies beyond the cut, so any answer is allowed) but keep the lockId and stamp it
 *    revealed, and in-flight reads and refusals go (by 1.). Operations invoked later come after
 *    every completed one in any linearization, so a cut of a linearizable history is
 *    linearizable; the earliest failing cut is found by bisection.
 *
 * @example
 * ```ts
 * const small = minimiseViolation(seatOps, (ops) => linearizeSeat(ops, opts).kind === 'violation');
 * ```
 */
export function minimiseViolation(
  ops: readonly Operation[],
  fails: (ops: readonly Operation[]) => boolean,
): Operation[] {
  const sorted = [...ops].sort((a, b) => a.invokedAt - b.invokedAt || a.id - b.id);
  const cuts = [...new Set(sorted.map((op) => op.invokedAt)), Infinity];
  let lo = 0;
  let hi = cuts.length - 1; // no cut at all: known to fail
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (fails(cutAt(sorted, cuts[mid]))) hi = mid;
    else lo = mid + 1;
  }
  let kept = cutAt(sorted, cuts[hi]);

  let removable = kept.filter(isInert);
  for (let chunk = removable.length; chunk >= 1; chunk = Math.floor(chunk / 2)) {
    for (let start = 0; start < removable.length;) {
      const drop = new Set(removable.slice(start, start + chunk));
      const trial = kept.filter((op) => !drop.has(op));
      if (fails(trial)) {
        kept = trial;
        removable = removable.filter((op) => !drop.has(op));
      } else {
        start += chunk;
      }
    }
  }
  return kept;
}

/** The history as seen at instant `at`: later invocations dropped, later answers unknown. */
function cutAt(sorted: readonly Operation[], at: number): Operation[] {
  return sorted
    .filter((op) => op.invokedAt <= at && !(op.returnedAt > at && isInert(op)))
    .map((op) => (op.returnedAt > at ? { ...op, returnedAt: Infinity } : op));
}

/** A read, or a refusal: it leaves the seat as an expiry could. */
function isInert(op: Operation): boolean {
  if (op.outcome === null) return false;
  return op.kind === 'get' || op.outcome.status === 409;
}
