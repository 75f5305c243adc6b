import { expect } from 'chai';
import fc from 'fast-check';
import { SimulatedClock } from 'xstate';
import { applySeatEvent } from '../../machines/run/stepSeat';
import type { SeatReply, SeatRequestEvent } from '../../machines/seatTypes';
import type { Clock } from '../../src/clock';
import { MemoryEventStores } from '../../src/store/memory/MemoryEventStores';
import type { SeatStore, SeatTransition } from '../../src/store/SeatStore';
import { Venue } from '../../src/venue';
import { initialSeat, specExpire, type SpecSnapshot } from '../../src/verify/seatSpec';
import { waitFor } from '../support/waitFor';

/** The simulated time every contract case starts at. */
const START = 1_700_000_000_000;

/** A test clock: xstate's SimulatedClock, which fires due timers as soon as time moves. */
export type ContractClock = SimulatedClock & Clock;

/** The venue and lock TTL a case wants its store opened with. */
export interface StoreSettings {
  rows: number;
  seatsPerRow: number;
  ttlMs: number;
  clock: ContractClock;
}

/**
 * How the contract reaches one kind of store. A new store kind passes the suite by providing
 * these; a new store duty is a new entry in {@link storeContractCases}.
 */
export interface StoreFactory {
  /** `memory`, `PostgreSQL`, …: the suite's title. */
  name: string;
  /** A store on an empty venue: nothing of an earlier store's seats is left. */
  newStore(settings: StoreSettings): Promise<SeatStore>;
  /**
   * For a store shared by several service instances: another instance over the same seats as the
   * last {@link newStore}. Absent for a store that lives in one process.
   */
  openShared?(settings: StoreSettings): Promise<SeatStore>;
  /**
   * Lets `ms` pass with no request: the clock moves, and the store does what it does with time
   * alone (the memory store's timers fire; PostgreSQL's sweeper is run by hand).
   */
  passTime(store: SeatStore, clock: ContractClock, ms: number): Promise<void>;
  /** fast-check runs of the model property (default 100); a store on a database may ask fewer. */
  propertyRuns?: number;
}

/** One duty of every store, as a case that can also be run on its own (see the broken store). */
export interface StoreContractCase {
  name: string;
  /** Only for stores shared across instances ({@link StoreFactory.openShared}). */
  sharedOnly?: boolean;
  run(factory: StoreFactory): Promise<void>;
}

const lock = (userId: string, lockId: string, now: number): SeatRequestEvent => ({
  type: 'LOCK',
  userId,
  lockId,
  now,
});
const confirm = (userId: string, now: number, lockId?: string): SeatRequestEvent => ({
  type: 'CONFIRM',
  userId,
  lockId,
  now,
});
const release = (userId: string, now: number, lockId?: string): SeatRequestEvent => ({
  type: 'RELEASE',
  userId,
  lockId,
  now,
});
const holdEvent = (
  userId: string,
  holdId: string,
  until: number,
  now: number,
): SeatRequestEvent => ({
  type: 'HOLD',
  userId,
  holdId,
  until,
  now,
});
const accepted: SeatReply = { type: 'seat.accepted' };

/** Opens the stores a case needs and closes them whatever happens. */
async function withStores<T>(
  factory: StoreFactory,
  settings: Omit<StoreSettings, 'clock'>,
  count: 1 | 2,
  body: (stores: SeatStore[], clock: ContractClock) => Promise<T>,
): Promise<T> {
  const clock = new SimulatedClock() as ContractClock;
  clock.set(START);
  const stores: SeatStore[] = [];
  try {
    stores.push(await factory.newStore({ ...settings, clock }));
    if (count === 2) stores.push(await factory.openShared!({ ...settings, clock }));
    return await body(stores, clock);
  } finally {
    await Promise.all(stores.map((store) => store.close()));
  }
}

/** The transitions a store publishes, as its subscribers hear them (NOTIFY may lag: wait). */
function listen(store: SeatStore) {
  const heard: SeatTransition[] = [];
  const off = store.subscribe((t) => heard.push(t));
  return {
    heard,
    off,
    /** Waits until `count` transitions were heard, then returns them without `local`. */
    async first(count: number) {
      await waitFor(() => heard.length >= count, { what: `${count} transitions` });
      return heard.slice(0, count).map(({ local: _local, ...t }) => t);
    },
  };
}

