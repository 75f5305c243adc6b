import type { Operation } from './Operation';
import {
  initialSeat,
  outcomeMatches,
  seatKey,
  specExpire,
  specStep,
  type SpecSnapshot,
} from './seatSpec';

export interface LinearizeOptions {
  /** The service's lock TTL: an accepted fresh lock was stamped at `expiresAt - ttlMs`. */
  ttlMs: number;
  /**
   * How long before a lock's deadline its expiry may be placed (ms). Timers and the clock the
   * deadline is read from are not the same clock; 0 demands that no lock ever ends early.
   */
  expiryToleranceMs?: number;
  /** Search states to visit before giving up with `inconclusive` (default 2 000 000). */
  maxStates?: number;
  /**
   * Whether the host applies an event at the instant it stamps its `now` (default true: the
   * in-memory store stamps and applies in one synchronous step). A host that stamps and then
   * awaits before applying (a database round trip) only promises that the stamp and the effect
   * each lie inside the operation's window; pass false to check it against that weaker promise.
   */
  stampIsEffect?: boolean;
}

/** Where the search got furthest before every continuation was refused. */
export interface Stuck {
  /** How many operations the longest partial linearization placed. */
  linearized: number;
  /** The specification's seat at that point. */
  seat: SpecSnapshot;
  /** The operations that could have come next, none of which the specification allows. */
  candidates: Operation[];
}

export type SeatVerdict =
  | { kind: 'linearizable'; states: number }
  | { kind: 'violation'; states: number; stuck: Stuck }
  | { kind: 'inconclusive'; states: number };

/** A partial linearization: which operations are placed, the seat after them, and their time. */
interface Node {
  done: Uint32Array;
  count: number;
  seat: SpecSnapshot;
  /** The instant of the last placed step; later steps cannot be earlier (the server's stamps). */
  at: number;
}

/**
 * Decides whether one seat's history is linearizable with the seat machine as the sequential
 * specification: a Wing & Gong search over the orders real time allows, with Lowe's memoisation of
 * (placed set, seat) as Porcupine does it.
 *
 * Time is part of the model because the machine compares each event's `now` with the lock's
 * deadline. The server stamps `now` and applies the event in one synchronous step, so every
 * operation gets an instant inside its [invoked, returned] window, and instants never decrease
 * along the linearization. The outcome of a request depends on its instant only through
 * "before or at/after the deadline", so the search tries the earliest instant of each class (the
 * earliest keeps the most freedom for later operations), plus the exact stamp an accepted fresh
 * lock reveals (`expiresAt - ttlMs`). For the same reason a memoised (set, seat) only needs the
 * earliest instant it was reached at: reaching it later can only do worse. A host that stamps and
 * applies at different instants is checked with `stampIsEffect: false`: the stamp is then any
 * instant of the window, independent of where the operation takes effect.
 *
 * Lock expiry is an internal step the search may place at any instant from the deadline (minus the
 * stated tolerance) on; it feeds the machine its own `EXPIRE` event.
 *
 * @example
 * ```ts
 * const verdict = linearizeSeat(history.operations().filter((op) => op.seat === 'A1'), { ttlMs: 50 });
 * if (verdict.kind === 'violation') console.log(verdict.stuck.linearized);
 * ```
 */
