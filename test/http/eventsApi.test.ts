import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SimulatedClock } from 'xstate';
import { codeOf, expectProblem, ok, type ApiClient } from '../support/api';
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
  let served: Served;
  let api: ApiClient;
  let clock: SimulatedClock;
  beforeEach(async () => {
    clock = new SimulatedClock();
    clock.set(Date.UTC(2030, 0, 1));
    served = await serve({ clock, apiKeyDigests: [DIGEST], lockTtlMs: 60_000, maxLocksPerUser: 2 });
    api = served.api;
  });
  afterEach(async () => served.stop());

  const create = (body: object, headers: Record<string, string> = ADMIN) =>
    api.createEvent(body, headers);
  /** An admin action on an event, with the API key. */
  const admin = (eventId: string, action: 'open' | 'close' | 'cancel') =>
    api.eventAction(eventId, action, ADMIN);
  const at = (offsetMs: number) => new Date(clock.now() + offsetMs).toISOString();

  it('creates an event with an API key: 201, Location, and its seats named by section', async () => {
    const res = await create({ id: 'arena', name: 'Arena night', layout: ARENA });
    expect(res.status).to.equal(201);
    expect(res.headers.get('location')).to.equal('/events/arena');
    expect(ok(res).event).to.include({ id: 'arena', salesState: 'onSale', seats: 7 });
    const seat = await api.event('arena').get('FLOOR-A-2');
    expect(ok(seat).seat).to.deep.equal({
      id: 'FLOOR-A-2',
      state: 'available',
      section: 'FLOOR',
      row: 'A',
      number: 2,
      category: 'vip',
    });
  });

  it('refuses to create an event without an API key, or with a wrong one', async () => {
    for (const headers of [{ authorization: '' }, { Authorization: 'Bearer sk_wrong' }] as Array<
      Record<string, string>
    >) {
      const res = await create({ name: 'x', layout: { rows: 1, seatsPerRow: 1 } }, headers);
      expect(res.status).to.equal(401);
      expect(codeOf(res)).to.equal('UNAUTHENTICATED');
      expect(res.headers.get('www-authenticate')).to.equal('Bearer');
    }
    expect(ok(await api.listEvents()).events.map((e) => e.id)).to.deep.equal(['default']);
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
    expect(expectProblem(bad, 400, 'INVALID_REQUEST').detail).to.match(
      /^layout\.sections\[1\]\.id: /,
    );
    await create({ id: 'twice', name: 'x', layout: { rows: 1, seatsPerRow: 1 } });
    const again = await create({ id: 'twice', name: 'x', layout: { rows: 1, seatsPerRow: 1 } });
    expect(again.status).to.equal(409);
    expect(codeOf(again)).to.equal('EVENT_EXISTS');
  });

  it('locks and books on two events independently, and keeps the default event on the old routes', async () => {
    await create({ id: 'one', name: 'One', layout: { rows: 2, seatsPerRow: 2 } });
    await create({ id: 'two', name: 'Two', layout: { rows: 2, seatsPerRow: 2 } });
    const lockOne = await api.event('one').lock('A1', 'alice');
    expect(lockOne.status).to.equal(200);
    const lockTwo = await api.event('two').lock('A1', 'bob');
    expect(lockTwo.status).to.equal(200);
    const lockDefault = await api.lock('A1', 'carol');
    expect(lockDefault.status).to.equal(200);
    const confirm = await api.event('one').confirm('A1', 'alice', ok(lockOne).lockId);
    expect(confirm.status).to.equal(200);
    expect(ok(await api.event('one').get('A1')).seat.state).to.equal('booked');
    expect(ok(await api.event('two').get('A1')).seat.state).to.equal('locked');
    expect(ok(await api.event('default').get('A1')).seat.state).to.equal('locked');
    expect(ok(await api.event('two').summary())).to.deep.equal({
      total: 4,
      available: 3,
      locked: 1,
      booked: 0,
    });
  });

  it('counts MAX_LOCKS_PER_USER per event', async () => {
    await create({ id: 'one', name: 'One', layout: { rows: 2, seatsPerRow: 2 } });
    await api.event('one').lock('A1', 'alice');
    await api.event('one').lock('A2', 'alice');
    expect(codeOf(await api.event('one').lock('B1', 'alice'))).to.equal('TOO_MANY_LOCKS');
    expect((await api.lock('A1', 'alice')).status).to.equal(200);
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
    const early = await api.event('later').lock('A1', 'alice');
    expect(early.status).to.equal(409);
    expect(codeOf(early)).to.equal('SALES_NOT_OPEN');
    expect(ok(await api.getEvent('later')).event.salesState).to.equal('scheduled');
    clock.increment(60_000);
    const lock = await api.event('later').lock('A1', 'alice');
    expect(lock.status).to.equal(200);
    clock.increment(59_000);
    expect(ok(await api.listEvents({ state: 'onSale' })).events.map((e) => e.id)).to.include(
      'later',
    );
    clock.increment(1_000);
    const late = await api.event('later').lock('A2', 'bob');
    expect(codeOf(late)).to.equal('SALES_CLOSED');
    // The lock taken before the close may still be confirmed until its own deadline.
    const confirm = await api.event('later').confirm('A1', 'alice', ok(lock).lockId);
    expect(confirm.status).to.equal(200);
    expect(ok(await api.listEvents({ state: 'closed' })).events.map((e) => e.id)).to.deep.equal([
      'later',
    ]);
  });

  it('opens, closes and cancels by hand with an API key; a cancelled event keeps its bookings', async () => {
    await create({
      id: 'show',
      name: 'Show',
      salesOpenAt: at(3_600_000),
      layout: { rows: 1, seatsPerRow: 2 },
    });
    const anonymous = { authorization: '' };
    expect((await api.eventAction('show', 'open', anonymous)).status).to.equal(401);
    expect(ok(await admin('show', 'open')).event.salesState).to.equal('onSale');
    const lock = await api.event('show').lock('A1', 'alice');
    await api.event('show').confirm('A1', 'alice', ok(lock).lockId);
    expect(ok(await admin('show', 'close')).event.salesState).to.equal('closed');
    expect(codeOf(await api.event('show').lock('A2', 'bob'))).to.equal('SALES_CLOSED');
    expect(ok(await admin('show', 'cancel')).event.salesState).to.equal('cancelled');
    const reopen = await admin('show', 'open');
    expect(reopen.status).to.equal(409);
    expect(codeOf(reopen)).to.equal('EVENT_CANCELLED');
    expect(ok(await api.event('show').get('A1')).seat.state).to.equal('booked');
  });

  it('describes an event: counts by state and by category, and its layout', async () => {
    await create({ id: 'arena', name: 'Arena', layout: ARENA });
    await api.event('arena').lock('FLOOR-A-1', 'alice');
    const body = ok(await api.getEvent('arena'));
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
    const { lockId } = ok(await api.lock('A1', 'alice'));
    await api.confirm('A1', 'alice', lockId);
    await api.lock('A2', 'bob');
    const res = await api.getEvent('default');
    expect(res.status).to.equal(200);
    const body = ok(res);
    expect(body.event.categories[0]).to.include({ category: 'standard', locked: 1, booked: 1 });
  });

  it('pages the event list and answers 404 for an unknown event', async () => {
    for (const id of ['a', 'b', 'c'])
      await create({ id, name: id, layout: { rows: 1, seatsPerRow: 1 } });
    const first = await api.listEvents({ limit: 2 });
    expect(ok(first).events.map((e) => e.id)).to.deep.equal(['a', 'b']);
    const second = await api.listEvents({ limit: 2, after: ok(first).next ?? undefined });
    expect(ok(second).events.map((e) => e.id)).to.deep.equal(['c', 'default']);
    expect(ok(second).next).to.equal(null);
    const missing = await api.event('nope').get('A1');
    expect(missing.status).to.equal(404);
    expect(codeOf(missing)).to.equal('EVENT_NOT_FOUND');
  });

  it('streams each event’s own seat transitions on /events/:eventId/seats/events', async () => {
    await create({ id: 'one', name: 'One', layout: { rows: 1, seatsPerRow: 2 } });
    const port = served.port;
    const sse = await openSse({ port } as AddressInfo, {}, '/events/one/seats/events');
    try {
      expect(sse.status).to.equal(200);
      await api.lock('A2', 'bob'); // the default event: not on this stream
      await api.event('one').lock('A1', 'alice');
      const message = await sse.waitFor((m) => m.data?.includes('"A1"') ?? false);
      expect(JSON.parse(message.data!)).to.include({ id: 'A1', from: 'available', to: 'locked' });
      expect(sse.messages().some((m) => m.data?.includes('"A2"'))).to.equal(false);
    } finally {
      sse.close();
    }
  });
});
