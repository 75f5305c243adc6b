import { expect } from 'chai';
import { loadConfig } from '../../../src/config';
import { expectProblem, ok } from '../../support/api';
import { serve, type Served } from '../../support/serve';

describe('a 1,000,000-seat venue (SEAT_ROWS=1000 SEATS_PER_ROW=1000)', () => {
  let app: Served;
  before(async () => {
    const config = loadConfig({ SEAT_ROWS: '1000', SEATS_PER_ROW: '1000' });
    app = await serve({ rows: config.SEAT_ROWS, seatsPerRow: config.SEATS_PER_ROW });
  });
  after(() => app.stop());

  it('starts with every seat available and counts them without touching one', async () => {
    const body = ok(await app.api.summary());
    expect(body).to.deep.equal({ total: 1_000_000, available: 1_000_000, locked: 0, booked: 0 });
  });

  it('locks, confirms and releases seats anywhere in the venue', async () => {
    const first = await app.api.lock('A1', 'ann');
    const last = await app.api.lock('ALL1000', 'bob');
    const middle = await app.api.lock('SM500', 'cy');
    expect([first.status, last.status, middle.status]).to.deep.equal([200, 200, 200]);
    expect(expectProblem(await app.api.lock('ALL1000', 'eve'), 409, 'SEAT_LOCKED').code).to.equal(
      'SEAT_LOCKED',
    );
    const confirm = await app.api.confirm('ALL1000', 'bob', ok(last).lockId);
    expect(confirm.status).to.equal(200);
    expect(ok(confirm).seat).to.deep.equal({ id: 'ALL1000', state: 'booked' });
    expect((await app.api.release('A1', 'ann')).status).to.equal(200);
    expect(ok(await app.api.get('SM500')).seat.state).to.equal('locked');
    expect((await app.api.get('ALM1')).status).to.equal(404);

    const body = ok(await app.api.summary());
    expect(body).to.deep.equal({ total: 1_000_000, available: 999_998, locked: 1, booked: 1 });
  });

  it('lists the first page, the last page and each state by cursor', async () => {
    const head = ok(await app.api.list({ limit: 3 }));
    expect(head.seats.map((s) => s.id)).to.deep.equal(['A1', 'A2', 'A3']);
    expect(head.next).to.equal('A3');
    const tail = ok(await app.api.list({ after: 'ALL998' }));
    expect(tail).to.deep.equal({
      seats: [
        { id: 'ALL999', state: 'available' },
        { id: 'ALL1000', state: 'booked' },
      ],
      next: null,
    });
    const locked = ok(await app.api.list({ state: 'locked' }));
    expect(locked.seats.map((s) => s.id)).to.deep.equal(['SM500']);
    const booked = ok(await app.api.list({ state: 'booked', after: 'A1' }));
    expect(booked.seats.map((s) => s.id)).to.deep.equal(['ALL1000']);
    const available = ok(await app.api.list({ state: 'available', after: 'SM499', limit: 2 }));
    expect(available.seats.map((s) => s.id)).to.deep.equal(['SM501', 'SM502']);
  });
});
