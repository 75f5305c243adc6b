import { expect } from 'chai';
import { Client } from 'pg';
import { initialTransition } from 'xstate';
import { seatMachine } from '../../../machines/seatMachine';
import { stepSeat } from '../../../machines/run/stepSeat';
import { LockBatch, type LockWrite } from '../../../src/store/postgres/LockBatch';
import { columns, countDelta, counterOf } from '../../../src/store/postgres/seatRow';
import type { PostgresSeatStore } from '../../../src/store/postgres/PostgresSeatStore';
import type { SeatTransition } from '../../../src/store/SeatStore';
import { countersAndRecount, usePostgresStores } from '../../support/postgres';
import { waitFor } from '../../support/waitFor';

const NOW = 1_700_000_000_000;

/** The one-trip write of `userId` locking seat `index`, as the machine decides it on a free seat. */
function lockOf(
  index: number,
  userId: string,
  guess: { seatVersion?: number; userVersion?: number } = {},
): LockWrite {
  const initial = initialTransition(seatMachine, { ttlMs: 60_000 })[0];
  const step = stepSeat(initial, { type: 'LOCK', userId, lockId: `L-${userId}`, now: NOW });
  return {
    eventId: 'default',
    index,
    seatVersion: guess.seatVersion ?? 0,
    userId,
    userVersion: guess.userVersion ?? 0,
    ...columns(step.snapshot),
    ...counterOf(index),
    ...countDelta(step.states),
    payload: JSON.stringify({
      event: 'default',
      idx: index,
      at: NOW,
      origin: 'test',
      changes: step.changes,
    }),
  };
}

