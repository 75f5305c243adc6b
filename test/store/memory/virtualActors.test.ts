import { expect } from 'chai';
import { createActor, SimulatedClock, type AnyActorRef, type InspectionEvent } from 'xstate';
import { seatMachine } from '../../../machines/seatMachine';
import type { SeatReply, SeatRequestEvent } from '../../../machines/seatTypes';
import { MemorySeatStore } from '../../../src/store/memory/MemorySeatStore';
import type { SeatTransition } from '../../../src/store/SeatStore';
import { Venue } from '../../../src/venue';

const TTL = 1000;

/** The timer half of a clock: what the seats' expiry runs on. */
function timersOf(clock: SimulatedClock) {
  return {
    setTimeout: (fn: (...args: unknown[]) => void, ms: number) => clock.setTimeout(fn, ms),
    clearTimeout: (id: unknown) => clock.clearTimeout(id as number),
  };
}

function setup(rows = 2, seatsPerRow = 5, inspect?: (event: InspectionEvent) => void) {
  const clock = new SimulatedClock(); // timers fire only when a test moves time
  const venue = new Venue(rows, seatsPerRow);
  const store = new MemorySeatStore({ venue, ttlMs: TTL, clock, inspect });
  const transitions: SeatTransition[] = [];
  store.subscribe((t) => transitions.push(t));
  const lock = (id: string, userId: string, lockId = `${userId}-${id}`) =>
    store.apply(id, { type: 'LOCK', userId, lockId, now: clock.now() });
  const confirm = (id: string, userId: string, lockId?: string) =>
    store.apply(id, { type: 'CONFIRM', userId, lockId, now: clock.now() });
  const release = (id: string, userId: string, lockId?: string) =>
    store.apply(id, { type: 'RELEASE', userId, lockId, now: clock.now() });
  return { clock, store, transitions, lock, confirm, release };
}

