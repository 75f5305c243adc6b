import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { codeOf, expectProblem, ok } from '../../support/api';
import { usePostgresStores } from '../../support/postgres';
import { serve, type Served } from '../../support/serve';
import type { PostgresSeatStore } from '../../../src/store/postgres/PostgresSeatStore';
import { Venue } from '../../../src/venue';

/** The parameters of each statement {@link sentDuring} saw last, in the same order. */
let valuesSent: unknown[][] = [];

/** Every statement text sent to PostgreSQL by any connection while `work` runs (one per round trip). */
async function sentDuring(work: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  valuesSent = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back, never called unbound
  const query = Client.prototype.query;
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    const [first] = args;
    sent.push(typeof first === 'string' ? first : String((first as { text?: string })?.text));
    valuesSent.push(
      typeof first === 'string'
        ? ((args[1] as unknown[] | undefined) ?? [])
        : ((first as { values?: unknown[] })?.values ?? []),
    );
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    await work();
  } finally {
    Client.prototype.query = query;
  }
  return sent;
}

/** Where each column of `sql.writeLocks` is among its parameters (one array each). */
const LOCK_COLUMNS = { userVersion: 4, saleEvent: 5 } as const;

/** One column of a batched lock statement's parameters: one value per lock in it. */
function lockColumn(values: unknown[], column: keyof typeof LOCK_COLUMNS): unknown[] {
  return values[LOCK_COLUMNS[column]] as unknown[];
}

const KEY = 'sk_test_round_trips';
const ADMIN = { Authorization: `Bearer ${KEY}` };
const MAX = 10;

