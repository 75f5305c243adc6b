import { expect } from 'chai';
import fc from 'fast-check';
import type { SeatRequestEvent } from '../../../machines/seatTypes';
import { PostgresEvents } from '../../../src/store/postgres/PostgresEvents';
import type { PostgresSeatStore } from '../../../src/store/postgres/PostgresSeatStore';
import { COUNT_BLOCK } from '../../../src/store/postgres/schema';
import type { SeatPage, SeatStore } from '../../../src/store/SeatStore';
import { Venue } from '../../../src/venue';
import { countersAndRecount, emptyDatabase, usePostgresStores } from '../../support/postgres';

const TTL = 60_000;
/** Three blocks: two whole ones and a short last one, so pages cross block boundaries. */
const VENUE = new Venue(50, 100);
const SIZE = VENUE.size;

const lock = (seat: number, now: number): SeatRequestEvent => ({
  type: 'LOCK',
  userId: `u${seat}`,
  lockId: `L${seat}`,
  now,
});

/** Locks every seat of `store` but `free`, 500 seats per multi-seat step. */
async function lockAllBut(store: SeatStore, free: ReadonlySet<number>, now: number) {
  const seats = Array.from({ length: SIZE }, (_, i) => i).filter((i) => !free.has(i));
  for (let i = 0; i < seats.length; i += 500) {
    const part = seats.slice(i, i + 500);
    const result = await store.applyAll(
      part.map((seat) => ({ id: VENUE.idAt(seat), event: lock(seat, now) })),
    );
    expect(result.ok).to.equal(true);
  }
}

/**
 * The available page the whole venue says there should be: every seat read as one page (no
 * state), then filtered, with `next` as the store defines it (the page is full and its last
 * seat is not the venue's last).
 */
async function expectedPage(store: SeatStore, after: string | undefined, limit: number) {
  const all = (await store.list({ limit: SIZE })).seats;
  const from = after === undefined ? 0 : VENUE.indexOf(after)! + 1;
  const seats = all
    .slice(from)
    .filter((seat) => seat.state === 'available')
    .slice(0, limit);
  const last = seats[seats.length - 1];
  const next = seats.length === limit && VENUE.indexOf(last.id)! < SIZE - 1 ? last.id : null;
  return { seats, next };
}

/** Every available page of `store`, `limit` seats at a time, following `next`. */
async function allPages(store: SeatStore, limit: number): Promise<SeatPage[]> {
  const pages: SeatPage[] = [];
  let after: string | undefined;
  do {
    const page = await store.list({ state: 'available', after, limit });
    pages.push(page);
    after = page.next ?? undefined;
  } while (after !== undefined);
  return pages;
}

