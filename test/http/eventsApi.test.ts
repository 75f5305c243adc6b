import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SimulatedClock } from 'xstate';
import { serve, type Served } from '../support/serve';
import { openSse } from '../support/sseClient';

const KEY = 'sk_test_events_key';
const DIGEST = createHash('sha256').update(KEY).digest('hex');
const ADMIN = { Authorization: `Bearer ${KEY}` };
const ARENA = {
  sections: [
    { id: 'FLOOR', name: 'Floor', category: 'vip', rows: [{ label: 'A', seats: 3 }] },
    {
      id: 'BALC',
      rows: [
        { label: 'A', seats: 2 },
        { label: 'B', seats: 2 },
      ],
    },
  ],
};

describe('events over HTTP', () => {
  let api: Served;
  let clock: SimulatedClock;
  beforeEach(async () => {
    clock = new SimulatedClock();
    clock.set(Date.UTC(2030, 0, 1));
    api = await serve({ clock, apiKeyDigests: [DIGEST], lockTtlMs: 60_000, maxLocksPerUser: 2 });
  });
  afterEach(async () => api.stop());

  const create = (body: object, headers: Record<string, string> = ADMIN) =>
    api.call('POST', '/events', { body, headers });
  const post = (path: string, body?: object) => api.call('POST', path, { body, headers: ADMIN });
  const at = (offsetMs: number) => new Date(clock.now() + offsetMs).toISOString();

  it('creates an event with an API key: 201, Location, and its seats named by section', async () => {
    const res = await create({ id: 'arena', name: 'Arena night', layout: ARENA });
    expect(res.status).to.equal(201);
    expect(res.headers.get('location')).to.equal('/events/arena');
    expect(res.body.event).to.include({ id: 'arena', salesState: 'onSale', seats: 7 });
    const seat = await api.call('GET', '/events/arena/seats/FLOOR-A-2');
    expect(seat.body.seat).to.deep.equal({
      id: 'FLOOR-A-2',
      state: 'available',
      section: 'FLOOR',
      row: 'A',
      number: 2,
      category: 'vip',
    });
  });

  it('refuses to create an event without an API key, or with a wrong one', async () => {
    for (const headers of [{}, { Authorization: 'Bearer sk_wrong' }] as Record<string, string>[]) {
      const res = await create({ name: 'x', layout: { rows: 1, seatsPerRow: 1 } }, headers);
      expect(res.status).to.equal(401);
      expect(res.body.code).to.equal('UNAUTHENTICATED');
      expect(res.headers.get('www-authenticate')).to.equal('Bearer');
    }
    expect(
      (await api.call('GET', '/events')).body.events.map((e: { id: string }) => e.id),
    ).to.deep.equal(['default']);
  });

  it('refuses a bad layout with 400 naming the field, and a taken id with 409', async () => {
    const layout = {
      sections: [
        { id: 'A', rows: [{ label: 'A', seats: 1 }] },
        { id: 'A', rows: [{ label: 'A', seats: 1 }] },
      ],
    };
    const bad = await create({ name: 'x', layout });
    expect(bad.status).to.equal(400);
    expect(bad.body.detail).to.match(/^layout\.sections\[1\]\.id: /);
    await create({ id: 'twice', name: 'x', layout: { rows: 1, seatsPerRow: 1 } });
    const again = await create({ id: 'twice', name: 'x', layout: { rows: 1, seatsPerRow: 1 } });
    expect(again.status).to.equal(409);
    expect(again.body.code).to.equal('EVENT_EXISTS');
  });

  it('locks and books on two events independently, and keeps the default event on the old routes', async () => {
    await create({ id: 'one', name: 'One', layout: { rows: 2, seatsPerRow: 2 } });
    await create({ id: 'two', name: 'Two', layout: { rows: 2, seatsPerRow: 2 } });
    const lockOne = await post('/events/one/seats/A1/lock', { userId: 'alice' });
    expect(lockOne.status).to.equal(200);
    const lockTwo = await post('/events/two/seats/A1/lock', { userId: 'bob' });
    expect(lockTwo.status).to.equal(200);
    const lockDefault = await post('/seats/A1/lock', { userId: 'carol' });
    expect(lockDefault.status).to.equal(200);
    const confirm = await post('/events/one/seats/A1/confirm', {
      userId: 'alice',
      lockId: lockOne.body.lockId,
    });
    expect(confirm.status).to.equal(200);
    expect((await api.call('GET', '/events/one/seats/A1')).body.seat.state).to.equal('booked');
    expect((await api.call('GET', '/events/two/seats/A1')).body.seat.state).to.equal('locked');
    expect((await api.call('GET', '/events/default/seats/A1')).body.seat.state).to.equal('locked');
    expect((await api.call('GET', '/events/two/seats/summary')).body).to.deep.equal({
      total: 4,
      available: 3,
      locked: 1,
      booked: 0,
    });
  });

  it('counts MAX_LOCKS_PER_USER per event', async () => {
    await create({ id: 'one', name: 'One', layout: { rows: 2, seatsPerRow: 2 } });
    await post('/events/one/seats/A1/lock', { userId: 'alice' });
    await post('/events/one/seats/A2/lock', { userId: 'alice' });
    expect((await post('/events/one/seats/B1/lock', { userId: 'alice' })).body.code).to.equal(
      'TOO_MANY_LOCKS',
    );
    expect((await post('/seats/A1/lock', { userId: 'alice' })).status).to.equal(200);
  });

  it('keeps sales shut before salesOpenAt and after salesCloseAt, as the machine decides', async () => {
    await create({
      id: 'later',
      name: 'Later',
      lockTtlMs: 120_000,
      salesOpenAt: at(60_000),
      salesCloseAt: at(120_000),
      layout: { rows: 1, seatsPerRow: 2 },
    });
    const early = await post('/events/later/seats/A1/lock', { userId: 'alice' });
    expect(early.status).to.equal(409);
    expect(early.body.code).to.equal('SALES_NOT_OPEN');
    expect((await api.call('GET', '/events/later')).body.event.salesState).to.equal('scheduled');
    clock.increment(60_000);
    const lock = await post('/events/later/seats/A1/lock', { userId: 'alice' });
    expect(lock.status).to.equal(200);
    clock.increment(59_000);
    expect(
      (await api.call('GET', '/events?state=onSale')).body.events.map((e: { id: string }) => e.id),
    ).to.include('later');
    clock.increment(1_000);
    const late = await post('/events/later/seats/A2/lock', { userId: 'bob' });
    expect(late.body.code).to.equal('SALES_CLOSED');
    // The lock taken before the close may still be confirmed until its own deadline.
    const confirm = await post('/events/later/seats/A1/confirm', {
      userId: 'alice',
      lockId: lock.body.lockId,
    });
    expect(confirm.status).to.equal(200);
    expect(
      (await api.call('GET', '/events?state=closed')).body.events.map((e: { id: string }) => e.id),
    ).to.deep.equal(['later']);
  });

  it('opens, closes and cancels by hand with an API key; a cancelled event keeps its bookings', async () => {
    await create({
      id: 'show',
      name: 'Show',
      salesOpenAt: at(3_600_000),
      layout: { rows: 1, seatsPerRow: 2 },
    });
    expect((await api.call('POST', '/events/show/open')).status).to.equal(401);
    expect((await post('/events/show/open')).body.event.salesState).to.equal('onSale');
    const lock = await post('/events/show/seats/A1/lock', { userId: 'alice' });
    await post('/events/show/seats/A1/confirm', { userId: 'alice', lockId: lock.body.lockId });
    expect((await post('/events/show/close')).body.event.salesState).to.equal('closed');
    expect((await post('/events/show/seats/A2/lock', { userId: 'bob' })).body.code).to.equal(
      'SALES_CLOSED',
    );
    expect((await post('/events/show/cancel')).body.event.salesState).to.equal('cancelled');
    const reopen = await post('/events/show/open');
    expect(reopen.status).to.equal(409);
    expect(reopen.body.code).to.equal('EVENT_CANCELLED');
    expect((await api.call('GET', '/events/show/seats/A1')).body.seat.state).to.equal('booked');
  });

  it('describes an event: counts by state and by category, and its layout', async () => {
    await create({ id: 'arena', name: 'Arena', layout: ARENA });
    await post('/events/arena/seats/FLOOR-A-1/lock', { userId: 'alice' });
    const { body } = await api.call('GET', '/events/arena');
    expect(body.event.counts).to.deep.equal({ total: 7, available: 6, locked: 1, booked: 0 });
    expect(body.event.categories).to.deep.equal([
      { category: 'vip', total: 3, available: 2, locked: 1, booked: 0 },
      { category: 'standard', total: 4, available: 4, locked: 0, booked: 0 },
    ]);
    expect(body.event.layout.sections[1]).to.deep.equal({
      id: 'BALC',
      name: 'BALC',
      category: 'standard',
      seats: 4,
      rows: [
        { label: 'A', seats: 2 },
        { label: 'B', seats: 2 },
      ],
    });
  });

  it('describes the default event with a locked seat and a booked one, counted by category', async () => {
    const { lockId } = (await api.call('POST', '/seats/A1/lock', { body: { userId: 'alice' } }))
      .body;
    await api.call('POST', '/seats/A1/confirm', { body: { userId: 'alice', lockId } });
    await api.call('POST', '/seats/A2/lock', { body: { userId: 'bob' } });
    const { status, body } = await api.call('GET', '/events/default');
    expect(status).to.equal(200);
    expect(body.event.categories[0]).to.include({ category: 'standard', locked: 1, booked: 1 });
  });

  it('pages the event list and answers 404 for an unknown event', async () => {
    for (const id of ['a', 'b', 'c'])
      await create({ id, name: id, layout: { rows: 1, seatsPerRow: 1 } });
    const first = await api.call('GET', '/events?limit=2');
    expect(first.body.events.map((e: { id: string }) => e.id)).to.deep.equal(['a', 'b']);
    const second = await api.call('GET', `/events?limit=2&after=${first.body.next}`);
    expect(second.body.events.map((e: { id: string }) => e.id)).to.deep.equal(['c', 'default']);
    expect(second.body.next).to.equal(null);
    const missing = await api.call('GET', '/events/nope/seats/A1');
    expect(missing.status).to.equal(404);
    expect(missing.body.code).to.equal('EVENT_NOT_FOUND');
  });

  it('streams each event’s own seat transitions on /events/:eventId/seats/events', async () => {
    await create({ id: 'one', name: 'One', layout: { rows: 1, seatsPerRow: 2 } });
    const port = Number(new URL(api.url).port);
    const sse = await openSse({ port } as AddressInfo, {}, '/events/one/seats/events');
    try {
      expect(sse.status).to.equal(200);
      await post('/seats/A2/lock', { userId: 'bob' }); // the default event: not on this stream
      await post('/events/one/seats/A1/lock', { userId: 'alice' });
      const message = await sse.waitFor((m) => m.data?.includes('"A1"') ?? false);
      expect(JSON.parse(message.data!)).to.include({ id: 'A1', from: 'available', to: 'locked' });
      expect(sse.messages().some((m) => m.data?.includes('"A2"'))).to.equal(false);
    } finally {
      sse.close();
    }
  });
});