export const storeContractCases: StoreContractCase[] = [
  {
    name: "answers every request with the machine's reply, refusal codes and their holder included",
    run: (factory) =>
      withStores(factory, { rows: 1, seatsPerRow: 3, ttlMs: 60_000 }, 1, async ([store]) => {
        const now = START;
        expect((await store.apply('A1', lock('alice', 'L1', now))).reply).to.deep.equal(accepted);
        // A retried lock by its holder is answered with the same lock.
        const retry = await store.apply('A1', lock('alice', 'L9', now));
        expect(retry.reply).to.deep.equal(accepted);
        expect(retry.seat.context.lock).to.deep.include({ userId: 'alice', lockId: 'L1' });
        expect((await store.apply('A1', lock('bob', 'L2', now))).reply).to.deep.equal({
          type: 'seat.refused',
          code: 'SEAT_LOCKED',
          holder: 'another user',
          until: now + 60_000,
        });
        expect((await store.apply('A1', confirm('bob', now))).reply).to.deep.include({
          code: 'LOCK_NOT_HELD',
          holder: 'another user',
        });
        expect((await store.apply('A1', confirm('alice', now, 'L0'))).reply).to.deep.include({
          code: 'LOCK_NOT_HELD',
          holder: 'you',
        });
        expect((await store.apply('A2', confirm('alice', now))).reply).to.deep.include({
          code: 'NOT_LOCKED',
        });
        const booked = await store.apply('A1', confirm('alice', now, 'L1'));
        expect(booked.reply).to.deep.equal(accepted);
        expect(booked.seat.state).to.equal('booked');
        expect((await store.apply('A1', confirm('alice', now, 'L1'))).reply).to.deep.equal(
          accepted,
        );
        expect((await store.apply('A1', lock('bob', 'L3', now))).reply).to.deep.include({
          code: 'SEAT_BOOKED',
          holder: 'another user',
        });
        expect((await store.apply('A1', release('alice', now))).reply).to.deep.include({
          code: 'SEAT_BOOKED',
          holder: 'you',
        });
        await store.apply('A3', lock('carol', 'L4', now));
        expect((await store.apply('A3', release('carol', now, 'L4'))).reply).to.deep.equal(
          accepted,
        );
        expect((await store.get('A3')).state).to.equal('available');
        expect(await store.get('A1')).to.deep.include({ id: 'A1', state: 'booked' });
      }),
  },
  {
    name: 'expires a due lock on the next request, before any timer or sweep',
    run: (factory) =>
      withStores(factory, { rows: 1, seatsPerRow: 2, ttlMs: 1000 }, 1, async ([store]) => {
        const events = listen(store);
        await store.apply('A1', lock('alice', 'L1', START));
        await store.apply('A2', lock('alice', 'L2', START));
        // The clock has not moved (no timer fired, nothing swept): only the requests' `now` did.
        const due = START + 1000;
        expect((await store.apply('A1', lock('bob', 'L3', due))).reply).to.deep.equal(accepted);
        expect((await store.apply('A2', confirm('alice', due, 'L2'))).reply).to.deep.equal({
          type: 'seat.refused',
          code: 'LOCK_EXPIRED',
          holder: 'you',
          until: due,
        });
        const moves = (await events.first(5)).map((t) => `${t.id} ${t.reason} ${t.userId}`);
        expect(moves).to.deep.equal([
          'A1 locked alice',
          'A2 locked alice',
          'A1 expired alice',
          'A1 locked bob',
          'A2 expired alice',
        ]);
        expect(await store.summary()).to.deep.equal({
          total: 2,
          available: 1,
          locked: 1,
          booked: 0,
        });
      }),
  },
  {
    name: 'expires a lock by time alone, telling subscribers why and whose',
    run: (factory) =>
      withStores(factory, { rows: 1, seatsPerRow: 2, ttlMs: 1000 }, 1, async ([store], clock) => {
        const events = listen(store);
        await store.apply('A1', lock('alice', 'L1', clock.now()));
        await factory.passTime(store, clock, 999);
        expect((await store.get('A1')).state, '1 ms before the deadline').to.equal('locked');
        await factory.passTime(store, clock, 1);
        expect((await store.get('A1')).state).to.equal('available');
        expect(await store.summary()).to.include({ available: 2, locked: 0 });
        expect((await store.list({ state: 'locked', limit: 10 })).seats).to.deep.equal([]);
        expect(await events.first(2)).to.deep.equal([
          {
            id: 'A1',
            from: 'available',
            to: 'locked',
            reason: 'locked',
            userId: 'alice',
            at: START,
          },
          {
            id: 'A1',
            from: 'locked',
            to: 'available',
            reason: 'expired',
            userId: 'alice',
            at: START + 1000,
          },
        ]);
        const late = await store.apply('A1', confirm('alice', clock.now(), 'L1'));
        expect(late.reply).to.deep.include({ code: 'LOCK_EXPIRED', holder: 'you' });
      }),
  },
  {
    name: 'publishes every transition with its reason until unsubscribed',
    run: (factory) =>
      withStores(factory, { rows: 1, seatsPerRow: 2, ttlMs: 1000 }, 1, async ([store]) => {
        const events = listen(store);
        const second = listen(store);
        await store.apply('A1', lock('alice', 'L1', START));
        await store.apply('A1', confirm('alice', START, 'L1'));
        await store.apply('A2', lock('bob', 'L2', START));
        await store.apply('A2', lock('carol', 'L3', START)); // refused: no transition
        await store.apply('A2', release('bob', START, 'L2'));
        const moves = await events.first(4);
        expect(moves.map((t) => [t.id, t.from, t.to, t.reason, t.userId])).to.deep.equal([
          ['A1', 'available', 'locked', 'locked', 'alice'],
          ['A1', 'locked', 'booked', 'confirmed', 'alice'],
          ['A2', 'available', 'locked', 'locked', 'bob'],
          ['A2', 'locked', 'available', 'released', 'bob'],
        ]);
        expect(await second.first(4)).to.deep.equal(moves);
        second.off();
        const probe = listen(store);
        await store.apply('A2', lock('dave', 'L4', START));
        await probe.first(1);
        expect(events.heard).to.have.length(5);
        expect(second.heard, 'unsubscribed').to.have.length(4);
      }),
  },
  {
    name: 'pages every seat once, in venue order, by state, and keeps the summary in step',
    run: (factory) =>
      withStores(factory, { rows: 4, seatsPerRow: 5, ttlMs: 60_000 }, 1, async ([store]) => {
        const venue = new Venue(4, 5);
        const lockedIds = ['A2', 'B5', 'D1'];
        const bookedIds = ['A3', 'C4'];
        for (const id of [...lockedIds, ...bookedIds]) {
          await store.apply(id, lock('u', `L-${id}`, START));
        }
        for (const id of bookedIds) await store.apply(id, confirm('u', START, `L-${id}`));
        const walk = async (state?: 'available' | 'locked' | 'booked', limit = 3) => {
          const ids: string[] = [];
          let after: string | undefined;
          for (let pages = 0; pages < 30; pages++) {
            const page = await store.list({ state, after, limit });
            expect(page.seats.length).to.be.at.most(limit);
            ids.push(...page.seats.map((seat) => seat.id));
            for (const seat of page.seats) if (state) expect(seat.state).to.equal(state);
            if (page.next === null) return ids;
            after = page.next;
          }
          throw new Error('paging did not end');
        };
        const all = Array.from({ length: venue.size }, (_, i) => venue.idAt(i));
        expect(await walk(undefined, 7)).to.deep.equal(all);
        expect(await walk('locked', 2)).to.deep.equal(lockedIds);
        expect(await walk('booked', 1)).to.deep.equal(bookedIds);
        const available = all.filter((id) => ![...lockedIds, ...bookedIds].includes(id));
        expect(await walk('available', 4)).to.deep.equal(available);
        const page = await store.list({ after: 'A5', limit: 2 });
        expect(page.seats.map((seat) => seat.id)).to.deep.equal(['B1', 'B2']);
        expect(page.next).to.equal('B2');
        expect(await store.summary()).to.deep.equal({
          total: 20,
          available: 15,
          locked: 3,
          booked: 2,
        });
      }),
  },
  {
    name: 'lets exactly one of many concurrent lockers of a seat win',
    run: (factory) =>
      withStores(factory, { rows: 1, seatsPerRow: 2, ttlMs: 60_000 }, 1, async ([store]) => {
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) => store.apply('A1', lock(`u${i}`, `L${i}`, START))),
        );
        const winners = results.filter((r) => r.reply?.type === 'seat.accepted');
        expect(winners, 'locks accepted').to.have.length(1);
        const holder = (await store.get('A1')).context.lock;
        expect(holder?.lockId).to.equal(winners[0].seat.context.lock?.lockId);
        expect(await store.summary()).to.include({ locked: 1 });
      }),
  },
  {
    name: 'lets exactly one of many concurrent lockers win across two instances',
    sharedOnly: true,
    run: (factory) =>
      withStores(factory, { rows: 1, seatsPerRow: 2, ttlMs: 60_000 }, 2, async (stores) => {
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            stores[i % 2].apply('A1', lock(`u${i}`, `L${i}`, START)),
          ),
        );
        expect(results.filter((r) => r.reply?.type === 'seat.accepted')).to.have.length(1);
        const [a, b] = await Promise.all(stores.map((store) => store.get('A1')));
        expect(a.context.lock).to.deep.equal(b.context.lock);
      }),
  },
  {
    name: 'hosts the per-user lock cap: concurrent locks of one user never pass it',
    run: (factory) =>
      withStores(factory, { rows: 1, seatsPerRow: 6, ttlMs: 60_000 }, 1, async ([store]) => {
        const quota = store.createLockQuota(2);
        try {
          const results = await Promise.all(
            ['A1', 'A2', 'A3', 'A4'].map((id) =>
              quota.admit('alice', id, () => store.apply(id, lock('alice', `L-${id}`, START))),
            ),
          );
          expect(results.filter((r) => r.ok)).to.have.length(2);
          expect(results.find((r) => !r.ok)).to.deep.include({
            code: 'TOO_MANY_LOCKS',
            held: 2,
            max: 2,
          });
          const other = await quota.admit('bob', 'A5', () =>
            store.apply('A5', lock('bob', 'L-A5', START)),
          );
          expect(other.ok, 'another user has a cap of their own').to.equal(true);
        } finally {
          quota.close();
        }
      }),
  },
  {
    name: 'holds the per-user lock cap across two instances raced by one user, counting releases and expiries as the machine does',
    sharedOnly: true,
    run: (factory) =>
      withStores(factory, { rows: 1, seatsPerRow: 8, ttlMs: 1000 }, 2, async (stores, clock) => {
        const quotas = stores.map((store) => store.createLockQuota(3));
        const take = (i: number, id: string, userId = 'alice') =>
          quotas[i % 2].admit(userId, id, () =>
            stores[i % 2].apply(id, lock(userId, `L-${id}-${clock.now()}`, clock.now())),
          );
        const seats = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8'];
        try {
          const raced = await Promise.all(seats.map((id, i) => take(i, id)));
          expect(
            raced.filter((r) => r.ok),
            'admitted',
          ).to.have.length(3);
          expect(raced.filter((r) => !r.ok)).to.have.length(5);
          const held = (await stores[0].list({ state: 'locked', limit: 10 })).seats.map(
            (seat) => seat.id,
          );
          expect(held).to.have.length(3);
          const free = seats.filter((id) => !held.includes(id));
          expect((await take(0, 'A8', 'bob')).ok, 'another user has a cap of their own').to.equal(
            free.includes('A8'),
          );
          // A release on one instance frees a place on the other.
          await stores[0].apply(held[0], release('alice', clock.now()));
          expect((await take(1, free[0])).ok).to.equal(true);
          expect(await take(0, free[1])).to.deep.include({ ok: false, code: 'TOO_MANY_LOCKS' });
          // Nobody swept: the locks are due, and the machine says they no longer count.
          clock.set(START + 1000);
          const again = await Promise.all(free.slice(1, 5).map((id, i) => take(i, id)));
          expect(again.filter((r) => r.ok)).to.have.length(3);
        } finally {
          for (const quota of quotas) quota.close();
        }
      }),
  },
  {
    name: 'steps several seats all or nothing: one refusal changes no seat and names every refused seat with its code',
    run: (factory) =>
      withStores(factory, { rows: 1, seatsPerRow: 4, ttlMs: 60_000 }, 1, async ([store]) => {
        const heard = listen(store);
        await store.apply('A2', lock('bob', 'LB', START));
        await store.apply('A4', lock('alice', 'LA', START));
        const hold = holdEvent('alice', 'H1', START + 60_000, START);
        const refused = await store.applyAll(
          ['A1', 'A2', 'A3', 'A4'].map((id) => ({ id, event: hold })),
        );
        expect(refused.ok).to.equal(false);
        const named = refused.ok ? [] : refused.refused.map(({ id, reply }) => [id, reply]);
        expect(named).to.deep.equal([
          [
            'A2',
            {
              type: 'seat.refused',
              code: 'SEAT_LOCKED',
              holder: 'another user',
              until: START + 60_000,
            },
          ],
          [
            'A4',
            { type: 'seat.refused', code: 'SEAT_LOCKED', holder: 'you', until: START + 60_000 },
          ],
        ]);
        for (const id of ['A1', 'A3'])
          expect((await store.get(id)).state, id).to.equal('available');
        const held = await store.applyAll(['A3', 'A1'].map((id) => ({ id, event: hold })));
        expect(
          held.ok && held.seats.map((seat) => [seat.id, seat.context.lock?.holdId]),
        ).to.deep.equal([
          ['A3', 'H1'],
          ['A1', 'H1'],
        ]);
        expect(await store.summary()).to.include({ locked: 4 });
        const moves = await heard.first(4);
        expect(
          moves.slice(2).map(({ id, reason, userId }) => [id, reason, userId]),
        ).to.have.deep.members([
          ['A1', 'locked', 'alice'],
          ['A3', 'locked', 'alice'],
        ]);
        heard.off();
      }),
  },
  {
    name: "expires a hold's seats together by time alone, and books them together",
    run: (factory) =>
      withStores(factory, { rows: 1, seatsPerRow: 4, ttlMs: 60_000 }, 1, async ([store], clock) => {
        const seats = ['A1', 'A2', 'A3'];
        const take = (holdId: string, until: number) =>
          store.applyAll(
            seats.map((id) => ({ id, event: holdEvent('alice', holdId, until, clock.now()) })),
          );
        expect((await take('H1', START + 1000)).ok).to.equal(true);
        await factory.passTime(store, clock, 999);
        expect((await store.summary()).locked).to.equal(3);
        await factory.passTime(store, clock, 1);
        const after = await Promise.all(seats.map((id) => store.get(id)));
        expect(after.map((seat) => seat.state)).to.deep.equal([
          'available',
          'available',
          'available',
        ]);
        expect(await store.summary()).to.include({ locked: 0 });
        expect((await take('H2', clock.now() + 1000)).ok).to.equal(true);
        const confirm = {
          type: 'CONFIRM',
          userId: 'alice',
          holdId: 'H2',
          now: clock.now(),
        } as const;
        const booked = await store.applyAll(seats.map((id) => ({ id, event: confirm })));
        expect(booked.ok && booked.seats.map((seat) => seat.state)).to.deep.equal([
          'booked',
          'booked',
          'booked',
        ]);
        expect(await store.summary()).to.include({ locked: 0, booked: 3 });
      }),
  },
  {
    name: 'lets overlapping multi-seat steps race: each seat goes to one of them, and none is ever partly applied',
    run: (factory) =>
      withStores(
        factory,
        { rows: 1, seatsPerRow: 5, ttlMs: 60_000 },
        factory.openShared ? 2 : 1,
        async (stores) => {
          const sets = [
            ['A1', 'A2'],
            ['A2', 'A3'],
            ['A3', 'A4', 'A5'],
            ['A5', 'A1'],
            ['A4', 'A2'],
            ['A1', 'A3', 'A5'],
          ];
          const results = await Promise.all(
            sets.map((ids, i) =>
              stores[i % stores.length].applyAll(
                ids.map((id) => ({
                  id,
                  event: holdEvent(`u${i}`, `H${i}`, START + 60_000, START),
                })),
              ),
            ),
          );
          const seats = new Map(
            (await stores[0].list({ limit: 10 })).seats.map((seat) => [seat.id, seat]),
          );
          results.forEach((result, i) => {
            const mine = sets[i].filter((id) => seats.get(id)!.context.lock?.holdId === `H${i}`);
            expect(mine, `H${i} ${result.ok ? 'accepted' : 'refused'}`).to.have.length(
              result.ok ? sets[i].length : 0,
            );
            if (!result.ok) {
              expect(result.refused.every(({ reply }) => reply?.type === 'seat.refused')).to.equal(
                true,
              );
            }
          });
          expect(
            results.some((result) => result.ok),
            'some step won',
          ).to.equal(true);
        },
      ),
  },
  {
    name: 'keeps two events apart: the same seat id locked on both, each with its own transitions, summary, lock cap and expiry',
    run: (factory) =>
      withStores(factory, { rows: 1, seatsPerRow: 3, ttlMs: 60_000 }, 1, async ([store], clock) => {
        // Another event beside the store's, where createApp would put it (PostgreSQL: the same
        // database; a store of one process: a store of its own in memory).
        const events = store.events ?? new MemoryEventStores({ clock });
        const other = events.openEvent({ id: 'other-event', lockTtlMs: 1000 }, new Venue(1, 3));
        const mine = listen(store);
        const theirs = listen(other);
        const [quota, otherQuota] = [store.createLockQuota(1), other.createLockQuota(1)];
        try {
          const take = (seats: SeatStore, cap: typeof quota, id: string, userId: string) =>
            cap.admit(userId, id, () => seats.apply(id, lock(userId, `L-${userId}`, clock.now())));
          expect(await take(store, quota, 'A1', 'alice')).to.deep.include({ ok: true });
          expect(await take(other, otherQuota, 'A1', 'bob')).to.deep.include({ ok: true });
          // alice's one lock in the store's event leaves her cap in the other event untouched.
          expect(await take(other, otherQuota, 'A2', 'alice')).to.deep.include({ ok: true });
          expect(await take(other, otherQuota, 'A3', 'alice')).to.deep.include({
            ok: false,
            code: 'TOO_MANY_LOCKS',
          });
          expect((await store.get('A1')).context.lock).to.include({ userId: 'alice' });
          expect((await other.get('A1')).context.lock).to.include({ userId: 'bob' });
          await store.apply('A1', confirm('alice', clock.now(), 'L-alice'));
          expect(await store.summary()).to.deep.include({ locked: 0, booked: 1 });
          expect(await other.summary()).to.deep.include({ locked: 2, booked: 0 });
          // The other event's locks last its own TTL (1 s); the store's booking is untouched.
          await factory.passTime(store, clock, 1000);
          expect(await other.summary()).to.deep.include({ available: 3, locked: 0 });
          expect((await store.get('A1')).state).to.equal('booked');
          const heard = (t: SeatTransition) => `${t.id} ${t.reason} ${t.userId}`;
          expect((await mine.first(2)).map(heard)).to.deep.equal([
            'A1 locked alice',
            'A1 confirmed alice',
          ]);
          expect((await theirs.first(4)).map(heard)).to.have.members([
            'A1 locked bob',
            'A2 locked alice',
            'A1 expired bob',
            'A2 expired alice',
          ]);
          expect(mine.heard, 'nothing of the other event').to.have.length(2);
        } finally {
          quota.close();
          otherQuota.close();
          await other.close();
        }
      }),
  },
  {
    name: 'hosts holds: made, extended and booked with their seats, refused as a whole, expired by time alone',
    run: (factory) =>
      withStores(factory, { rows: 1, seatsPerRow: 5, ttlMs: 1000 }, 1, async ([store], clock) => {
        const holds = store.createHolds();
        const limits = { ttlMs: 1000, maxExtensions: 1, maxMs: 10_000, maxSeats: 3 };
        const create = (id: string, userId: string, seats: string[]) =>
          holds.create({ id, ...limits }, { type: 'CREATE', userId, seats, now: clock.now() });
        await store.apply('A3', lock('bob', 'LB', clock.now()));
        const refused = await create('H0', 'alice', ['A2', 'A3']);
        expect(refused).to.deep.include({ ok: false, refusedBy: 'seats' });
        expect(await holds.get('H0', clock.now()), 'nothing kept').to.equal(undefined);
        expect((await store.get('A2')).state).to.equal('available');
        const made = await create('H1', 'alice', ['A1', 'A2']);
        expect(made.ok && made.hold.state).to.equal('open');
        await factory.passTime(store, clock, 500);
        const extended = await holds.send('H1', {
          type: 'EXTEND',
          userId: 'alice',
          now: clock.now(),
        });
        expect(extended.ok && extended.hold.context.until).to.equal(START + 1500);
        expect((await store.get('A2')).context.lock?.until).to.equal(START + 1500);
        const again = await holds.send('H1', { type: 'EXTEND', userId: 'alice', now: clock.now() });
        expect(again.ok || (again.refusedBy === 'hold' && again.reply)).to.deep.equal({
          type: 'hold.refused',
          code: 'EXTENSION_LIMIT',
        });
        expect(
          await holds.send('H1', { type: 'RELEASE', userId: 'bob', now: clock.now() }),
        ).to.deep.include({ ok: false, refusedBy: 'hold' });
        const confirm = {
          type: 'CONFIRM',
          userId: 'alice',
          bookingId: 'B1',
          now: clock.now(),
        } as const;
        const booked = await holds.send('H1', confirm);
        expect(booked.ok && booked.hold.context.booking).to.deep.equal({
          id: 'B1',
          at: START + 500,
        });
        expect((await store.summary()).booked).to.equal(2);
        const retried = await holds.send('H1', { ...confirm, bookingId: 'B2' });
        expect(retried.ok && retried.hold.context.booking?.id, 'same booking').to.equal('B1');
        const late = await create('H2', 'carol', ['A4', 'A5']);
        expect(late.ok).to.equal(true);
        await factory.passTime(store, clock, 1000);
        expect((await holds.get('H2', clock.now()))?.state).to.equal('expired');
        const after = await Promise.all(['A4', 'A5'].map((id) => store.get(id)));
        expect(after.map((seat) => seat.state)).to.deep.equal(['available', 'available']);
        const tooLate = await holds.send('H2', {
          type: 'CONFIRM',
          userId: 'carol',
          bookingId: 'B3',
          now: clock.now(),
        });
        expect(tooLate.ok || (tooLate.refusedBy === 'hold' && tooLate.reply)).to.deep.equal({
          type: 'hold.refused',
          code: 'HOLD_EXPIRED',
        });
        expect(
          await holds.send('H9', { type: 'RELEASE', userId: 'carol', now: clock.now() }),
        ).to.deep.equal({ ok: false, refusedBy: 'missing' });
      }),
  },
  {
    name: 'lets overlapping holds race (across instances where shared): each seat goes to one hold, none is half made',
    run: (factory) =>
      withStores(
        factory,
        { rows: 1, seatsPerRow: 5, ttlMs: 60_000 },
        factory.openShared ? 2 : 1,
        async (stores, clock) => {
          const limits = { ttlMs: 60_000, maxExtensions: 2, maxMs: 600_000, maxSeats: 5 };
          const holdStores = stores.map((store) => store.createHolds());
          const sets = [
            ['A1', 'A2'],
            ['A2', 'A3'],
            ['A3', 'A4', 'A5'],
            ['A5', 'A1'],
            ['A4', 'A2'],
            ['A1', 'A3', 'A5'],
          ];
          const results = await Promise.all(
            sets.map((seats, i) =>
              holdStores[i % holdStores.length].create(
                { id: `H${i}`, ...limits },
                { type: 'CREATE', userId: `u${i}`, seats, now: clock.now() },
              ),
            ),
          );
          const seats = new Map(
            (await stores[0].list({ limit: 10 })).seats.map((seat) => [seat.id, seat]),
          );
          for (const [i, result] of results.entries()) {
            const mine = sets[i].filter((id) => seats.get(id)!.context.lock?.holdId === `H${i}`);
            expect(mine, `H${i}`).to.have.length(result.ok ? sets[i].length : 0);
            const kept = await holdStores[(i + 1) % holdStores.length].get(`H${i}`, clock.now());
            expect(kept?.state, `H${i} as the other instance reads it`).to.equal(
              result.ok ? 'open' : undefined,
            );
          }
        },
      ),
  },
  {
    name: "finds a user's locked and booked seats, in seat order, and forgets them when they end (seatsOf)",
    run: (factory) =>
      withStores(factory, { rows: 1, seatsPerRow: 4, ttlMs: 1000 }, 1, async ([store], clock) => {
        const now = START;
        await store.apply('A3', lock('alice', 'L3', now));
        await store.apply('A1', lock('alice', 'L1', now));
        await store.apply('A2', lock('bob', 'L2', now));
        await store.apply('A4', lock('alice', 'L4', now));
        await store.apply('A3', confirm('alice', now, 'L3'));
        await store.apply('A4', release('alice', now, 'L4'));
        const mine = await store.seatsOf('alice');
        expect(mine.map(({ id, state }) => `${id} ${state}`)).to.deep.equal([
          'A1 locked',
          'A3 booked',
        ]);
        expect(mine[0].context.lock).to.include({ userId: 'alice', lockId: 'L1' });
        expect((await store.seatsOf('bob')).map((seat) => seat.id)).to.deep.equal(['A2']);
        expect(await store.seatsOf('nobody')).to.deep.equal([]);
        await factory.passTime(store, clock, 1000);
        expect((await store.seatsOf('alice')).map((seat) => seat.id)).to.deep.equal(['A3']);
        expect(await store.seatsOf('bob')).to.deep.equal([]);
      }),
  },
  {
    name: 'answers ping while it can serve',
    run: (factory) =>
      withStores(factory, { rows: 1, seatsPerRow: 1, ttlMs: 1000 }, 1, async ([store]) => {
        await store.ping();
      }),
  },
  {
    name: 'agrees with the machine model on every reply, seat and summary (fast-check)',
    run: (factory) =>
      fc.assert(
        fc.asyncProperty(fc.array(command, { maxLength: 40 }), (commands) =>
          runAgainstModel(factory, commands),
        ),
        {
          numRuns: factory.propertyRuns ?? 100,
          seed: process.env.CHECK_SEED ? Number(process.env.CHECK_SEED) : undefined,
        },
      ),
  },
];

