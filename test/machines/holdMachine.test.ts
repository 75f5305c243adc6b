import { expect } from 'chai';
import { createActor, SimulatedClock } from 'xstate';
import { holdMachine } from '../../machines/holdMachine';
import type { HoldEvent, HoldLimits, HoldReply } from '../../machines/holdTypes';

const TTL = 60_000;
const LIMITS: HoldLimits = { ttlMs: TTL, maxExtensions: 2, maxMs: 30 * 60_000, maxSeats: 4 };
const ACCEPTED = { type: 'hold.accepted' };
const refused = (code: string) => ({ type: 'hold.refused', code });

/** A hold event whose `now` may be left out (it defaults to the clock's). */
type EventInput = HoldEvent extends infer E
  ? E extends HoldEvent
    ? Omit<E, 'now'> & { now?: number }
    : never
  : never;

/** A started hold actor on a simulated clock, answering each event with its reply. */
function holdActor(limits: Partial<HoldLimits> = {}) {
  const clock = new SimulatedClock();
  clock.set(1_000_000);
  const actor = createActor(holdMachine, { input: { id: 'H1', ...LIMITS, ...limits }, clock });
  const replies: HoldReply[] = [];
  actor.on('*', (reply) => replies.push(reply));
  actor.start();
  return {
    clock,
    actor,
    send(event: EventInput): HoldReply | undefined {
      const before = replies.length;
      actor.send({ now: clock.now(), ...event });
      return replies.length > before ? replies[replies.length - 1] : undefined;
    },
    get state() {
      return actor.getSnapshot().value;
    },
    get context() {
      return actor.getSnapshot().context;
    },
  };
}

/** Alice's open hold of A1 and A2, made at the clock's start. */
function alicesHold(limits: Partial<HoldLimits> = {}) {
  const hold = holdActor(limits);
  expect(hold.send({ type: 'CREATE', userId: 'alice', seats: ['A1', 'A2'] })).to.deep.equal(
    ACCEPTED,
  );
  return hold;
}

