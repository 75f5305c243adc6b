import { expect } from 'chai';
import { checkLinearizable } from '../../src/verify/checkLinearizable';
import type { Operation, Outcome } from '../../src/verify/Operation';

const TTL = 100;
let nextId = 0;

/** A hand-written operation on seat A1: [invoked, returned] and what came back. */
function op(
  window: [number, number],
  kind: Operation['kind'],
  outcome: Outcome | null,
  input: { userId?: string; lockId?: string } = {},
): Operation {
  const [invokedAt, returnedAt] = window;
  return {
    id: nextId++,
    client: nextId,
    seat: 'A1',
    kind,
    ...input,
    invokedAt,
    returnedAt,
    outcome,
  };
}

const locked = (lockId: string, expiresAt: number): Outcome => ({
  status: 200,
  state: 'locked',
  lockId,
  expiresAt,
});
const refused = (code: string): Outcome => ({ status: 409, code });

describe('checkLinearizable (the checker itself)', () => {
  it('accepts a sequential lock → confirm', () => {
    const report = checkLinearizable(
      [
        op([0, 2], 'lock', locked('L1', 1 + TTL), { userId: 'a' }),
        op([3, 4], 'confirm', { status: 200, state: 'booked' }, { userId: 'a', lockId: 'L1' }),
        op([5, 6], 'get', { status: 200, state: 'booked' }),
      ],
      { ttlMs: TTL },
    );
    expect(report.ok, report.violations.map((v) => v.report).join()).to.equal(true);
  });

  it('accepts two overlapping locks when exactly one wins, in either order', () => {
    const report = checkLinearizable(
      [
        op([0, 10], 'lock', refused('SEAT_LOCKED'), { userId: 'a' }),
        op([1, 9], 'lock', locked('L2', 5 + TTL), { userId: 'b' }),
      ],
      { ttlMs: TTL },
    );
    expect(report.ok).to.equal(true);
  });

  it('rejects two overlapping locks that both win (a double lock)', () => {
    const report = checkLinearizable(
      [
        op([0, 10], 'lock', locked('L1', 4 + TTL), { userId: 'a' }),
        op([1, 9], 'lock', locked('L2', 5 + TTL), { userId: 'b' }),
      ],
      { ttlMs: TTL },
    );
    expect(report.ok).to.equal(false);
    expect(report.violations[0].report).to.match(/not linearizable/);
  });

  it('lets a lock expire only after its deadline (with the stated tolerance)', () => {
    const history = (readAt: number) => [
      op([0, 0], 'lock', locked('L1', TTL), { userId: 'a' }),
      op([readAt, readAt + 1], 'get', { status: 200, state: 'available' }),
    ];
    expect(checkLinearizable(history(TTL), { ttlMs: TTL }).ok).to.equal(true);
    expect(checkLinearizable(history(TTL - 3), { ttlMs: TTL }).ok).to.equal(false);
    expect(checkLinearizable(history(TTL - 3), { ttlMs: TTL, expiryToleranceMs: 2 }).ok).to.equal(
      true,
    );
  });

  it('uses the machine’s answer at the instant the operation can be given', () => {
    // A confirm whose window straddles the deadline may be refused LOCK_EXPIRED …
    const late = [
      op([0, 0], 'lock', locked('L1', TTL), { userId: 'a' }),
      op([TTL - 5, TTL + 5], 'confirm', refused('LOCK_EXPIRED'), { userId: 'a' }),
    ];
    expect(checkLinearizable(late, { ttlMs: TTL }).ok).to.equal(true);
    // … but not when it finished before the deadline.
    const early = [
      op([0, 0], 'lock', locked('L1', TTL), { userId: 'a' }),
      op([TTL - 5, TTL - 1], 'confirm', refused('LOCK_EXPIRED'), { userId: 'a' }),
    ];
    expect(checkLinearizable(early, { ttlMs: TTL }).ok).to.equal(false);
  });

  it('holds a host that stamps before an await only to the weaker promise when asked', () => {
    // The lock was stamped at 1 but a read at [2, 3] did not see it: fine if the lock took effect
    // later than its stamp (stampIsEffect false), not for a host that applies as it stamps.
    const history = [
      op([0, 5], 'lock', locked('L1', 1 + TTL), { userId: 'a' }),
      op([2, 3], 'get', { status: 200, state: 'available' }),
    ];
    expect(checkLinearizable(history, { ttlMs: TTL }).ok).to.equal(false);
    expect(checkLinearizable(history, { ttlMs: TTL, stampIsEffect: false }).ok).to.equal(true);
  });

  it('rejects a booking that later reads as available', () => {
    const report = checkLinearizable(
      [
        op([0, 1], 'lock', locked('L1', TTL), { userId: 'a' }),
        op([2, 3], 'confirm', { status: 200, state: 'booked' }, { userId: 'a' }),
        op([TTL * 3, TTL * 3 + 1], 'get', { status: 200, state: 'available' }),
      ],
      { ttlMs: TTL },
    );
    expect(report.ok).to.equal(false);
  });

  it('lets an operation with no answer have happened or not', () => {
    const lost = op([0, Infinity], 'lock', null, { userId: 'a' });
    const took = [lost, op([5, 6], 'lock', refused('SEAT_LOCKED'), { userId: 'b' })];
    const didNot = [lost, op([5, 6], 'lock', locked('L2', 5 + TTL), { userId: 'b' })];
    expect(checkLinearizable(took, { ttlMs: TTL }).ok).to.equal(true);
    expect(checkLinearizable(didNot, { ttlMs: TTL }).ok).to.equal(true);
  });

  it('lets an unanswered lock have been stamped at any instant after it was sent', () => {
    // A lock lost with its server (kill -9) may have committed anyway, stamped some ms after it
    // was sent; later answers reveal that stamp: a read of its deadline, a refusal after sent + TTL.
    const lost = op([0, Infinity], 'lock', null, { userId: 'a' });
    const read = (expiresAt: number) => [
      lost,
      op([10, 11], 'get', { status: 200, state: 'locked', expiresAt }),
    ];
    const stillHeld = [
      lost,
      op([TTL + 2, TTL + 3], 'lock', refused('SEAT_LOCKED'), { userId: 'b' }),
    ];
    // Its holder asking again is told the lock it holds: lockId and deadline it never saw.
    const retried = [lost, op([10, 11], 'lock', locked('L9', 3 + TTL), { userId: 'a' })];
    for (const stampIsEffect of [true, false]) {
      const options = { ttlMs: TTL, stampIsEffect };
      expect(checkLinearizable(read(3 + TTL), options).ok, `read, ${stampIsEffect}`).to.equal(true);
      expect(checkLinearizable(stillHeld, options).ok, `held, ${stampIsEffect}`).to.equal(true);
      expect(checkLinearizable(retried, options).ok, `retry, ${stampIsEffect}`).to.equal(true);
      // Never a deadline from before the lock was sent.
      expect(checkLinearizable(read(TTL - 1), options).ok, `early, ${stampIsEffect}`).to.equal(
        false,
      );
    }
  });

  it('minimises: reads and refusals that do not matter are left out', () => {
    const noise = Array.from({ length: 20 }, (_, i) =>
      op([i, i + 50], 'lock', refused('SEAT_LOCKED'), { userId: `n${i}` }),
    );
    const report = checkLinearizable(
      [
        op([0, 10], 'lock', locked('L1', 4 + TTL), { userId: 'a' }),
        ...noise,
        op([1, 9], 'lock', locked('L2', 5 + TTL), { userId: 'b' }),
      ],
      { ttlMs: TTL },
    );
    expect(report.violations[0].operations.map((o) => o.userId)).to.deep.equal(['a', 'b']);
  });
});
