import { expect } from 'chai';
import type { AppOptions } from '../../src/app';
import type { SeatList } from '../../src/http/schemas';
import { expectProblem, ok } from '../support/api';
import { serve, type Served } from '../support/serve';

/** Every seat of `state` (or all), walked page by page through the `next` cursor. */
async function walk(app: Served, query: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  let after: string | null = null;
  do {
    const cursor: string = after === null ? '' : `&after=${after}`;
    const res = await app.api.reply<SeatList>('GET', `/seats?${query}${cursor}`);
    expect(res.status).to.equal(200);
    const body = ok(res);
    ids.push(...body.seats.map((seat) => seat.id));
    after = body.next;
    pages++;
  } while (after !== null && pages < 1000);
  return { ids, pages };
}

describe('GET /seats paging and GET /seats/summary', () => {
  let current: Served | undefined;
  const start = async (options: AppOptions) => (current = await serve(options));
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });

  it('returns the default 100-seat venue whole from a plain GET /seats', async () => {
    const app = await start({});
    const res = await app.api.list();
    expect(res.status).to.equal(200);
    const body = ok(res);
    expect(body.seats).to.have.length(100);
    expect(body.seats[0]).to.deep.equal({ id: 'A1', state: 'available' });
    expect(body.seats[99].id).to.equal('J10');
    expect(body.next).to.equal(null);
  });

  it('walks the whole venue in order through the cursor, each seat once', async () => {
    const app = await start({ rows: 3, seatsPerRow: 7 });
    const { ids, pages } = await walk(app, 'limit=4');
    expect(pages).to.equal(6);
    expect(ids).to.have.length(21);
    expect(new Set(ids).size).to.equal(21);
    expect(ids.slice(0, 9)).to.deep.equal(['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'B1', 'B2']);
  });

  it('pages locked, booked and available seats separately, in venue order', async () => {
    const app = await start({ rows: 4, seatsPerRow: 5 });
    for (const id of ['D5', 'A2', 'C1', 'B3', 'A5']) {
      expect((await app.api.lock(id, 'u')).status).to.equal(200);
    }
    for (const id of ['C1', 'A5']) {
      expect((await app.api.confirm(id, 'u')).status).to.equal(200);
    }
    expect((await walk(app, 'state=locked&limit=2')).ids).to.deep.equal(['A2', 'B3', 'D5']);
    expect((await walk(app, 'state=booked&limit=1')).ids).to.deep.equal(['A5', 'C1']);
    const available = await walk(app, 'state=available&limit=3');
    expect(available.ids).to.have.length(15);
    expect(available.ids).to.not.include.members(['A2', 'A5', 'B3', 'C1', 'D5']);

    const locked = ok(await app.api.list({ state: 'locked' }));
    expect(locked.next).to.equal(null);
    expect(locked.seats[0]).to.have.keys('id', 'state', 'expiresAt');
    expect(locked.seats[0]).to.not.have.any.keys('context', 'userId', 'lockId');

    // The cursor may be any seat, not only one in the state asked for.
    const fromB1 = ok(await app.api.list({ state: 'locked', after: 'B1' }));
    expect(fromB1.seats.map((s) => s.id)).to.deep.equal(['B3', 'D5']);
    const last = ok(await app.api.list({ state: 'booked', after: 'C1' }));
    expect(last).to.deep.equal({ seats: [], next: null });
  });

  it('counts the seats by state in /seats/summary, which is not taken for a seat id', async () => {
    const app = await start({ rows: 2, seatsPerRow: 5 });
    const summary = () => app.api.summary();
    expect((await summary()).body).to.deep.equal({
      total: 10,
      available: 10,
      locked: 0,
      booked: 0,
    });
    const lock = ok(await app.api.lock('A1', 'u'));
    await app.api.lock('A2', 'u');
    await app.api.lock('A3', 'u');
    await app.api.confirm('A1', 'u', lock.lockId);
    await app.api.release('A2', 'u');
    expect((await summary()).body).to.deep.equal({
      total: 10,
      available: 8,
      locked: 1,
      booked: 1,
    });
  });

  const invalid: Array<[string, RegExp]> = [
    ['limit=0', /limit/],
    ['limit=10001', /at most 10000/],
    ['limit=-1', /limit/],
    ['limit=2.5', /limit/],
    ['limit=abc', /limit/],
    ['limit=', /limit/],
    ['limit=1&limit=2', /single/],
    ['limit=99999999999999999999', /limit/],
    ['state=sold', /state must be one of/],
    ['state=LOCKED', /state/],
    ['state=locked&state=booked', /state/],
    ['after=', /after/],
    [`after=${'A'.repeat(65)}`, /after/],
    ['after=A1&after=A2', /after/],
  ];
  it('refuses every invalid query value with 400 INVALID_REQUEST and changes nothing', async () => {
    const app = await start({ rows: 2, seatsPerRow: 5 });
    await app.api.lock('A1', 'u');
    for (const [query, detail] of invalid) {
      const res = await app.api.reply<SeatList>('GET', `/seats?${query}`);
      expect(res.status, query).to.equal(400);
      const problem = expectProblem(res, 400, 'INVALID_REQUEST');
      expect(problem.code, query).to.equal('INVALID_REQUEST');
      expect(problem.detail, query).to.match(detail);
    }
    const body = ok(await app.api.summary());
    expect(body).to.deep.equal({ total: 10, available: 9, locked: 1, booked: 0 });
  });

  it('answers 404 SEAT_NOT_FOUND for a cursor naming no seat of the venue', async () => {
    const app = await start({ rows: 2, seatsPerRow: 5 });
    for (const after of ['C1', 'A6', 'a1', 'summary']) {
      const res = await app.api.list({ after });
      expect(res.status, after).to.equal(404);
      expect(expectProblem(res, 404, 'SEAT_NOT_FOUND').code).to.equal('SEAT_NOT_FOUND');
    }
  });

  it('accepts the largest page and ignores unknown parameters', async () => {
    const app = await start({ rows: 100, seatsPerRow: 150 });
    const res = await app.api.reply<SeatList>('GET', '/seats?limit=10000&colour=red');
    expect(res.status).to.equal(200);
    const body = ok(res);
    expect(body.seats).to.have.length(10_000);
    expect(body.next).to.equal(body.seats[9999].id);
    const rest = ok(await app.api.list({ after: body.next ?? undefined }));
    expect(rest.seats).to.have.length(1000);
    expect(rest.next).to.equal(rest.seats[999].id);
  });
});