export function linearizeSeat(ops: readonly Operation[], options: LinearizeOptions): SeatVerdict {
  const { ttlMs, expiryToleranceMs = 0, maxStates = 2_000_000, stampIsEffect = true } = options;
  const byInvoke = [...ops].sort((a, b) => a.invokedAt - b.invokedAt || a.id - b.id);
  const byReturn = byInvoke
    .map((_, i) => i)
    .sort((a, b) => byInvoke[a].returnedAt - byInvoke[b].returnedAt);
  const n = byInvoke.length;
  const words = Math.ceil(n / 32);
  const isDone = (node: Node, i: number) => (node.done[i >>> 5] & (1 << (i & 31))) !== 0;
  const unseen = unseenLockStamps(byInvoke, ttlMs);
  const seen = new Map<string, number>();

  const root: Node = {
    done: new Uint32Array(words),
    count: 0,
    seat: initialSeat(ttlMs),
    at: -Infinity,
  };
  let deepest = root;
  let states = 0;

  /** The nodes that may follow `node`, made one at a time: most searches never need a second. */
  function* successors(node: Node): Generator<Node> {
    // Nothing may be placed after an unplaced operation has already returned.
    let horizon = Infinity;
    for (const i of byReturn) {
      if (!isDone(node, i)) {
        horizon = byInvoke[i].returnedAt;
        break;
      }
    }
    const until = node.seat.value === 'locked' ? node.seat.context.lock?.until : undefined;
    // An operation that can be placed now without moving time or changing the seat (a read, a
    // refusal) commutes with whatever would come first: place it and branch no further. This
    // keeps refusals in a stable state from multiplying the orders to try.
    const here = seatKey(node.seat);
    for (let i = 0; i < n && byInvoke[i].invokedAt <= node.at; i++) {
      if (isDone(node, i)) continue;
      const op = byInvoke[i];
      if (op.returnedAt === Infinity || op.returnedAt < node.at) continue;
      const stamps = stampIsEffect ? [{ now: node.at }] : stampsFor(op, op, until, ttlMs, unseen);
      for (const { now, lockId } of stamps) {
        const { next, expected } = specStep(node.seat, op, now, lockId);
        if (!outcomeMatches(op.outcome, expected) || seatKey(next) !== here) continue;
        const done = node.done.slice();
        done[i >>> 5] |= 1 << (i & 31);
        yield { done, count: node.count + 1, seat: next, at: node.at };
        return;
      }
    }
    for (let i = 0; i < n && byInvoke[i].invokedAt <= horizon; i++) {
      if (isDone(node, i)) continue;
      const op = byInvoke[i];
      // The instant the operation takes effect (its place in the order) and the `now` the server
      // stamped it with: the same instant, or (stampIsEffect false) two instants in the window.
      const at = Math.max(node.at, op.invokedAt);
      const latest = Math.min(op.returnedAt, horizon);
      if (at > latest) continue;
      const window = stampIsEffect ? { invokedAt: at, returnedAt: latest } : op;
      for (const { now, lockId } of stampsFor(op, window, until, ttlMs, unseen)) {
        const { next, expected } = specStep(node.seat, op, now, lockId);
        // An answer after the end of the history (or none) constrains nothing.
        if (op.returnedAt !== Infinity && !outcomeMatches(op.outcome, expected)) continue;
        const done = node.done.slice();
        done[i >>> 5] |= 1 << (i & 31);
        yield { done, count: node.count + 1, seat: next, at: stampIsEffect ? now : at };
      }
    }
    if (until !== undefined) {
      const at = Math.max(node.at, until - expiryToleranceMs);
      if (at <= horizon) yield { ...node, seat: specExpire(node.seat, at), at };
    }
  }

  /** Visits `node` unless an equal or better one was visited; false when it must be skipped. */
  const visit = (node: Node): boolean => {
    const key = keyOf(node);
    const earliest = seen.get(key);
    if (earliest !== undefined && earliest <= node.at) return false;
    seen.set(key, node.at);
    states++;
    if (node.count > deepest.count) deepest = node;
    return true;
  };

  visit(root);
  const stack: Generator<Node>[] = [successors(root)];
  while (stack.length > 0) {
    const step = stack[stack.length - 1].next();
    if (step.done) {
      stack.pop();
      continue;
    }
    const node = step.value;
    if (node.count === n) return { kind: 'linearizable', states };
    if (!visit(node)) continue;
    if (states > maxStates) return { kind: 'inconclusive', states };
    stack.push(successors(node));
  }

  const horizonOps = byInvoke.filter((_, i) => !isDone(deepest, i));
  const firstReturn = horizonOps.reduce((min, op) => Math.min(min, op.returnedAt), Infinity);
  return {
    kind: 'violation',
    states,
    stuck: {
      linearized: deepest.count,
      seat: deepest.seat,
      candidates: horizonOps.filter((op) => op.invokedAt <= firstReturn),
    },
  };
}

/** A `now` to try for an operation, and for a lock whose answer never came, its lockId. */
interface Stamp {
  now: number;
  /** The lockId the server may have drawn for an unanswered lock (else it is unseen). */
  lockId?: string;
}

/**
 * The stamps worth trying for `op` within `window`: the earliest of each outcome class (before or
 * at/after the lock's deadline; the earliest keeps the most freedom), the stamp an accepted
 * fresh lock reveals, and for a lock whose answer never came, the `unseen` candidates.
 */
function stampsFor(
  op: Operation,
  window: { invokedAt: number; returnedAt: number },
  until: number | undefined,
  ttlMs: number,
  unseen: readonly Stamp[],
): Stamp[] {
  const { invokedAt: earliest, returnedAt: latest } = window;
  if (earliest > latest) return [];
  const stamps: Stamp[] = [{ now: earliest }];
  if (op.kind === 'get') return stamps;
  if (until !== undefined && earliest < until && until <= latest) stamps.push({ now: until });
  if (op.kind === 'lock' && op.outcome?.expiresAt !== undefined) {
    const stamp = op.outcome.expiresAt - ttlMs;
    if (earliest < stamp && stamp <= latest && stamp !== until) stamps.push({ now: stamp });
  }
  if (op.kind === 'lock' && op.outcome === null) {
    for (const stamp of unseen) {
      if (earliest <= stamp.now && stamp.now <= latest) stamps.push(stamp);
    }
  }
  return stamps;
}

/**
 * What to try for a lock whose answer never came (its server died, or answered 5xx): it may have
 * taken effect, stamped at any instant after it was sent and with a lockId nobody was told, and
 * then its deadline (stamp + TTL) and lockId decide later answers. Which ones matter: the lockId
 * and deadline a later lock answer reveals (the holder retrying is told the lock it already
 * holds), a deadline some read reported (`expiresAt - ttlMs`), and, for each operation, the
 * earliest stamp that makes the deadline fall after the operation was sent (`invokedAt - ttlMs +
 * 1`: the lock is still held then). Stamps between those change no answer. Revealed ones come
 * first: they are the likeliest.
 */
function unseenLockStamps(ops: readonly Operation[], ttlMs: number): Stamp[] {
  if (!ops.some((op) => op.kind === 'lock' && op.outcome === null)) return [];
  const stamps = new Map<string, Stamp>();
  const add = (stamp: Stamp) => stamps.set(`${stamp.now} ${stamp.lockId}`, stamp);
  for (const { outcome } of ops) {
    if (outcome?.expiresAt === undefined) continue;
    add({ now: outcome.expiresAt - ttlMs, lockId: outcome.lockId });
    add({ now: outcome.expiresAt - ttlMs });
  }
  const heldAt = ops.map((op) => op.invokedAt - ttlMs + 1).sort((a, b) => a - b);
  for (const now of heldAt) add({ now });
  return [...stamps.values()];
}

function keyOf(node: Node): string {
  let bits = '';
  for (const word of node.done) bits += String.fromCharCode(word & 0xffff, word >>> 16);
  return bits + seatKey(node.seat);
}
