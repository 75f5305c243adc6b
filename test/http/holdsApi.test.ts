import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { SimulatedClock } from 'xstate';
import { apiClient, expectProblem, ok, type ApiClient } from '../support/api';
import { serve, type Served } from '../support/serve';

const TTL = 60_000;
const START = Date.UTC(2030, 0, 1);
const KEY = 'sk_test_holds_key';
const DIGEST = createHash('sha256').update(KEY).digest('hex');

describe('holds over HTTP', () => {
  let served: Served;
  /** The app and a client whose API key acts for the user each request names. */
  let app: { api: ApiClient; call: Served['call']; stop: () => Promise<void> };
  let clock: SimulatedClock;
  const start = async (options: Parameters<typeof serve>[0]) => {
    served = await serve({ clock, lockTtlMs: TTL, apiKeyDigests: [DIGEST], ...options });
    const credentials = () => ({ authorization: `Bearer ${KEY}` });
    const api = apiClient(served.url, { routes: served.routes, credentials });
    app = { api, call: (...args) => served.call(...args), stop: () => served.stop() };
  };
  beforeEach(async () => {
    clock = new SimulatedClock();
    clock.set(START);
    await start({ rows: 4, seatsPerRow: 10 });
  });
  afterEach(() => app.stop());

  const states = async (...ids: string[]) =>
    Promise.all(ids.map(async (id) => ok(await app.api.get(id)).seat.state));

  it('holds named seats as one unit: 201, Location, one deadline, extensions left', async () => {
    const res = await app.api.hold('alice', ['A1', 'A2', 'A3']);
    expect(res.status).to.equal(201);
    const { hold } = ok(res);
    expect(res.headers.get('location')).to.equal(`/holds/${hold.id}`);
    expect(hold).to.deep.include({
      eventId: 'default',
      state: 'open',
      expiresAt: new Date(START + TTL).toISOString(),
      extensionsLeft: 2,
    });
    expect(hold.seats.map((seat) => [seat.id, seat.state])).to.deep.equal([
      ['A1', 'locked'],
      ['A2', 'locked'],
      ['A3', 'locked'],
    ]);
    expect(await states('A1', 'A2', 'A3')).to.deep.equal(['locked', 'locked', 'locked']);
    expect(ok(await app.api.getHold(hold.id, 'alice')).hold).to.deep.equal(hold);
  });

  it('holds nothing when any seat cannot be held, naming each refused seat and its code', async () => {
    ok(await app.api.lock('A2', 'bob'));
    await app.api.confirm('A2', 'bob');
    ok(await app.api.lock('A4', 'carol'));
    const refused = expectProblem(
      await app.api.hold('alice', ['A1', 'A2', 'A3', 'A4']),
      409,
      'SEATS_UNAVAILABLE',
    );
    expect((refused as unknown as { seats: unknown }).seats).to.deep.equal([
      { id: 'A2', code: 'SEAT_BOOKED' },
      { id: 'A4', code: 'SEAT_LOCKED' },
    ]);
    expect(await states('A1', 'A3')).to.deep.equal(['available', 'available']);
    expectProblem(await app.api.hold('alice', ['A1', 'Z99']), 404, 'SEAT_NOT_FOUND');
    expectProblem(await app.api.hold('alice', ['A1', 'A1']), 400, 'NO_SEATS');
  });

  it('shows a hold only to its owner: anyone else gets 404 for every hold route', async () => {
    const { hold } = ok(await app.api.hold('alice', ['B1', 'B2']));
    expectProblem(await app.api.getHold(hold.id, 'bob'), 404, 'HOLD_NOT_FOUND');
    expectProblem(await app.api.extendHold(hold.id, 'bob'), 404, 'HOLD_NOT_FOUND');
    expectProblem(await app.api.confirmHold(hold.id, 'bob'), 404, 'HOLD_NOT_FOUND');
    expectProblem(await app.api.releaseHold(hold.id, 'bob'), 404, 'HOLD_NOT_FOUND');
    expectProblem(await app.api.getHold('H_nope', 'alice'), 404, 'HOLD_NOT_FOUND');
    expect(await states('B1', 'B2')).to.deep.equal(['locked', 'locked']);
  });

  it('books every seat in one step; a retry gets the same booking', async () => {
    const { hold } = ok(await app.api.hold('alice', ['C1', 'C2']));
    clock.increment(1000);
    const { booking } = ok(await app.api.confirmHold(hold.id, 'alice'));
    expect(booking).to.deep.include({ holdId: hold.id, at: new Date(START + 1000).toISOString() });
    expect(booking.seats.map((seat) => [seat.id, seat.state])).to.deep.equal([
      ['C1', 'booked'],
      ['C2', 'booked'],
    ]);
    expect(await states('C1', 'C2')).to.deep.equal(['booked', 'booked']);
    clock.increment(TTL);
    expect(ok(await app.api.confirmHold(hold.id, 'alice')).booking).to.deep.equal(booking);
    expectProblem(await app.api.releaseHold(hold.id, 'alice'), 409, 'HOLD_CONFIRMED');
  });

  it('expires a hold as a unit by time alone: every seat free together, then HOLD_EXPIRED', async () => {
    const { hold } = ok(await app.api.hold('alice', ['D1', 'D2', 'D3']));
    clock.increment(TTL - 1);
    expect(await states('D1', 'D2', 'D3')).to.deep.equal(['locked', 'locked', 'locked']);
    clock.increment(1);
    expect(await states('D1', 'D2', 'D3')).to.deep.equal(['available', 'available', 'available']);
    expect(ok(await app.api.getHold(hold.id, 'alice')).hold.state).to.equal('expired');
    expectProblem(await app.api.confirmHold(hold.id, 'alice'), 409, 'HOLD_EXPIRED');
    expect(ok(await app.api.lock('D2', 'bob')).seat.state).to.equal('locked');
  });

  it('extends at most HOLD_MAX_EXTENSIONS times, one TTL from now each, then EXTENSION_LIMIT', async () => {
    const { hold } = ok(await app.api.hold('alice', ['A5', 'A6']));
    clock.increment(30_000);
    const first = ok(await app.api.extendHold(hold.id, 'alice')).hold;
    expect(first).to.deep.include({
      expiresAt: new Date(START + 30_000 + TTL).toISOString(),
      extensionsLeft: 1,
    });
    expect(ok(await app.api.get('A6')).seat.expiresAt).to.equal(first.expiresAt);
    clock.increment(30_000);
    expect(ok(await app.api.extendHold(hold.id, 'alice')).hold.extensionsLeft).to.equal(0);
    expectProblem(await app.api.extendHold(hold.id, 'alice'), 409, 'EXTENSION_LIMIT');
  });

  it('never extends past HOLD_MAX_MS after the hold was made', async () => {
    await app.stop();
    await start({ rows: 1, seatsPerRow: 4, holdMaxMs: 90_000 });
    const { hold } = ok(await app.api.hold('alice', ['A1', 'A2']));
    clock.increment(50_000);
    const extended = ok(await app.api.extendHold(hold.id, 'alice')).hold;
    expect(extended.expiresAt).to.equal(new Date(START + 90_000).toISOString());
    expect(extended.extensionsLeft).to.equal(0);
    expectProblem(await app.api.extendHold(hold.id, 'alice'), 409, 'EXTENSION_LIMIT');
  });

  it('adds seats all or nothing with the same deadline, gives one back, releases the rest', async () => {
    const { hold } = ok(await app.api.hold('alice', ['B5']));
    ok(await app.api.lock('B7', 'bob'));
    const refused = expectProblem(
      await app.api.addHoldSeats(hold.id, 'alice', ['B6', 'B7']),
      409,
      'SEATS_UNAVAILABLE',
    );
    expect((refused as unknown as { seats: unknown }).seats).to.deep.equal([
      { id: 'B7', code: 'SEAT_LOCKED' },
    ]);
    expect(await states('B6')).to.deep.equal(['available']);
    clock.increment(1000);
    const added = ok(await app.api.addHoldSeats(hold.id, 'alice', ['B6', 'B8'])).hold;
    expect(added.seats.map((seat) => seat.id)).to.deep.equal(['B5', 'B6', 'B8']);
    expect(ok(await app.api.get('B8')).seat.expiresAt).to.equal(hold.expiresAt);
    const fewer = ok(await app.api.removeHoldSeat(hold.id, 'B6', 'alice')).hold;
    expect(fewer.seats.map((seat) => seat.id)).to.deep.equal(['B5', 'B8']);
    expectProblem(await app.api.removeHoldSeat(hold.id, 'B6', 'alice'), 404, 'SEAT_NOT_IN_HOLD');
    expect(ok(await app.api.releaseHold(hold.id, 'alice')).hold.state).to.equal('released');
    expect(await states('B5', 'B6', 'B8')).to.deep.equal(['available', 'available', 'available']);
    expectProblem(await app.api.extendHold(hold.id, 'alice'), 409, 'HOLD_RELEASED');
  });

  it('caps a hold at MAX_SEATS_PER_HOLD seats, and counts held seats against the per-user lock cap', async () => {
    await app.stop();
    await start({ rows: 2, seatsPerRow: 10, maxSeatsPerHold: 3, maxLocksPerUser: 4 });
    expectProblem(await app.api.hold('alice', ['A1', 'A2', 'A3', 'A4']), 409, 'TOO_MANY_SEATS');
    const { hold } = ok(await app.api.hold('alice', ['A1', 'A2', 'A3']));
    expectProblem(await app.api.addHoldSeats(hold.id, 'alice', ['A4']), 409, 'TOO_MANY_SEATS');
    ok(await app.api.lock('B1', 'alice'));
    expectProblem(await app.api.lock('B2', 'alice'), 409, 'TOO_MANY_LOCKS');
    expectProblem(await app.api.hold('alice', ['B3']), 409, 'TOO_MANY_LOCKS');
    ok(await app.api.confirmHold(hold.id, 'alice'));
    ok(await app.api.hold('alice', ['B3', 'B4', 'B5']));
  });

  it("refuses the holder's single-seat lock, confirm and release of a held seat with SEAT_IN_HOLD; others get the usual codes", async () => {
    const { hold } = ok(await app.api.hold('alice', ['C5', 'C6']));
    expectProblem(await app.api.lock('C5', 'alice'), 409, 'SEAT_IN_HOLD', 'C5');
    expectProblem(await app.api.confirm('C5', 'alice'), 409, 'SEAT_IN_HOLD', 'C5');
    expectProblem(await app.api.release('C5', 'alice'), 409, 'SEAT_IN_HOLD', 'C5');
    expectProblem(await app.api.lock('C5', 'bob'), 409, 'SEAT_LOCKED');
    expectProblem(await app.api.confirm('C5', 'bob'), 409, 'LOCK_NOT_HELD');
    expectProblem(await app.api.release('C6', 'bob'), 409, 'LOCK_NOT_HELD');
    expect(ok(await app.api.getHold(hold.id, 'alice')).hold.state).to.equal('open');
    expect(await states('C5', 'C6')).to.deep.equal(['locked', 'locked']);
  });

  it('picks best available: adjacent seats in the front row nearest its centre, never a partial hold', async () => {
    const { hold } = ok(await app.api.holdBest('alice', { count: 4 }));
    expect(hold.seats.map((seat) => seat.id)).to.deep.equal(['A4', 'A5', 'A6', 'A7']);
    // Row A now has 3 free on each side: 4 together go to row B.
    const next = ok(await app.api.holdBest('bob', { count: 4 })).hold;
    expect(next.seats.map((seat) => seat.id)).to.deep.equal(['B4', 'B5', 'B6', 'B7']);
    expectProblem(await app.api.holdBest('carol', { count: 11 }), 409, 'NO_SEATS_TOGETHER');
    expectProblem(
      await app.api.holdBest('carol', { count: 2, section: 'NOPE' }),
      409,
      'NO_SEATS_TOGETHER',
    );
  });

  it('serves holds per event under /events/:eventId, best available by category', async () => {
    const layout = {
      sections: [
        { id: 'FLOOR', category: 'vip', rows: [{ label: 'A', seats: 6 }] },
        { id: 'BALC', rows: [{ label: 'A', seats: 4 }] },
      ],
    };
    const created = await app.call('POST', '/events', {
      body: { id: 'arena', name: 'Arena', layout },
      headers: { Authorization: `Bearer ${KEY}` },
    });
    expect(created.status).to.equal(201);
    const prefix = '/events/arena';
    const res = await app.api.holdBest('alice', { count: 2, category: 'standard' }, { prefix });
    const { hold } = ok(res);
    expect(res.headers.get('location')).to.equal(`${prefix}/holds/${hold.id}`);
    expect(hold.eventId).to.equal('arena');
    expect(hold.seats.map((seat) => [seat.id, seat.section])).to.deep.equal([
      // The centre (seats 2-3) would strand seat 1: best available takes 1-2, stranding none.
      ['BALC-A-1', 'BALC'],
      ['BALC-A-2', 'BALC'],
    ]);
    expectProblem(await app.api.getHold(hold.id, 'alice'), 404, 'HOLD_NOT_FOUND');
    ok(await app.api.confirmHold(hold.id, 'alice', { prefix }));
    expectProblem(
      await app.api.hold('alice', ['A1'], { prefix: '/events/nope' }),
      404,
      'EVENT_NOT_FOUND',
    );
  });
});

describe('holds without a credential', () => {
  it('are refused with 401 UNAUTHENTICATED: a hold acts for the caller the credential proves', async () => {
    const served = await serve({ rows: 1, seatsPerRow: 4 });
    try {
      const anonymous = apiClient(served.url, { credentials: () => ({}) });
      expectProblem(await anonymous.hold('alice', ['A1']), 401, 'UNAUTHENTICATED');
      anonymous.close();
      expect(ok(await served.api.get('A1')).seat.state).to.equal('available');
    } finally {
      await served.stop();
    }
  });
});