/**
 * Registers the whole store contract for one kind of store (hono's `runTest({ newRouter })`
 * style): every case of {@link storeContractCases}, shared-store cases only where
 * `openShared` exists.
 *
 * @example
 * ```ts
 * runStoreContract({ name: 'memory', newStore: async (s) => new MemorySeatStore({ venue: new Venue(s.rows, s.seatsPerRow), ...s }), passTime });
 * ```
 */
export function runStoreContract(factory: StoreFactory): void {
  describe(`the store contract on the ${factory.name} store`, function () {
    this.timeout(120_000);
    for (const contractCase of storeContractCases) {
      if (contractCase.sharedOnly && !factory.openShared) continue;
      it(contractCase.name, () => contractCase.run(factory));
    }
  });
}

// ---- the model property ----

const TTL = 100;
const SEATS = 3;
const USERS = 3;

export type Command =
  | { kind: 'LOCK'; seat: number; user: number }
  | {
      kind: 'CONFIRM' | 'RELEASE';
      seat: number;
      user: number;
      lockId: 'latest' | 'none' | 'stale' | 'bogus';
    }
  | { kind: 'advance'; ms: number };

const seatArb = fc.nat({ max: SEATS - 1 });
const userArb = fc.nat({ max: USERS - 1 });
export const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('LOCK' as const), seat: seatArb, user: userArb }),
  fc.record({
    kind: fc.constantFrom('CONFIRM' as const, 'RELEASE' as const),
    seat: seatArb,
    user: userArb,
    lockId: fc.constantFrom('latest' as const, 'none' as const, 'stale' as const, 'bogus' as const),
  }),
  // Around the TTL on purpose: exactly at, just before and just after the deadline.
  fc.record({
    kind: fc.constant('advance' as const),
    ms: fc.oneof(fc.integer({ min: 0, max: 2 * TTL }), fc.constantFrom(TTL - 1, TTL, TTL + 1)),
  }),
);

/**
 * Runs `commands` on a fresh store and, step by step, on the model: the seat machine through pure
 * `transition`, with due locks expired by the machine's own EXPIRE when time moves (the store
 * gets there by its own means: timers, a sweep). Every reply, every seat and the summary must
 * agree after every step.
 */
async function runAgainstModel(factory: StoreFactory, commands: Command[]): Promise<void> {
  const settings = { rows: 1, seatsPerRow: SEATS, ttlMs: TTL };
  await withStores(factory, settings, 1, async ([store], clock) => {
    const venue = new Venue(1, SEATS);
    const model: SpecSnapshot[] = Array.from({ length: SEATS }, () => initialSeat(TTL));
    const lockIds = new Map<string, string[]>();
    let drawn = 0;
    for (const cmd of commands) {
      if (cmd.kind === 'advance') {
        await factory.passTime(store, clock, cmd.ms);
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
  });
}

function pick(choice: 'latest' | 'none' | 'stale' | 'bogus', mine: string[]): string | undefined {
  if (choice === 'none') return undefined;
  if (choice === 'bogus' || mine.length === 0) return 'bogus';
  return choice === 'stale' ? mine[0] : mine[mine.length - 1];
}