describe('holdMachine', () => {
  describe('making a hold', () => {
    it('opens for its owner with the seats asked for, lasting one TTL', () => {
      const hold = alicesHold();
      expect(hold.state).to.equal('open');
      expect(hold.context).to.include({ ownerId: 'alice', createdAt: 1_000_000 });
      expect(hold.context.until).to.equal(1_000_000 + TTL);
      expect(hold.context.seats).to.deep.equal(['A1', 'A2']);
    });

    it('refuses an empty seat list and a seat named twice with NO_SEATS', () => {
      const hold = holdActor();
      expect(hold.send({ type: 'CREATE', userId: 'alice', seats: [] })).to.deep.equal(
        refused('NO_SEATS'),
      );
      expect(hold.send({ type: 'CREATE', userId: 'alice', seats: ['A1', 'A1'] })).to.deep.equal(
        refused('NO_SEATS'),
      );
      expect(hold.state).to.equal('new');
    });

    it('refuses more than maxSeats seats with TOO_MANY_SEATS', () => {
      const hold = holdActor();
      const seats = ['A1', 'A2', 'A3', 'A4', 'A5'];
      expect(hold.send({ type: 'CREATE', userId: 'alice', seats })).to.deep.equal(
        refused('TOO_MANY_SEATS'),
      );
      expect(hold.state).to.equal('new');
    });
  });

  describe('who may act on it', () => {
    for (const event of [
      { type: 'ADD_SEATS', userId: 'bob', seats: ['A3'] },
      { type: 'REMOVE_SEAT', userId: 'bob', seatId: 'A1' },
      { type: 'EXTEND', userId: 'bob' },
      { type: 'CONFIRM', userId: 'bob', bookingId: 'B1' },
      { type: 'RELEASE', userId: 'bob' },
    ] as EventInput[]) {
      it(`refuses ${event.type} by another user with NOT_HOLD_OWNER and changes nothing`, () => {
        const hold = alicesHold();
        const before = hold.actor.getSnapshot();
        expect(hold.send(event)).to.deep.equal(refused('NOT_HOLD_OWNER'));
        expect(hold.actor.getSnapshot()).to.equal(before);
      });
    }

    it('tells another user NOT_HOLD_OWNER even once the hold is settled, never its state', () => {
      const hold = alicesHold();
      hold.send({ type: 'CONFIRM', userId: 'alice', bookingId: 'B1' });
      expect(hold.send({ type: 'RELEASE', userId: 'bob' })).to.deep.equal(
        refused('NOT_HOLD_OWNER'),
      );
      expect(hold.send({ type: 'CONFIRM', userId: 'bob', bookingId: 'B2' })).to.deep.equal(
        refused('NOT_HOLD_OWNER'),
      );
    });
  });

  describe('seats', () => {
    it('adds seats up to maxSeats, keeping the deadline', () => {
      const hold = alicesHold();
      hold.clock.increment(1_000);
      expect(hold.send({ type: 'ADD_SEATS', userId: 'alice', seats: ['A3', 'A4'] })).to.deep.equal(
        ACCEPTED,
      );
      expect(hold.context.seats).to.deep.equal(['A1', 'A2', 'A3', 'A4']);
      expect(hold.context.until).to.equal(1_000_000 + TTL);
      expect(hold.send({ type: 'ADD_SEATS', userId: 'alice', seats: ['A5'] })).to.deep.equal(
        refused('TOO_MANY_SEATS'),
      );
    });

    it('refuses adding a seat it already holds with NO_SEATS', () => {
      const hold = alicesHold();
      expect(hold.send({ type: 'ADD_SEATS', userId: 'alice', seats: ['A2'] })).to.deep.equal(
        refused('NO_SEATS'),
      );
    });

    it('gives one seat back, and refuses a seat it does not hold', () => {
      const hold = alicesHold();
      expect(hold.send({ type: 'REMOVE_SEAT', userId: 'alice', seatId: 'A1' })).to.deep.equal(
        ACCEPTED,
      );
      expect(hold.context.seats).to.deep.equal(['A2']);
      expect(hold.send({ type: 'REMOVE_SEAT', userId: 'alice', seatId: 'A1' })).to.deep.equal(
        refused('SEAT_NOT_IN_HOLD'),
      );
    });

    it('ends as released when its last seat is given back', () => {
      const hold = alicesHold();
      hold.send({ type: 'REMOVE_SEAT', userId: 'alice', seatId: 'A1' });
      hold.send({ type: 'REMOVE_SEAT', userId: 'alice', seatId: 'A2' });
      expect(hold.state).to.equal('released');
    });
  });

  describe('extension', () => {
    it('moves the deadline to one TTL from now, at most maxExtensions times', () => {
      const hold = alicesHold();
      hold.clock.increment(50_000);
      expect(hold.send({ type: 'EXTEND', userId: 'alice' })).to.deep.equal(ACCEPTED);
      expect(hold.context.until).to.equal(1_050_000 + TTL);
      hold.clock.increment(50_000);
      expect(hold.send({ type: 'EXTEND', userId: 'alice' })).to.deep.equal(ACCEPTED);
      expect(hold.context.until).to.equal(1_100_000 + TTL);
      expect(hold.send({ type: 'EXTEND', userId: 'alice' })).to.deep.equal(
        refused('EXTENSION_LIMIT'),
      );
      expect(hold.context.until).to.equal(1_100_000 + TTL);
    });

    it('never extends past maxMs after the hold was made', () => {
      const hold = alicesHold({ maxMs: 90_000 });
      hold.clock.increment(50_000);
      expect(hold.send({ type: 'EXTEND', userId: 'alice' })).to.deep.equal(ACCEPTED);
      expect(hold.context.until).to.equal(1_000_000 + 90_000);
      // Already at the cap: an extension would give nothing, and none is spent on it.
      expect(hold.send({ type: 'EXTEND', userId: 'alice' })).to.deep.equal(
        refused('EXTENSION_LIMIT'),
      );
      expect(hold.context.extensionsUsed).to.equal(1);
    });

    it('re-arms its timer at the new deadline', () => {
      const hold = alicesHold();
      hold.clock.increment(TTL - 1);
      hold.send({ type: 'EXTEND', userId: 'alice' });
      hold.clock.increment(1);
      expect(hold.state).to.equal('open');
      hold.clock.increment(TTL - 1);
      expect(hold.state).to.equal('expired');
    });
  });

  describe('expiry', () => {
    it('expires by time alone at its deadline, not a millisecond before', () => {
      const hold = alicesHold();
      hold.clock.increment(TTL - 1);
      expect(hold.state).to.equal('open');
      hold.clock.increment(1);
      expect(hold.state).to.equal('expired');
    });

    it('expires on a request that finds it past its deadline before its timer fired', () => {
      const hold = alicesHold();
      const late = 1_000_000 + TTL;
      expect(
        hold.send({ type: 'CONFIRM', userId: 'alice', bookingId: 'B1', now: late }),
      ).to.deep.equal(refused('HOLD_EXPIRED'));
      expect(hold.state).to.equal('expired');
      expect(hold.context.booking).to.equal(null);
    });

    it('answers HOLD_EXPIRED to every later request of its owner', () => {
      const hold = alicesHold();
      hold.clock.increment(TTL);
      for (const event of [
        { type: 'CONFIRM', userId: 'alice', bookingId: 'B1' },
        { type: 'EXTEND', userId: 'alice' },
        { type: 'RELEASE', userId: 'alice' },
        { type: 'ADD_SEATS', userId: 'alice', seats: ['A3'] },
      ] as EventInput[]) {
        expect(hold.send(event)).to.deep.equal(refused('HOLD_EXPIRED'));
      }
    });

    it('re-arms a snapshot restored without its timer when told EXPIRE', () => {
      const hold = alicesHold();
      const persisted = hold.actor.getPersistedSnapshot();
      const clock = new SimulatedClock();
      clock.set(1_000_000 + 10_000);
      const restored = createActor(holdMachine, {
        input: { id: 'H1', ...LIMITS },
        snapshot: persisted,
        clock,
      }).start();
      restored.send({ type: 'EXPIRE', now: clock.now() });
      expect(restored.getSnapshot().value).to.equal('open');
      clock.increment(TTL - 10_000);
      expect(restored.getSnapshot().value).to.equal('expired');
    });
  });

  describe('confirm and release', () => {
    it('books the hold once, and answers a retry with the same booking', () => {
      const hold = alicesHold();
      expect(hold.send({ type: 'CONFIRM', userId: 'alice', bookingId: 'B1' })).to.deep.equal(
        ACCEPTED,
      );
      expect(hold.state).to.equal('confirmed');
      const booking = hold.context.booking;
      expect(hold.send({ type: 'CONFIRM', userId: 'alice', bookingId: 'B2' })).to.deep.equal(
        ACCEPTED,
      );
      expect(hold.context.booking).to.deep.equal(booking);
    });

    it('keeps a booked hold booked past its deadline', () => {
      const hold = alicesHold();
      hold.send({ type: 'CONFIRM', userId: 'alice', bookingId: 'B1' });
      hold.clock.increment(TTL * 2);
      expect(hold.state).to.equal('confirmed');
    });

    it('refuses changes to a booked hold with HOLD_CONFIRMED', () => {
      const hold = alicesHold();
      hold.send({ type: 'CONFIRM', userId: 'alice', bookingId: 'B1' });
      expect(hold.send({ type: 'RELEASE', userId: 'alice' })).to.deep.equal(
        refused('HOLD_CONFIRMED'),
      );
      expect(hold.send({ type: 'EXTEND', userId: 'alice' })).to.deep.equal(
        refused('HOLD_CONFIRMED'),
      );
    });

    it('releases, after which confirming is refused with HOLD_RELEASED', () => {
      const hold = alicesHold();
      expect(hold.send({ type: 'RELEASE', userId: 'alice' })).to.deep.equal(ACCEPTED);
      expect(hold.state).to.equal('released');
      expect(hold.send({ type: 'CONFIRM', userId: 'alice', bookingId: 'B1' })).to.deep.equal(
        refused('HOLD_RELEASED'),
      );
    });
  });
});
