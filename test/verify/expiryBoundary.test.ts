import { expect } from 'chai';
import { createApp } from '../../src/app';
import { HttpError } from '../../src/http/HttpError';
import type { SeatService } from '../../src/SeatService';
import { checkLinearizable } from '../../src/verify/checkLinearizable';
import { History } from '../../src/verify/History';
import type { Outcome } from '../../src/verify/Operation';
import { ManualClock } from '../support/ManualClock';

const TTL = 1_000;
const SEAT = 'A1';

type Step = 'timer' | 'confirm' | 'lock';

/** Every order of the three things that can happen at one instant. */
const ORDERS: Step[][] = [
  ['timer', 'confirm', 'lock'],
  ['timer', 'lock', 'confirm'],
  ['confirm', 'timer', 'lock'],
  ['confirm', 'lock', 'timer'],
  ['lock', 'timer', 'confirm'],
  ['lock', 'confirm', 'timer'],
];

/** Calls the service and records the call, at the manual clock's instant, as a checker operation. */
async function recorded(
  history: History,
  op: Parameters<History['invoke']>[0],
  call: () => Promise<{ seat: { state: Outcome['state'] }; lockId?: string; expiresAt?: string }>,
): Promise<Outcome> {
  const entry = history.invoke(op);
  let outcome: Outcome;
  try {
    const result = await call();
    outcome = { status: 200, state: result.seat.state };
    if (result.lockId !== undefined) outcome.lockId = result.lockId;
    if (result.expiresAt !== undefined) outcome.expiresAt = Date.parse(result.expiresAt);
  } catch (err) {
    if (!(err instanceof HttpError) || err.status !== 409) throw err;
    outcome = { status: 409, code: err.code };
  }
  history.complete(entry, outcome);
  return outcome;
}

async function scenario(offset: number, order: Step[]) {
  const clock = new ManualClock();
  const { service, close } = createApp({ rows: 1, seatsPerRow: 1, lockTtlMs: TTL, clock });
  const history = new History(() => clock.now());
  const svc: SeatService = service;
  try {
    const held = await recorded(
      history,
      { client: 0, seat: SEAT, kind: 'lock', userId: 'holder' },
      () => svc.lock(SEAT, 'holder'),
    );
    const until = held.expiresAt!;
    clock.travel(until + offset);
    const outcomes: Partial<Record<Step, Outcome>> = {};
    for (const step of order) {
      if (step === 'timer') clock.fireDue();
      if (step === 'confirm') {
        outcomes.confirm = await recorded(
          history,
          { client: 1, seat: SEAT, kind: 'confirm', userId: 'holder', lockId: held.lockId },
          () => svc.confirm(SEAT, 'holder', held.lockId),
        );
      }
      if (step === 'lock') {
        outcomes.lock = await recorded(
          history,
          { client: 2, seat: SEAT, kind: 'lock', userId: 'rival' },
          () => svc.lock(SEAT, 'rival'),
        );
      }
    }
    // Long after: whatever was decided at the instant must still hold.
    clock.travel(until + 10 * TTL);
    clock.fireDue();
    const final = await recorded(history, { client: 3, seat: SEAT, kind: 'get' }, () =>
      svc.get(SEAT).then((seat) => ({ seat })),
    );
    const record = await svc.store.get(SEAT);
    return { outcomes: outcomes as Record<'confirm' | 'lock', Outcome>, final, record, history };
  } finally {
    await close();
  }
}

describe('The expiry boundary (confirms and locks at the instant a lock expires)', () => {
  for (const offset of [-1, 0, 1]) {
    for (const order of ORDERS) {
      const when = offset === 0 ? 'at' : offset < 0 ? '1 ms before' : '1 ms after';
      it(`${when} the deadline, in the order ${order.join(' → ')}: only allowed outcomes`, async () => {
        const { outcomes, final, record, history } = await scenario(offset, order);
        const { confirm, lock } = outcomes;
        const rivalFirst = order.indexOf('lock') < order.indexOf('confirm');

        // The deadline is exact: a confirm before it books (unless a rival could not have locked),
        // a confirm at or after it is refused.
        if (offset < 0) {
          expect(confirm).to.deep.equal({ status: 200, state: 'booked' });
          expect(lock.code).to.equal(rivalFirst ? 'SEAT_LOCKED' : 'SEAT_BOOKED');
        } else {
          expect(confirm.status).to.equal(409);
          expect(confirm.code).to.equal(rivalFirst ? 'LOCK_NOT_HELD' : 'LOCK_EXPIRED');
          expect(lock).to.include({ status: 200, state: 'locked' });
        }
        // Never two holders; booked for good, or never booked.
        expect(confirm.status === 200 && lock.status === 200).to.equal(false);
        if (confirm.status === 200) {
          expect(final.state).to.equal('booked');
          expect(record.context.booking?.userId).to.equal('holder');
        } else {
          expect(final.state).to.equal('available');
          expect(record.context.booking).to.equal(null);
        }
        // And the recorded history is one the machine explains.
        const report = checkLinearizable(history.operations(), { ttlMs: TTL });
        expect(report.ok, report.violations.map((v) => v.report).join('\n')).to.equal(true);
      });
    }
  }
});
