import { expect } from 'chai';
import fc from 'fast-check';
import { SimulatedClock } from 'xstate';
import type { SeatRequestEvent } from '../../machines/seatTypes';
import { MemorySeatStore } from '../../src/store/memory/MemorySeatStore';
import { applySeatEvent } from '../../machines/run/stepSeat';
import { initialSeat, specExpire, type SpecSnapshot } from '../../src/verify/seatSpec';
import { Venue } from '../../src/venue';

const TTL = 100;
const SEATS = 3;
const USERS = 3;

type Command =
  | { kind: 'LOCK'; seat: number; user: number }
  | {
      kind: 'CONFIRM' | 'RELEASE';
      seat: number;
      user: number;
      lockId: 'latest' | 'none' | 'stale' | 'bogus';
    }
  | { kind: 'advance'; ms: number };

const seat = fc.nat({ max: SEATS - 1 });
const user = fc.nat({ max: USERS - 1 });
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('LOCK' as const), seat, user }),
  fc.record({
    kind: fc.constantFrom('CONFIRM' as const, 'RELEASE' as const),
    seat,
    user,
    lockId: fc.constantFrom('latest' as const, 'none' as const, 'stale' as const, 'bogus' as const),
  }),
  // Around the TTL on purpose: exactly at, just before and just after the deadline.
  fc.record({
    kind: fc.constant('advance' as const),
    ms: fc.oneof(fc.integer({ min: 0, max: 2 * TTL }), fc.constantFrom(TTL - 1, TTL, TTL + 1)),
  }),
);

/**
 * Runs `commands` on a MemorySeatStore (virtual actors, freezing, timers on xstate's
 * SimulatedClock) and, step by step, on the model: the seat machine through pure `transition`,
 * with due locks expired by the machine's own EXPIRE when time moves. Every reply, every seat and
 * the summary must agree.
 */
async function runAgainstModel(commands: Command[]): Promise<void> {
  const clock = new SimulatedClock();
  const venue = new Venue(1, SEATS);
  const store = new MemorySeatStore({ venue, ttlMs: TTL, clock });
  const model: SpecSnapshot[] = Array.from({ length: SEATS }, () => initialSeat(TTL));
  const lockIds = new Map<string, string[]>();
  let drawn = 0;
  try {
    for (const cmd of commands) {
      if (cmd.kind === 'advance') {
        clock.increment(cmd.ms);
        await Promise.resolve(); // the store settles expired actors in a microtask
        for (let i = 0; i < SEATS; i++) {
          const lock = model[i].context.lock;
          if (lock && clock.now() >= lock.until) model[i] = specExpire(model[i], clock.now());
        }
      } else {
        const id = venue.idAt(cmd.seat);
        const userId = `u${cmd.user}`;
        const mine = lockIds.get(`${userId}/${id}`) ?? [];
        const event: SeatRequestEvent =
          cmd.kind === 'LOCK'
            ? { type: 'LOCK', userId, lockId: `L${drawn++}`, now: clock.now() }
            : { type: cmd.kind, userId, lockId: pick(cmd.lockId, mine), now: clock.now() };
        const { reply } = await store.apply(id, event);
        const [next, expected] = applySeatEvent(model[cmd.seat], event);
        expect(reply, `${event.type} on ${id} at ${clock.now()}`).to.deep.equal(expected);
        model[cmd.seat] = next;
        const got = next.context.lock?.lockId;
        if (cmd.kind === 'LOCK' && got && mine.at(-1) !== got) {
          lockIds.set(`${userId}/${id}`, [...mine, got]);
        }
      }
      const counts = { available: 0, locked: 0, booked: 0 };
      for (let i = 0; i < SEATS; i++) {
        const record = await store.get(venue.idAt(i));
        expect({ state: record.state, context: record.context }).to.deep.equal({
          state: model[i].value,
          context: model[i].context,
        });
        counts[record.state]++;
      }
      expect(await store.summary()).to.deep.equal({ total: SEATS, ...counts });
    }
  } finally {
    await store.close();
  }
}

function pick(choice: 'latest' | 'none' | 'stale' | 'bogus', mine: string[]): string | undefined {
  if (choice === 'none') return undefined;
  if (choice === 'bogus' || mine.length === 0) return 'bogus';
  return choice === 'stale' ? mine[0] : mine[mine.length - 1];
}

describe('MemorySeatStore against the machine model (fast-check)', () => {
  it('agrees with the model on every reply, seat and summary for random command sequences', async () => {
    await fc.assert(fc.asyncProperty(fc.array(command, { maxLength: 60 }), runAgainstModel), {
      numRuns: 150,
      seed: process.env.CHECK_SEED ? Number(process.env.CHECK_SEED) : undefined,
    });
  });

  it('shrinks a failure to a minimal command sequence (shown on a deliberately wrong model)', async () => {
    // A model bug planted on purpose: it claims a lock lasts forever, so nobody else may ever lock
    // that seat. fast-check must find a counterexample and shrink it to its essence: lock, let
    // exactly the TTL pass, lock as someone else.
    const details = await fc.check(
      fc.asyncProperty(fc.array(command, { maxLength: 60 }), async (commands) => {
        const clock = new SimulatedClock();
        const store = new MemorySeatStore({ venue: new Venue(1, SEATS), ttlMs: TTL, clock });
        const holderOf = new Map<number, number>();
        try {
          for (const cmd of commands) {
            if (cmd.kind === 'advance') clock.increment(cmd.ms);
            if (cmd.kind !== 'LOCK') continue;
            const id = store.venue.idAt(cmd.seat);
            const userId = `u${cmd.user}`;
            const event = { type: 'LOCK' as const, userId, lockId: 'L', now: clock.now() };
            const { reply } = await store.apply(id, event);
            if (reply?.type !== 'seat.accepted') continue;
            const holder = holderOf.get(cmd.seat);
            if (holder !== undefined && holder !== cmd.user) return false;
            holderOf.set(cmd.seat, cmd.user);
          }
          return true;
        } finally {
          await store.close();
        }
      }),
      { numRuns: 300, seed: 42 },
    );
    expect(details.failed).to.equal(true);
    const shrunk = details.counterexample![0];
    const [first, wait, second] = shrunk as [Command, Command, Command];
    expect(shrunk.map((c) => c.kind)).to.deep.equal(['LOCK', 'advance', 'LOCK']);
    expect(wait).to.deep.equal({ kind: 'advance', ms: TTL });
    expect(second).to.include({ seat: first.kind === 'LOCK' ? first.seat : -1, user: 1 });
  });
});
