import { expect } from 'chai';
import fc from 'fast-check';
import { SimulatedClock } from 'xstate';
import { MemorySeatStore } from '../../../src/store/memory/MemorySeatStore';
import { Venue } from '../../../src/venue';
import { command, type Command } from '../storeContract';

const TTL = 100;
const SEATS = 3;

describe('the store contract model property (fast-check)', () => {
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
