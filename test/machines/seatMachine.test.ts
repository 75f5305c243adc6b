import { expect } from 'chai';
import { createActor, SimulatedClock } from 'xstate';
import { seatMachine } from '../../machines/seatMachine';
import { seatActor, TTL } from '../support/seatActor';

const ACCEPTED = { type: 'seat.accepted' };
const refused = (code: string, more: { holder?: string; until?: number } = {}) => ({
  type: 'seat.refused',
  code,
  ...more,
});

/** A seat locked by alice with lock L1 at the clock's current time. */
function lockedByAlice() {
  const seat = seatActor();
  seat.send({ type: 'LOCK', userId: 'alice', lockId: 'L1' });
  return seat;
}

function bookedByAlice() {
  const seat = lockedByAlice();
  seat.send({ type: 'CONFIRM', userId: 'alice', lockId: 'L1' });
  return seat;
}

describe('seatMachine', () => {
  describe('available', () => {
    it('starts available with no lock, booking or lapsed lock', () => {
      const seat = seatActor();
      expect(seat.state).to.equal('available');
      expect(seat.context).to.deep.equal({ ttlMs: TTL, lock: null, booking: null, expired: null });
    });

    it('locks for the requester until now + TTL', () => {
      const seat = seatActor();
      seat.clock.set(1_000);
      expect(seat.send({ type: 'LOCK', userId: 'alice', lockId: 'L1' })).to.deep.equal(ACCEPTED);
      expect(seat.state).to.equal('locked');
      expect(seat.context.lock).to.deep.equal({
        userId: 'alice',
        lockId: 'L1',
        until: 1_000 + TTL,
      });
    });

    it('refuses confirm with NOT_LOCKED and stays available', () => {
      const seat = seatActor();
      expect(seat.send({ type: 'CONFIRM', userId: 'alice' })).to.deep.equal(refused('NOT_LOCKED'));
      expect(seat.state).to.equal('available');
    });

    it('refuses release with NOT_LOCKED and stays available', () => {
      const seat = seatActor();
      expect(seat.send({ type: 'RELEASE', userId: 'alice' })).to.deep.equal(refused('NOT_LOCKED'));
      expect(seat.state).to.equal('available');
    });

    it('ignores EXPIRE', () => {
      const seat = seatActor();
      const before = seat.actor.getSnapshot();
      seat.send({ type: 'EXPIRE' });
      expect(seat.actor.getSnapshot()).to.equal(before);
    });
  });

  describe('locked', () => {
    it('answers a retried lock by the holder with the same lock, unchanged', () => {
      const seat = lockedByAlice();
      const lock = seat.context.lock;
      seat.clock.increment(5_000);
      expect(seat.send({ type: 'LOCK', userId: 'alice', lockId: 'L2' })).to.deep.equal(ACCEPTED);
      expect(seat.context.lock).to.deep.equal(lock);
    });

    it('refuses another user with SEAT_LOCKED and keeps the lock', () => {
      const seat = lockedByAlice();
      const before = seat.actor.getSnapshot();
      expect(seat.send({ type: 'LOCK', userId: 'bob', lockId: 'L2' })).to.deep.equal(
        refused('SEAT_LOCKED', { holder: 'another user', until: TTL }),
      );
      expect(seat.actor.getSnapshot()).to.equal(before);
    });

    it('books for the holder, with or without the lockId', () => {
      for (const lockId of ['L1', undefined]) {
        const seat = lockedByAlice();
        expect(seat.send({ type: 'CONFIRM', userId: 'alice', lockId })).to.deep.equal(ACCEPTED);
        expect(seat.state).to.equal('booked');
        expect(seat.context.booking).to.deep.equal({ userId: 'alice', lockId: 'L1', at: 0 });
        expect(seat.context.lock).to.equal(null);
      }
    });

    it('refuses confirm and release by another user with LOCK_NOT_HELD', () => {
      for (const type of ['CONFIRM', 'RELEASE'] as const) {
        const seat = lockedByAlice();
        expect(seat.send({ type, userId: 'bob' })).to.deep.equal(
          refused('LOCK_NOT_HELD', { holder: 'another user' }),
        );
        expect(seat.state).to.equal('locked');
      }
    });

    it('refuses confirm and release by the holder with another lockId with LOCK_NOT_HELD', () => {
      for (const type of ['CONFIRM', 'RELEASE'] as const) {
        const seat = lockedByAlice();
        expect(seat.send({ type, userId: 'alice', lockId: 'other' })).to.deep.equal(
          refused('LOCK_NOT_HELD', { holder: 'you' }),
        );
        expect(seat.state).to.equal('locked');
      }
    });

    it('releases for the holder and forgets the lock', () => {
      const seat = lockedByAlice();
      expect(seat.send({ type: 'RELEASE', userId: 'alice', lockId: 'L1' })).to.deep.equal(ACCEPTED);
      expect(seat.state).to.equal('available');
      expect(seat.context).to.include({ lock: null, expired: null });
    });
  });

  describe('expiry', () => {
    it('is still locked one millisecond before the TTL', () => {
      const seat = lockedByAlice();
      seat.clock.increment(TTL - 1);
      expect(seat.state).to.equal('locked');
    });

    it('expires exactly at the TTL and remembers the lapsed lock', () => {
      const seat = lockedByAlice();
      seat.clock.increment(TTL);
      expect(seat.state).to.equal('available');
      expect(seat.context.lock).to.equal(null);
      expect(seat.context.expired).to.deep.equal({ userId: 'alice', lockId: 'L1', until: TTL });
    });

    it('tells the lapsed holder LOCK_EXPIRED and anybody else NOT_LOCKED', () => {
      const seat = lockedByAlice();
      seat.clock.increment(TTL);
      expect(seat.send({ type: 'CONFIRM', userId: 'alice' })).to.deep.equal(
        refused('LOCK_EXPIRED', { holder: 'you', until: TTL }),
      );
      expect(seat.send({ type: 'RELEASE', userId: 'alice', lockId: 'L1' })).to.deep.equal(
        refused('LOCK_EXPIRED', { holder: 'you', until: TTL }),
      );
      expect(seat.send({ type: 'CONFIRM', userId: 'bob' })).to.deep.equal(refused('NOT_LOCKED'));
      expect(seat.send({ type: 'CONFIRM', userId: 'alice', lockId: 'old' })).to.deep.equal(
        refused('NOT_LOCKED'),
      );
    });

    it('lets anybody lock again after expiry, forgetting the lapsed lock', () => {
      const seat = lockedByAlice();
      seat.clock.increment(TTL);
      expect(seat.send({ type: 'LOCK', userId: 'bob', lockId: 'L2' })).to.deep.equal(ACCEPTED);
      expect(seat.context.expired).to.equal(null);
      expect(seat.context.lock?.userId).to.equal('bob');
    });

    it('does not extend the lock when the holder locks again', () => {
      const seat = lockedByAlice();
      seat.clock.increment(TTL / 2);
      seat.send({ type: 'LOCK', userId: 'alice', lockId: 'L2' });
      seat.clock.increment(TTL / 2);
      expect(seat.state).to.equal('available');
    });

    it('never lets a due lock be confirmed, even if its timer has not fired', () => {
      const seat = lockedByAlice();
      // An event stamped at the deadline reaches the seat before the timer does.
      expect(seat.send({ type: 'CONFIRM', userId: 'alice', now: TTL })).to.deep.equal(
        refused('LOCK_EXPIRED', { holder: 'you', until: TTL }),
      );
      expect(seat.state).to.equal('available');
    });

    it('answers a due lock seen by another user with NOT_LOCKED on confirm and release', () => {
      for (const type of ['CONFIRM', 'RELEASE'] as const) {
        const seat = lockedByAlice();
        expect(seat.send({ type, userId: 'bob', now: TTL })).to.deep.equal(refused('NOT_LOCKED'));
        expect(seat.state).to.equal('available');
      }
    });

    it('gives a due lock to the next requester, even if its timer has not fired', () => {
      const seat = lockedByAlice();
      seat.clock.increment(TTL - 1); // the old timer is about to fire, but the request is first
      expect(seat.send({ type: 'LOCK', userId: 'bob', lockId: 'L2', now: TTL })).to.deep.equal(
        ACCEPTED,
      );
      expect(seat.context.lock).to.deep.equal({ userId: 'bob', lockId: 'L2', until: 2 * TTL });
      seat.clock.increment(TTL - 2);
      expect(seat.state, 'the old timer is gone; the new lock has its own TTL').to.equal('locked');
    });

    it('expires a due lock on EXPIRE, and otherwise keeps it', () => {
      const seat = lockedByAlice();
      seat.send({ type: 'EXPIRE', now: TTL - 1 });
      expect(seat.state).to.equal('locked');
      seat.send({ type: 'EXPIRE', now: TTL });
      expect(seat.state).to.equal('available');
    });

    it('re-arms the expiry of a snapshot restored without its timer when told the time', () => {
      const seat = lockedByAlice();
      seat.clock.increment(20_000);
      const persisted = seat.actor.getPersistedSnapshot();
      seat.actor.stop();

      const clock = new SimulatedClock();
      clock.set(20_000);
      const restored = createActor(seatMachine, {
        snapshot: persisted,
        input: { ttlMs: TTL },
        clock,
      }).start();
      restored.send({ type: 'EXPIRE', now: clock.now() });
      clock.increment(TTL - 20_000 - 1);
      expect(restored.getSnapshot().value).to.equal('locked');
      clock.increment(1);
      expect(restored.getSnapshot().value, 'expires at the original deadline').to.equal(
        'available',
      );
    });
  });

  describe('booked', () => {
    it('answers a retried confirm by the booker again with success', () => {
      const seat = bookedByAlice();
      expect(seat.send({ type: 'CONFIRM', userId: 'alice' })).to.deep.equal(ACCEPTED);
      expect(seat.send({ type: 'CONFIRM', userId: 'alice', lockId: 'L1' })).to.deep.equal(ACCEPTED);
      expect(seat.state).to.equal('booked');
    });

    it('refuses the booker confirming with another lockId with LOCK_NOT_HELD', () => {
      const seat = bookedByAlice();
      expect(seat.send({ type: 'CONFIRM', userId: 'alice', lockId: 'x' })).to.deep.equal(
        refused('LOCK_NOT_HELD', { holder: 'you' }),
      );
    });

    it('refuses lock, confirm and release by others with SEAT_BOOKED', () => {
      const seat = bookedByAlice();
      expect(seat.send({ type: 'LOCK', userId: 'bob', lockId: 'L2' })).to.deep.equal(
        refused('SEAT_BOOKED', { holder: 'another user' }),
      );
      expect(seat.send({ type: 'CONFIRM', userId: 'bob' })).to.deep.equal(
        refused('SEAT_BOOKED', { holder: 'another user' }),
      );
      expect(seat.send({ type: 'RELEASE', userId: 'bob' })).to.deep.equal(
        refused('SEAT_BOOKED', { holder: 'another user' }),
      );
    });

    it('refuses the booker releasing or locking with SEAT_BOOKED', () => {
      const seat = bookedByAlice();
      expect(seat.send({ type: 'RELEASE', userId: 'alice', lockId: 'L1' })).to.deep.equal(
        refused('SEAT_BOOKED', { holder: 'you' }),
      );
      expect(seat.send({ type: 'LOCK', userId: 'alice', lockId: 'L3' })).to.deep.equal(
        refused('SEAT_BOOKED', { holder: 'you' }),
      );
    });

    it('is booked for good: no timer takes it back', () => {
      const seat = bookedByAlice();
      seat.clock.increment(10 * TTL);
      expect(seat.state).to.equal('booked');
    });
  });
});