describe('MemorySeatStore virtual actors', () => {
  it('hosts an untouched venue with no entry, even after reads', async () => {
    const { store } = setup(1000, 1000);
    await store.get('A1');
    await store.list({ limit: 1000 });
    await store.list({ state: 'available', limit: 10, after: 'ALL990' });
    await store.summary();
    expect(store.keptCount()).to.equal(0);
  });

  it('keeps a seat only while it is not as the machine starts it, and drops it on release', async () => {
    const { store, lock, release } = setup();
    await lock('A1', 'alice');
    expect(store.keptCount()).to.equal(1);
    expect(store.expiryCount()).to.equal(1);
    expect((await lock('A1', 'alice')).reply, 'a retry keeps the same lock').to.deep.equal({
      type: 'seat.accepted',
    });
    expect(store.expiryCount()).to.equal(1);
    const { reply } = await release('A1', 'alice');
    expect(reply).to.deep.equal({ type: 'seat.accepted' });
    expect(store.keptCount(), 'back to initial: nothing kept').to.equal(0);
    expect(store.expiryCount()).to.equal(0);
    expect((await store.get('A1')).state).to.equal('available');
  });

  it('runs an inspected seat as one live actor from lock to booking, stopped once settled', async () => {
    const inspected: InspectionEvent[] = [];
    const { store, lock, confirm } = setup(2, 5, (event) => inspected.push(event));
    await lock('A1', 'alice', 'L1');
    await confirm('A1', 'alice', 'L1');
    const ofA1 = inspected.filter((e) => (e.actorRef as AnyActorRef).id === 'A1');
    const received = ofA1.flatMap((e) => (e.type === '@xstate.event' ? [e.event.type] : []));
    expect(received).to.include.members(['LOCK', 'CONFIRM']);
    const actors = ofA1.filter((e) => e.type === '@xstate.actor');
    expect(actors, 'one actor while the seat is locked').to.have.length(1);
    for (const { actorRef } of actors) {
      expect((actorRef as AnyActorRef).getSnapshot()).to.have.property('status', 'stopped');
    }
    expect((await store.get('A1')).state).to.equal('booked');
  });

  it('arms one timer for every locked seat, and tells due seats the time in deadline order', async () => {
    const timers = new SimulatedClock();
    let armed = 0;
    const clock = {
      now: () => timers.now(),
      setTimeout: (fn: (...args: unknown[]) => void, ms: number) => {
        armed++;
        return timers.setTimeout(() => {
          armed--;
          fn();
        }, ms);
      },
      clearTimeout: (id: unknown) => {
        armed--;
        timers.clearTimeout(id as number);
      },
    };
    const store = new MemorySeatStore({ venue: new Venue(1, 100), ttlMs: TTL, clock });
    const expired: string[] = [];
    store.subscribe((t) => t.to === 'available' && expired.push(t.id));
    for (let seat = 100; seat >= 1; seat--) {
      await store.apply(`A${seat}`, {
        type: 'LOCK',
        userId: 'u',
        lockId: `L${seat}`,
        now: clock.now(),
      });
      timers.increment(1);
    }
    expect(store.expiryCount()).to.equal(100);
    expect(armed, 'one pending timer for a hundred locks').to.equal(1);
    timers.increment(TTL - 100 + 49);
    expect(expired, 'the fifty earliest deadlines, earliest first').to.deep.equal(
      Array.from({ length: 50 }, (_, i) => `A${100 - i}`),
    );
    timers.increment(100);
    expect(expired).to.have.length(100);
    expect(armed, 'nothing left to wait for').to.equal(0);
  });

  it('expires a lock at its deadline and keeps what the holder must still be told', async () => {
    const { clock, store, lock, confirm, transitions } = setup();
    await lock('A2', 'alice', 'L1');
    clock.increment(TTL - 1);
    expect((await store.get('A2')).state).to.equal('locked');
    clock.increment(1);
    expect((await store.get('A2')).state).to.equal('available');
    expect(store.expiryCount()).to.equal(0);
    expect(store.keptCount(), 'the lapsed lock is kept for its holder').to.equal(1);
    expect(transitions.map((t) => `${t.id}:${t.from}>${t.to}`)).to.deep.equal([
      'A2:available>locked',
      'A2:locked>available',
    ]);
    const late = await confirm('A2', 'alice', 'L1');
    expect(late.reply).to.deep.include({ code: 'LOCK_EXPIRED', holder: 'you' });
    expect(await store.summary()).to.include({ available: 10, locked: 0, booked: 0 });
  });

  it('waits again when the timer fired before the clock reached the deadline', async () => {
    // Timers and the wall clock can disagree by a few ms: `now()` lags the timers here.
    const timers = new SimulatedClock();
    let lag = 0;
    const clock = { ...timersOf(timers), now: () => timers.now() - lag };
    const store = new MemorySeatStore({ venue: new Venue(1, 2), ttlMs: TTL, clock });
    await store.apply('A1', { type: 'LOCK', userId: 'u', lockId: 'L', now: clock.now() });
    lag = 5;
    timers.increment(TTL); // the timer fires, but the seat hears a `now` 5 ms before the deadline
    expect((await store.get('A1')).state).to.equal('locked');
    expect(store.expiryCount(), 're-armed for the 5 ms left').to.equal(1);
    timers.increment(5);
    expect((await store.get('A1')).state).to.equal('available');
    expect(store.expiryCount()).to.equal(0);
  });

  it('replaces the timer when a lapsed lock is taken over before its timer fired', async () => {
    const timers = new SimulatedClock();
    let lead = 0;
    const clock = { ...timersOf(timers), now: () => timers.now() + lead };
    const store = new MemorySeatStore({ venue: new Venue(1, 2), ttlMs: TTL, clock });
    const lock = (userId: string) =>
      store.apply('A2', { type: 'LOCK', userId, lockId: userId, now: clock.now() });
    await lock('first');
    lead = TTL; // the clock says the lock is due; its timer has not fired yet
    expect((await lock('second')).reply).to.deep.equal({ type: 'seat.accepted' });
    expect(store.expiryCount()).to.equal(1);
    lead = 0;
    timers.increment(TTL); // the first lock's deadline: the second lock must survive it
    expect((await store.get('A2')).context.lock?.userId).to.equal('second');
    timers.increment(TTL);
    expect((await store.get('A2')).state).to.equal('available');
    expect(await store.summary()).to.include({ locked: 0 });
  });

  it('freezes a booked seat as a snapshot that still answers retries and refusals', async () => {
    const { store, lock, confirm, release } = setup();
    await lock('B5', 'bob', 'L9');
    await confirm('B5', 'bob', 'L9');
    expect(store.keptCount()).to.equal(1);
    expect(store.expiryCount()).to.equal(0);
    expect((await confirm('B5', 'bob', 'L9')).reply).to.deep.equal({ type: 'seat.accepted' });
    expect((await lock('B5', 'carol')).reply).to.deep.include({ code: 'SEAT_BOOKED' });
    expect((await release('B5', 'bob')).reply).to.deep.include({ code: 'SEAT_BOOKED' });
    expect((await store.get('B5')).context.booking).to.include({ userId: 'bob', lockId: 'L9' });
  });

  it('keeps no entry for a refused request on an untouched seat', async () => {
    const { store, confirm, release } = setup();
    expect((await confirm('A3', 'alice')).reply).to.deep.include({ code: 'NOT_LOCKED' });
    expect((await release('A3', 'alice')).reply).to.deep.include({ code: 'NOT_LOCKED' });
    expect(store.keptCount()).to.equal(0);
  });

  for (const inspected of [false, true]) {
    it(`answers every request exactly as one eager actor per seat would (differential, ${inspected ? 'inspected: live actors' : 'pure steps'})`, async () => {
      // A seeded walk of requests and time steps on eight seats, replayed on plain actors.
      const { clock, store } = setup(1, 8, inspected ? () => {} : undefined);
      const eager = new Map<string, ReturnType<typeof createActor<typeof seatMachine>>>();
      let lastReply: SeatReply | undefined;
      for (const id of ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8']) {
        const actor = createActor(seatMachine, { input: { ttlMs: TTL }, clock });
        actor.on('*', (emitted) => emitted.type !== 'seat.moved' && (lastReply = emitted));
        eager.set(id, actor.start());
      }
      let seed = 7; // xorshift32: the same walk on every run
      const random = (n: number) => {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return (seed >>> 0) % n;
      };
      const users = ['u1', 'u2', 'u3'];
      const locks = new Map<string, string>();
      const seen = new Set<string>();
      for (let step = 0; step < 600; step++) {
        if (random(5) === 0) {
          clock.increment([TTL / 2, TTL, 1][random(3)]);
          await Promise.resolve();
          continue;
        }
        const id = `A${random(8) + 1}`;
        const userId = users[random(3)];
        const type = (['LOCK', 'LOCK', 'LOCK', 'CONFIRM', 'RELEASE'] as const)[random(5)];
        const lockId =
          type === 'LOCK' ? `L${step}` : random(3) === 0 ? 'stale' : locks.get(`${userId}${id}`);
        const event = { type, userId, lockId, now: clock.now() } as SeatRequestEvent;
        if (type === 'LOCK') locks.set(`${userId}${id}`, lockId!);
        lastReply = undefined;
        eager.get(id)!.send(event);
        const expected = { reply: lastReply, snapshot: eager.get(id)!.getSnapshot() };
        const actual = await store.apply(id, event);
        seen.add(`${type}:${actual.reply?.type === 'seat.refused' ? actual.reply.code : 'ok'}`);
        expect(actual.reply, `step ${step}`).to.deep.equal(expected.reply);
        expect(actual.seat.state, `step ${step}`).to.equal(expected.snapshot.value);
        expect(actual.seat.context, `step ${step}`).to.deep.equal(expected.snapshot.context);
      }
      // The walk is only worth something if it reached every kind of answer.
      expect([...seen].sort()).to.deep.equal([
        'CONFIRM:LOCK_EXPIRED',
        'CONFIRM:LOCK_NOT_HELD',
        'CONFIRM:NOT_LOCKED',
        'CONFIRM:SEAT_BOOKED',
        'CONFIRM:ok',
        'LOCK:SEAT_BOOKED',
        'LOCK:SEAT_LOCKED',
        'LOCK:ok',
        'RELEASE:LOCK_EXPIRED',
        'RELEASE:LOCK_NOT_HELD',
        'RELEASE:NOT_LOCKED',
        'RELEASE:SEAT_BOOKED',
        'RELEASE:ok',
      ]);
      for (const [id, actor] of eager) {
        const seat = await store.get(id);
        expect(seat.state).to.equal(actor.getSnapshot().value);
        actor.stop();
      }
    });
  }
});