describe('Available pages on PostgreSQL: full blocks skipped by their counters', function () {
  this.timeout(120_000);
  const { clock, db, open, onClose } = usePostgresStores();

  /** Event `hamlet` on VENUE beside a default event of one seat (every row keyed by event). */
  const openHamlet = async (): Promise<PostgresSeatStore> => {
    const events = await PostgresEvents.open({
      connectionString: db().url,
      venue: new Venue(1, 1),
      ttlMs: TTL,
      clock,
      sweepIntervalMs: 0,
      poolSize: 4,
    });
    onClose(() => events.close());
    const store = events.openEvent({ id: 'hamlet', lockTtlMs: TTL }, VENUE);
    onClose(() => store.close());
    return store;
  };

  before(() => clock.set(1_700_000_000_000));
  beforeEach(async () => {
    await emptyDatabase(db().url);
    clock.increment(24 * 3_600_000); // every lock of an earlier case long past
  });

  for (const [name, openStore] of [
    ['the default event', () => open({ venue: VENUE, ttlMs: TTL })],
    ['an event other than the default one', openHamlet],
  ] as const) {
    it(`pages the few available seats of a nearly sold-out venue, across blocks, with an exact next (${name})`, async () => {
      const store = await openStore();
      // Free seats at both sides of each block boundary, and the venue's last seat.
      const free = new Set([5, COUNT_BLOCK - 1, COUNT_BLOCK, 2 * COUNT_BLOCK + 1, SIZE - 1]);
      await lockAllBut(store, free, clock.now());
      for (const limit of [1, 2, 3, 5, 6]) {
        const pages = await allPages(store, limit);
        for (const [i, page] of pages.entries()) {
          const after = i === 0 ? undefined : (pages[i - 1].next ?? undefined);
          expect(page, `limit ${limit}, page ${i}`).to.deep.equal(
            await expectedPage(store, after, limit),
          );
        }
        const ids = pages.flatMap((page) => page.seats.map((seat) => seat.id));
        expect(ids).to.deep.equal([...free].map((i) => VENUE.idAt(i)));
      }
      // A cursor anywhere, even in a full block or on a taken seat.
      for (const after of [0, 6, COUNT_BLOCK - 1, COUNT_BLOCK + 7, SIZE - 2]) {
        const id = VENUE.idAt(after);
        expect(await store.list({ state: 'available', after: id, limit: 2 })).to.deep.equal(
          await expectedPage(store, id, 2),
        );
      }
      expect(await store.availableRuns(0, SIZE)).to.deep.equal([
        [5, 6],
        [COUNT_BLOCK - 1, COUNT_BLOCK + 1],
        [2 * COUNT_BLOCK + 1, 2 * COUNT_BLOCK + 2],
        [SIZE - 1, SIZE],
      ]);
      expect(await store.availableRuns(COUNT_BLOCK - 1, COUNT_BLOCK + 1)).to.deep.equal([
        [COUNT_BLOCK - 1, COUNT_BLOCK + 1],
      ]);
    });
  }

  it('shows a lock past its deadline as available in a full block before the sweeper, and after it', async () => {
    const store = await open({ venue: VENUE, ttlMs: TTL });
    const lapsing = COUNT_BLOCK + 10;
    expect(
      (await store.apply(VENUE.idAt(lapsing), lock(lapsing, clock.now()))).seat.state,
    ).to.equal('locked');
    clock.increment(TTL / 2);
    await lockAllBut(store, new Set([lapsing, SIZE - 1]), clock.now());
    clock.increment(TTL / 2 + 1); // the first lock's deadline has passed, not the others'
    const before = await store.list({ state: 'available', limit: 1 });
    expect(before.seats.map((seat) => seat.id)).to.deep.equal([VENUE.idAt(lapsing)]);
    expect(before).to.deep.equal(await expectedPage(store, undefined, 1));
    expect(await store.list({ state: 'available', after: before.next!, limit: 5 })).to.deep.equal(
      await expectedPage(store, before.next!, 5),
    );
    // Best available counts a lock the sweeper has not written down yet as taken (a hint only).
    expect(await store.availableRuns(0, SIZE)).to.deep.equal([[SIZE - 1, SIZE]]);
    expect(await store.sweep()).to.equal(1);
    expect(await store.list({ state: 'available', limit: 5 })).to.deep.equal(
      await expectedPage(store, undefined, 5),
    );
    expect(await store.availableRuns(0, SIZE)).to.deep.equal([
      [lapsing, lapsing + 1],
      [SIZE - 1, SIZE],
    ]);
    const { kept, recount } = await countersAndRecount(db().url);
    expect(kept).to.deep.equal(recount);
  });

  it('keeps the block counters equal to a recount through locks, confirms, releases, holds and expiries (fast-check)', async () => {
    const store = await open({ venue: VENUE, ttlMs: TTL });
    const quota = store.createLockQuota(1_000);
    // Seats round the block boundaries, where a wrong block would show.
    const seats = [0, 1, COUNT_BLOCK - 2, COUNT_BLOCK - 1, COUNT_BLOCK, COUNT_BLOCK + 16, SIZE - 1];
    const seat = fc.constantFrom(...seats);
    const user = fc.constantFrom('ann', 'bob');
    const step = fc.oneof(
      fc.record({ kind: fc.constant('lock' as const), seat, user }),
      fc.record({ kind: fc.constant('pipelined lock' as const), seat, user }),
      fc.record({ kind: fc.constant('confirm' as const), seat, user }),
      fc.record({ kind: fc.constant('release' as const), seat, user }),
      fc.record({
        kind: fc.constant('hold' as const),
        seats: fc.uniqueArray(seat, { minLength: 1, maxLength: 3 }),
        user,
      }),
      fc.record({ kind: fc.constant('time' as const), ms: fc.constantFrom(1_000, TTL) }),
    );
    let lockIds = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 12 }), async (steps) => {
        for (const s of steps) {
          const now = clock.now();
          if (s.kind === 'time') {
            clock.increment(s.ms);
            await store.sweep();
          } else if (s.kind === 'hold') {
            const requests = s.seats.map((i) => ({
              id: VENUE.idAt(i),
              event: { type: 'LOCK', userId: s.user, lockId: `H${++lockIds}`, now } as const,
            }));
            await store.applyAll(requests);
          } else if (s.kind === 'pipelined lock') {
            const id = VENUE.idAt(s.seat);
            const event = { type: 'LOCK', userId: s.user, lockId: `P${++lockIds}`, now } as const;
            await quota.lockSeat!(s.user, id, event, undefined);
          } else {
            // CONFIRM and RELEASE name no lock id: the user's lock, whichever it is.
            const event: SeatRequestEvent =
              s.kind === 'lock'
                ? { type: 'LOCK', userId: s.user, lockId: `C${++lockIds}`, now }
                : { type: s.kind === 'confirm' ? 'CONFIRM' : 'RELEASE', userId: s.user, now };
            await store.apply(VENUE.idAt(s.seat), event);
          }
          // After every step (the database carries over from run to run).
          const { kept, recount } = await countersAndRecount(db().url);
          expect(kept, s.kind).to.deep.equal(recount);
        }
        expect(await store.list({ state: 'available', limit: 3 })).to.deep.equal(
          await expectedPage(store, undefined, 3),
        );
      }),
      { numRuns: 25 },
    );
  });
});