describe('A lock on PostgreSQL (round trips)', function () {
  this.timeout(30_000);
  const { clock, db, open, onClose } = usePostgresStores();
  /** Two instances of the service on one database, each with its own view of the rows. */
  let one: Served;
  let two: Served;
  let stores: PostgresSeatStore[];

  const start = async () => {
    const store = await open({ venue: new Venue(10, 10) });
    const served = await serve({
      store,
      clock,
      maxLocksPerUser: MAX,
      apiKeyDigests: [createHash('sha256').update(KEY).digest('hex')],
    });
    onClose(() => served.stop());
    return { store, served };
  };

  /** The `user_locks` version of `userId` in the default event (0: no row). */
  const userVersion = async (userId: string): Promise<number> => {
    const client = new Client({ connectionString: db().url });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: number }>(
        'SELECT version FROM user_locks WHERE event_id = $1 AND user_id = $2',
        ['default', userId],
      );
      return rows[0]?.version ?? 0;
    } finally {
      await client.end();
    }
  };

  /** Who holds seat `id`'s lock, as the database says. */
  const holderOf = async (id: string) => (await stores[0].get(id)).context.lock?.userId;

  before(async () => {
    clock.set(1_700_000_000_000);
    const started = [await start(), await start()];
    [one, two] = started.map((s) => s.served);
    stores = started.map((s) => s.store);
    // The first request writes the default event's record and settles the session: not the path.
    ok(await one.api.lock('A1', 'alice'));
    ok(await two.api.lock('J10', 'setup'));
  });

  it('takes a free seat, with the user under the cap and the event on sale, in one statement sent alone: one round trip, one commit', async () => {
    const sent = await sentDuring(async () => ok(await one.api.lock('A2', 'alice')));
    expect(sent).to.have.length(1);
    // One statement, no transaction block around it: it is its own transaction, committed once.
    expect(sent[0]).to.match(/^WITH input AS .*bumped AS \(\s*UPDATE user_locks.*written AS/s);
    expect(sent[0]).not.to.match(/BEGIN|COMMIT|;/);
    // Decided on alice's row at version 1 (her first lock), so it bumps at 1.
    expect(lockColumn(valuesSent[0], 'userVersion')).to.deep.equal([1]);
    expect(await holderOf('A2')).to.equal('alice');
    expect(await userVersion('alice')).to.equal(2);
  });

  it('takes a free seat in one statement for a user this process never saw, making the user’s row in it', async () => {
    const sent = await sentDuring(async () => ok(await one.api.lock('A3', 'carol')));
    expect(sent).to.have.length(1);
    expect(sent[0]).to.match(/firsts AS \(\s*INSERT INTO user_locks/);
    expect(lockColumn(valuesSent[0], 'userVersion')).to.deep.equal([0]);
    expect(await userVersion('carol')).to.equal(1);
  });

  it('refuses a lock over the cap, decided by the user machine on rows read again, having committed nothing', async () => {
    for (const seat of ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8'])
      ok(await one.api.lock(seat, 'alice'));
    const version = await userVersion('alice');
    const sent = await sentDuring(async () =>
      expectProblem(await one.api.lock('B9', 'alice'), 409, 'TOO_MANY_LOCKS'),
    );
    expect(sent).to.have.length(2);
    expect(sent[0]).to.match(/^BEGIN;.*user_locks.*FOR UPDATE.*FROM event/s);
    expect(sent[1]).to.equal('ROLLBACK');
    expect((await one.api.get('B9')).body).to.nested.include({ 'seat.state': 'available' });
    expect(await userVersion('alice')).to.equal(version);
  });

  it('asks the sales window on the event row: refused before it opens, taken once opened (read again), then in one statement', async () => {
    const { api } = one;
    const opensAt = new Date(clock.now() + 3_600_000).toISOString();
    const layout = { rows: 1, seatsPerRow: 3 };
    ok(await api.createEvent({ id: 'show', name: 'Show', salesOpenAt: opensAt, layout }, ADMIN));
    expect(codeOf(await api.event('show').lock('A1', 'bob'))).to.equal('SALES_NOT_OPEN');
    expect(ok(await api.eventAction('show', 'open', ADMIN)).event.salesState).to.equal('onSale');
    // What this process saw of the event said "not open yet": a refusal is only given on rows
    // read now, so the lock is read again, and taken.
    const reread = await sentDuring(async () => ok(await api.event('show').lock('A1', 'bob')));
    expect(reread).to.have.length(2);
    expect(reread[0]).to.match(/FROM event\s+WHERE id = 'show'/);
    const sent = await sentDuring(async () => ok(await api.event('show').lock('A2', 'bob')));
    expect(sent).to.have.length(1);
    expect(sent[0]).to.match(/FROM event e WHERE e.id = i.sale_id AND e.version = i.sale_version/);
    expect(lockColumn(valuesSent[0], 'saleEvent')).to.deep.equal(['show']);
  });

  describe('when another instance changed the rows this one saw', () => {
    it('refuses a seat another instance locked meanwhile (its guess "no row yet" fails), keeping the other’s lock', async () => {
      ok(await two.api.lock('C1', 'zed'));
      expectProblem(await one.api.lock('C1', 'yan'), 409, 'SEAT_LOCKED');
      expect(await holderOf('C1')).to.equal('zed');
      // Neither the statement whose guess failed nor the refusal committed anything for yan.
      expect(await userVersion('yan')).to.equal(0);
    });

    it('locks a seat this instance saw locked once another instance released it', async () => {
      const { lockId } = ok(await one.api.lock('C2', 'xia'));
      ok(await two.api.release('C2', 'xia', lockId));
      ok(await one.api.lock('C2', 'yan'));
      expect(await holderOf('C2')).to.equal('yan');
    });

    it('refuses a seat another instance released and another user locked since this one saw it', async () => {
      const { lockId } = ok(await one.api.lock('C3', 'xia'));
      ok(await two.api.release('C3', 'xia', lockId));
      ok(await two.api.lock('C3', 'zed'));
      expectProblem(await one.api.lock('C3', 'yan'), 409, 'SEAT_LOCKED');
      expect(await holderOf('C3')).to.equal('zed');
    });

    it('counts a lock the user took through another instance: the cap refuses the one over it', async () => {
      const seats = ['D1', 'D2', 'D3', 'D4', 'D5', 'D6', 'D7', 'D8', 'D9'];
      for (const seat of seats) ok(await one.api.lock(seat, 'dave'));
      ok(await two.api.lock('D10', 'dave'));
      expectProblem(await one.api.lock('E1', 'dave'), 409, 'TOO_MANY_LOCKS');
      expect((await one.api.get('E1')).body).to.nested.include({ 'seat.state': 'available' });
    });

    it('counts the locks of a user this instance never saw, taken through another', async () => {
      const seats = ['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9', 'F10'];
      for (const seat of seats) ok(await two.api.lock(seat, 'erin'));
      expectProblem(await one.api.lock('E2', 'erin'), 409, 'TOO_MANY_LOCKS');
    });

    it('lets a user lock again through this instance after releasing through another', async () => {
      const locks = [];
      for (const seat of ['G1', 'G2', 'G3', 'G4', 'G5', 'G6', 'G7', 'G8', 'G9', 'G10'])
        locks.push({ seat, lockId: ok(await one.api.lock(seat, 'gus')).lockId });
      ok(await two.api.release(locks[0].seat, 'gus', locks[0].lockId));
      ok(await one.api.lock('E3', 'gus'));
      expect(await holderOf('E3')).to.equal('gus');
    });

    it('refuses a lock once another instance closed the sales window', async () => {
      ok(
        await one.api.createEvent(
          { id: 'gig', name: 'Gig', layout: { rows: 1, seatsPerRow: 3 } },
          ADMIN,
        ),
      );
      ok(await one.api.eventAction('gig', 'open', ADMIN));
      ok(await one.api.event('gig').lock('A1', 'bob'));
      ok(await two.api.eventAction('gig', 'close', ADMIN));
      expectProblem(await one.api.event('gig').lock('A2', 'bob'), 409, 'SALES_CLOSED');
    });
  });

  it('confirms a seat this process locked in one statement: the event’s and the seat’s versions checked by the write', async () => {
    const { lockId } = ok(await one.api.lock('A4', 'carol'));
    const sent = await sentDuring(async () => ok(await one.api.confirm('A4', 'carol', lockId)));
    expect(sent).to.have.length(1);
    expect(sent[0]).to.match(/^WITH sale AS .*written AS \(UPDATE seat/s);
    expect((await two.api.get('A4')).body).to.nested.include({ 'seat.state': 'booked' });
  });

  it('confirms a seat another instance locked in two round trips (the seat’s read, the write), without reading the event', async () => {
    const { lockId } = ok(await two.api.lock('A5', 'carol'));
    const sent = await sentDuring(async () => ok(await one.api.confirm('A5', 'carol', lockId)));
    expect(sent).to.have.length(2);
    expect(sent.join('\n')).not.to.match(/SELECT id, name/);
  });

  it('refuses a confirm once another instance cancelled the event, on its row read again', async () => {
    const layout = { rows: 1, seatsPerRow: 3 };
    ok(await one.api.createEvent({ id: 'gala', name: 'Gala', layout }, ADMIN));
    ok(await one.api.eventAction('gala', 'open', ADMIN));
    const { lockId } = ok(await one.api.event('gala').lock('A1', 'bob'));
    ok(await two.api.eventAction('gala', 'cancel', ADMIN));
    const refused = await one.api.event('gala').confirm('A1', 'bob', lockId);
    expectProblem(refused, 409, 'SALES_CLOSED');
    expect((await one.api.event('gala').get('A1')).body).to.nested.include({
      'seat.state': 'locked',
    });
  });

  it('races two instances for one user’s last place and for one seat: one lock each, never two', async () => {
    const seats = ['H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'H7', 'H8', 'H9'];
    // Each instance has seen the user's locks (some taken through each).
    for (const [i, seat] of seats.entries()) ok(await (i % 2 ? two : one).api.lock(seat, 'hal'));
    const [last1, last2] = await Promise.all([
      one.api.lock('I1', 'hal'),
      two.api.lock('I2', 'hal'),
    ]);
    expect([last1, last2].filter((r) => r.ok)).to.have.length(1);
    expect([last1, last2].map(codeOf).filter(Boolean)).to.deep.equal(['TOO_MANY_LOCKS']);
    const hot = await Promise.all(
      ['ivy', 'jon', 'kim', 'lou', 'max', 'ned'].map((user, i) =>
        (i % 2 ? two : one).api.lock('I3', user),
      ),
    );
    expect(hot.filter((r) => r.ok)).to.have.length(1);
    expect(hot.map(codeOf).filter((c) => c !== undefined)).to.have.length(5);
    expect(hot.map(codeOf).filter((c) => c !== undefined && c !== 'SEAT_LOCKED')).to.deep.equal([]);
  });
});
