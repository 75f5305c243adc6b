import { expect } from 'chai';
import { loadConfig } from '../../../src/config';
import { startServer, type TestServer } from '../../support/http';

describe('a 1,000,000-seat venue (SEAT_ROWS=1000 SEATS_PER_ROW=1000)', () => {
  let app: TestServer;
  before(async () => {
    const config = loadConfig({ SEAT_ROWS: '1000', SEATS_PER_ROW: '1000' });
    app = await startServer({ rows: config.SEAT_ROWS, seatsPerRow: config.SEATS_PER_ROW });
  });
  after(() => app.stop());

  it('starts with every seat available and counts them without touching one', async () => {
    const { body } = await app.request('GET', '/seats/summary');
    expect(body).to.deep.equal({ total: 1_000_000, available: 1_000_000, locked: 0, booked: 0 });
  });

  it('locks, confirms and releases seats anywhere in the venue', async () => {
    const first = await app.request('POST', '/seats/A1/lock', { userId: 'ann' });
    const last = await app.request('POST', '/seats/ALL1000/lock', { userId: 'bob' });
    const middle = await app.request('POST', '/seats/SM500/lock', { userId: 'cy' });
    expect([first.status, last.status, middle.status]).to.deep.equal([200, 200, 200]);
    expect(
      (await app.request('POST', '/seats/ALL1000/lock', { userId: 'eve' })).body.code,
    ).to.equal('SEAT_LOCKED');
    const confirm = await app.request('POST', '/seats/ALL1000/confirm', {
      userId: 'bob',
      lockId: last.body.lockId,
    });
    expect(confirm.status).to.equal(200);
    expect(confirm.body.seat).to.deep.equal({ id: 'ALL1000', state: 'booked' });
    expect((await app.request('POST', '/seats/A1/release', { userId: 'ann' })).status).to.equal(
      200,
    );
    expect((await app.request('GET', '/seats/SM500')).body.seat.state).to.equal('locked');
    expect((await app.request('GET', '/seats/ALM1')).status).to.equal(404);

    const { body } = await app.request('GET', '/seats/summary');
    expect(body).to.deep.equal({ total: 1_000_000, available: 999_998, locked: 1, booked: 1 });
  });

  it('lists the first page, the last page and each state by cursor', async () => {
    const head = await app.request('GET', '/seats?limit=3');
    expect(head.body.seats.map((s: { id: string }) => s.id)).to.deep.equal(['A1', 'A2', 'A3']);
    expect(head.body.next).to.equal('A3');
    const tail = await app.request('GET', '/seats?after=ALL998');
    expect(tail.body).to.deep.equal({
      seats: [
        { id: 'ALL999', state: 'available' },
        { id: 'ALL1000', state: 'booked' },
      ],
      next: null,
    });
    const locked = await app.request('GET', '/seats?state=locked');
    expect(locked.body.seats.map((s: { id: string }) => s.id)).to.deep.equal(['SM500']);
    const booked = await app.request('GET', '/seats?state=booked&after=A1');
    expect(booked.body.seats.map((s: { id: string }) => s.id)).to.deep.equal(['ALL1000']);
    const available = await app.request('GET', '/seats?state=available&after=SM499&limit=2');
    expect(available.body.seats.map((s: { id: string }) => s.id)).to.deep.equal(['SM501', 'SM502']);
  });
});
