/** Keys whose values identify a user or prove a lock: never sent out of the process. */
const SECRET_KEYS = new Set(['userId', 'lockId']);

/** What a secret value becomes: the inspector still shows that there is one. */
export const REDACTED = '(hidden)';

/**
 * A JSON-safe copy of an inspection event for the Stately inspector, with every `userId` and
 * `lockId` (in a seat's context, in an event such as `LOCK`, at any depth) replaced by
 * {@link REDACTED}. The inspector shows states and transitions; who holds a seat and the lock's
 * proof of holding stay in the process. Functions, live references (`machine`, `_`-prefixed
 * internals) and cycles are dropped, and nesting stops at `depth`.
 *
 * @example
 * ```ts
 * redactInspection({ type: '@xstate.event', event: { type: 'LOCK', userId: 'alice', lockId: 'L1' } });
 * // { type: '@xstate.event', event: { type: 'LOCK', userId: '(hidden)', lockId: '(hidden)' } }
 * ```
 */
export function redactInspection(value: unknown, depth = 12): unknown {
  return copy(value, depth, new WeakSet());
}

function copy(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  }
  if (depth <= 0 || seen.has(value)) return undefined;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => copy(item, depth - 1, seen) ?? null);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === 'machine' || key.startsWith('_')) continue;
    if (SECRET_KEYS.has(key)) {
      out[key] = REDACTED;
      continue;
    }
    const copied = copy(item, depth - 1, seen);
    if (copied !== undefined) out[key] = copied;
  }
  seen.delete(value);
  return out;
}