describe('Locks written many to a statement (LockBatch)', function () {
  this.timeout(30_000);
  const { db, open } = usePostgresStores();
  let store: PostgresSeatStore;
  /** The batch statements sent, each with its number of locks. */
  let statements: number[];
  let batch: LockBatch;
  let heard: SeatTransition[];

  /** The holder and version of seat `index`'s row (undefined: no row). */
  const rowOf = async (index: number) => {
    const client = new Client({ connectionString: db().url });
    await client.connect();
    try {
      const { rows } = await client.query<{ holder: string | null; version: number }>(
        'SELECT holder, version FROM seat WHERE event_id = $1 AND idx = $2',
        ['default', index],
      );
      return rows[0];
    } finally {
      await client.end();
    }
  };

  before(async () => {
    store = await open();
    store.subscribe((t) => heard.push(t));
  });

  beforeEach(() => {
    statements = [];
    heard = [];
    const { db: database } = store.events;
    const counting = Object.create(database) as typeof database;
    counting.query = (text, params, kind, name) => {
      if (text.startsWith('WITH input')) statements.push((params[0] as unknown[]).length);
      return database.query(text, params, kind, name);
    };
    batch = new LockBatch({ db: counting, maxInFlight: 1 });
  });

  it('sends the locks asked in one turn as one statement, and writes, counts and publishes each', async () => {
    const written = await Promise.all([0, 1, 2, 3, 4].map((i) => batch.write(lockOf(i, `u${i}`))));
    expect(written).to.deep.equal([true, true, true, true, true]);
    expect(statements).to.deep.equal([5]);
    for (const i of [0, 1, 2, 3, 4]) expect((await rowOf(i))?.holder).to.equal(`u${i}`);
    const { kept, recount } = await countersAndRecount(db().url);
    expect(kept).to.deep.equal(recount);
    await waitFor(() => heard.length === 5);
    expect(heard.map((t) => t.id).sort()).to.deep.equal(['A1', 'A2', 'A3', 'A4', 'A5']);
  });

  it('writes the locks whose checks hold and not the one whose seat moved on, all in one statement', async () => {
    // Seat 5 gets a row first: a lock decided on "no row yet" must then write nothing.
    expect(await batch.write(lockOf(5, 'first'))).to.equal(true);
    statements = [];
    const written = await Promise.all([
      batch.write(lockOf(5, 'late')),
      batch.write(lockOf(6, 'v6')),
      batch.write(lockOf(7, 'v7')),
    ]);
    expect(written).to.deep.equal([false, true, true]);
    expect(statements).to.deep.equal([3]);
    expect(await rowOf(5)).to.deep.equal({ holder: 'first', version: 1 });
    // Nothing was committed for the lock that failed its check: not even the user's row.
    expect(await batch.write(lockOf(8, 'late'))).to.equal(true);
  });

  it('never puts two locks of one seat in one statement: the later one loses as soon as the earlier took the seat', async () => {
    const written = await Promise.all([
      batch.write(lockOf(10, 'ann')),
      batch.write(lockOf(10, 'ben')),
      batch.write(lockOf(11, 'cat')),
    ]);
    expect(written).to.deep.equal([true, false, true]);
    // Decided on the version ann's lock took the seat at, ben's could only fail: no statement.
    expect(statements).to.deep.equal([2]);
    expect((await rowOf(10))?.holder).to.equal('ann');
  });

  it('sends the later lock of a seat when the earlier one did not take it', async () => {
    expect(await batch.write(lockOf(30, 'owner'))).to.equal(true);
    statements = [];
    const written = await Promise.all([
      // Decided on "no row yet": fails its check, so the seat is still open to the next guess.
      batch.write(lockOf(30, 'stale')),
      batch.write(lockOf(30, 'fresh', { seatVersion: 1 })),
    ]);
    expect(written).to.deep.equal([false, true]);
    expect(statements).to.deep.equal([1, 1]);
  });

  describe('a row another transaction holds', () => {
    /** Runs `work` while another connection holds the rows `locking` locks, then lets them go. */
    const whileHeld = async <T>(locking: string, params: unknown[], work: () => Promise<T>) => {
      const other = new Client({ connectionString: db().url });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query(locking, params);
        return await work();
      } finally {
        await other.query('ROLLBACK');
        await other.end();
      }
    };

    it('skips a user whose row is held: that lock is not written, the others are, and nobody waits', async () => {
      expect(await batch.write(lockOf(40, 'held'))).to.equal(true);
      const written = await whileHeld(
        'SELECT 1 FROM user_locks WHERE event_id = $1 AND user_id = $2 FOR UPDATE',
        ['default', 'held'],
        () =>
          Promise.all([
            batch.write(lockOf(41, 'held', { userVersion: 1 })),
            batch.write(lockOf(42, 'free')),
          ]),
      );
      expect(written).to.deep.equal([false, true]);
      expect(await rowOf(41)).to.equal(undefined);
      // Once the row is let go, the same lock is written.
      expect(await batch.write(lockOf(41, 'held', { userVersion: 1 }))).to.equal(true);
    });

    it('skips a seat whose row is held: that lock is not written, the others are, and nobody waits', async () => {
      expect(await batch.write(lockOf(43, 'before'))).to.equal(true);
      const written = await whileHeld(
        'SELECT 1 FROM seat WHERE event_id = $1 AND idx = $2 FOR UPDATE',
        ['default', 43],
        () =>
          Promise.all([
            batch.write(lockOf(43, 'after', { seatVersion: 1 })),
            batch.write(lockOf(44, 'other')),
          ]),
      );
      expect(written).to.deep.equal([false, true]);
      expect(await rowOf(43)).to.deep.equal({ holder: 'before', version: 1 });
      // The user's first row was made before the seat was skipped (a version bump without a
      // lock, as when a seat's guess fails): the next try is decided on it.
      const retry = lockOf(43, 'after', { seatVersion: 1, userVersion: 1 });
      expect(await batch.write(retry)).to.equal(true);
      expect(await rowOf(43)).to.deep.equal({ holder: 'after', version: 2 });
    });
  });

  it('never puts two locks of one user in one statement: each is checked on the user’s version', async () => {
    const written = await Promise.all([
      batch.write(lockOf(12, 'dan')),
      // Decided on the same "dan has no row" as the first: once the first made it, this fails.
      batch.write(lockOf(13, 'dan')),
    ]);
    expect(written).to.deep.equal([true, false]);
    expect(statements).to.deep.equal([1, 1]);
    expect(await rowOf(13)).to.equal(undefined);
    // Decided on the version the first lock left: written.
    expect(await batch.write(lockOf(13, 'dan', { userVersion: 1 }))).to.equal(true);
  });

  it('fails every lock of a statement the database refuses, with its error, and goes on serving', async () => {
    const bad = { ...lockOf(14, 'eve'), snapshot: 'not json' };
    const outcomes = await Promise.allSettled([batch.write(bad), batch.write(lockOf(15, 'fay'))]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'rejected']);
    expect(await rowOf(15)).to.equal(undefined);
    expect(await batch.write(lockOf(15, 'fay'))).to.equal(true);
  });

  it('refuses a lock at once when too many wait, having written nothing', async () => {
    const small = new LockBatch({ db: store.events.db, maxInFlight: 1, queueLimit: 2 });
    const outcomes = await Promise.allSettled(
      [16, 17, 18].map((i) => small.write(lockOf(i, `q${i}`))),
    );
    expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'fulfilled', 'rejected']);
    expect((outcomes[2] as PromiseRejectedResult).reason).to.include({
      name: 'StoreUnavailableError',
      outcome: 'not-applied',
    });
    expect(await rowOf(18)).to.equal(undefined);
  });
});