describe('seatMachine: seats of a multi-seat hold', () => {
  /** A seat taken by alice's hold H1 until 5 s from the clock's start. */
  function heldByAlicesHold() {
    const seat = seatActor();
    const until = seat.clock.now() + 5_000;
    expect(seat.send({ type: 'HOLD', userId: 'alice', holdId: 'H1', until })).to.deep.equal(
      ACCEPTED,
    );
    return { seat, until };
  }

  it("takes the seat with the hold's id and the hold's deadline", () => {
    const { seat, until } = heldByAlicesHold();
    expect(seat.state).to.equal('locked');
    expect(seat.context.lock).to.deep.equal({ userId: 'alice', lockId: 'H1', until, holdId: 'H1' });
  });

  it('refuses another user with SEAT_LOCKED, and the holder outside the hold too', () => {
    const { seat } = heldByAlicesHold();
    const until = seat.clock.now() + 5_000;
    expect(seat.send({ type: 'HOLD', userId: 'bob', holdId: 'H2', until })).to.deep.include(
      refused('SEAT_LOCKED'),
    );
    expect(seat.send({ type: 'LOCK', userId: 'bob', lockId: 'L2' })).to.deep.include(
      refused('SEAT_LOCKED'),
    );
    expect(seat.send({ type: 'HOLD', userId: 'alice', holdId: 'H9', until })).to.deep.include({
      ...refused('SEAT_LOCKED'),
      holder: 'you',
    });
  });

  it('answers a retry of the same hold as accepted, changing nothing', () => {
    const { seat, until } = heldByAlicesHold();
    const before = seat.actor.getSnapshot();
    expect(seat.send({ type: 'HOLD', userId: 'alice', holdId: 'H1', until })).to.deep.equal(
      ACCEPTED,
    );
    expect(seat.actor.getSnapshot()).to.equal(before);
  });

  for (const type of ['LOCK', 'CONFIRM', 'RELEASE'] as const) {
    it(`refuses the holder's single-seat ${type} with SEAT_IN_HOLD: the seat goes with its hold`, () => {
      const { seat } = heldByAlicesHold();
      const event =
        type === 'LOCK' ? { type, userId: 'alice', lockId: 'L9' } : { type, userId: 'alice' };
      expect(seat.send(event)).to.deep.equal({ ...refused('SEAT_IN_HOLD'), holder: 'you' });
      expect(seat.state).to.equal('locked');
    });
  }

  it('confirms and releases when the request names the hold', () => {
    const { seat } = heldByAlicesHold();
    expect(
      seat.send({ type: 'CONFIRM', userId: 'alice', lockId: 'H1', holdId: 'H1' }),
    ).to.deep.equal(ACCEPTED);
    expect(seat.state).to.equal('booked');
    const other = heldByAlicesHold().seat;
    expect(
      other.send({ type: 'RELEASE', userId: 'alice', lockId: 'H1', holdId: 'H1' }),
    ).to.deep.equal(ACCEPTED);
    expect(other.state).to.equal('available');
  });

  it("moves the lock's deadline with an extension of its hold, and re-arms the expiry", () => {
    const { seat, until } = heldByAlicesHold();
    seat.clock.increment(4_000);
    const later = until + 10_000;
    expect(
      seat.send({ type: 'EXTEND', userId: 'alice', holdId: 'H1', until: later }),
    ).to.deep.equal(ACCEPTED);
    expect(seat.context.lock?.until).to.equal(later);
    seat.clock.increment(until - seat.clock.now());
    expect(seat.state).to.equal('locked');
    seat.clock.increment(later - seat.clock.now());
    expect(seat.state).to.equal('available');
  });

  it('refuses an extension from another hold, and one that comes after the deadline', () => {
    const { seat, until } = heldByAlicesHold();
    expect(
      seat.send({ type: 'EXTEND', userId: 'bob', holdId: 'H2', until: until + 1 }),
    ).to.deep.include(refused('LOCK_NOT_HELD'));
    expect(
      seat.send({ type: 'EXTEND', userId: 'alice', holdId: 'H1', until: until + 9, now: until }),
    ).to.deep.include(refused('LOCK_EXPIRED'));
    expect(seat.state).to.equal('available');
  });
});
