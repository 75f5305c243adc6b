import type { Operation } from './Operation';

/**
 * A history as a table a person can read: one line per operation, instants in ms relative to the
 * first invocation, inputs and outcome.
 *
 * @example
 * ```ts
 * console.log(formatOperations(violation.operations));
 * //   #3  client 7  [+0, +2]  lock A1 by u2  → 200 locked lockId=Yx3… expiresAt=+50
 * ```
 */
export function formatOperations(ops: readonly Operation[]): string {
  if (ops.length === 0) return '  (no operations)';
  const origin = Math.min(...ops.map((op) => op.invokedAt));
  const rel = (ms: number) => (Number.isFinite(ms) ? `+${ms - origin}` : '∞');
  return [...ops]
    .sort((a, b) => a.invokedAt - b.invokedAt || a.id - b.id)
    .map((op) => {
      const who = op.userId === undefined ? '' : ` by ${op.userId}`;
      const lock = op.lockId === undefined ? '' : ` lockId=${op.lockId}`;
      const request = `${op.kind} ${op.seat}${who}${lock}`;
      return `  #${op.id}  client ${op.client}  [${rel(op.invokedAt)}, ${rel(op.returnedAt)}]  ${request}  → ${describe(op, rel)}`;
    })
    .join('\n');
}

function describe(op: Operation, rel: (ms: number) => string): string {
  const outcome = op.outcome;
  if (outcome === null) return 'no answer (unknown outcome)';
  if (op.returnedAt === Infinity)
    return `in flight at the cut (answered later: ${answer(outcome, rel)})`;
  return answer(outcome, rel);
}

function answer(outcome: NonNullable<Operation['outcome']>, rel: (ms: number) => string): string {
  if (outcome.status === 409) return `409 ${outcome.code}`;
  const parts: string[] = [`200 ${outcome.state}`];
  if (outcome.lockId !== undefined) parts.push(`lockId=${outcome.lockId}`);
  if (outcome.expiresAt !== undefined) parts.push(`expiresAt=${rel(outcome.expiresAt)}`);
  return parts.join(' ');
}
