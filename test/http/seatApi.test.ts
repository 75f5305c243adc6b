import { expect } from 'chai';
import { SimulatedClock } from 'xstate';
import { expectProblem, ok, type ApiClient, type Received } from '../support/api';
import { serve, type Served } from '../support/serve';

const TTL = 60_000;

describe('seat API', () => {
  let server: Served;
  let clock: SimulatedClock;
  let api: ApiClient;
  beforeEach(async () => {
    clock = new SimulatedClock();
    server = await serve({ rows: 10, seatsPerRow: 10, lockTtlMs: TTL, clock });
    api = server.api;
  });
  afterEach(() => server.stop());

  /** A body sent as it is: a string verbatim (malformed JSON, arrays…), anything else as JSON. */
  const post = (path: string, body: unknown): Promise<Received> =>
    api.send('POST', path, typeof body === 'string' ? { rawBody: body } : { body });

  async function seatState(id: string) {
    return ok(await api.get(id)).seat;
  }

  describe('GET /seats', () => {
    it('lists every seat in row then seat order, all available', async () => {
      const res = await api.list();
      expect(res.status).to.equal(200);
      const body = ok(res);
      expect(body.seats).to.have.length(100);
      expect(body.seats.slice(0, 3).map((s) => s.id)).to.deep.equal(['A1', 'A2', 'A3']);
      expect(body.seats[10].id).to.equal('B1');
      expect(body.seats[99]).to.deep.equal({ id: 'J10', state: 'available' });
    });

    it('shows a locked seat with expiresAt but never its holder or lockId', async () => {
      const locked = ok(await api.lock('B4', 'alice'));
      const body = ok(await api.list());
      const seat = body.seats.find((s) => s.id === 'B4');
      expect(seat).to.deep.equal({ id: 'B4', state: 'locked', expiresAt: locked.expiresAt });
      expect(JSON.stringify(body)).not.to.include('alice').and.not.to.include(locked.lockId);
    });

    it('labels rows like spreadsheet columns past Z', async () => {
      const big = await serve({ rows: 28, seatsPerRow: 1, clock: new SimulatedClock() });
      const body = ok(await big.api.list());
      expect(body.seats.map((s) => s.id).slice(24)).to.deep.equal(['Y1', 'Z1', 'AA1', 'AB1']);
      await big.stop();
    });
  });

  describe('GET /seats/:id', () => {
    it('returns one seat', async () => {
      const { status, body } = await api.get('C7');
      expect(status).to.equal(200);
      expect(body).to.deep.equal({ seat: { id: 'C7', state: 'available' } });
    });

    it('returns 404 SEAT_NOT_FOUND for a seat the venue does not have', async () => {
      for (const id of [
        'K1',
        'A11',
        'A0',
        'a1',
        'A01',
        '..%2F..%2Fetc',
        '%E2%9C%93',
        'A'.repeat(300),
      ]) {
        expectProblem(await api.send('GET', `/seats/${id}`), 404, 'SEAT_NOT_FOUND');
      }
    });
  });

  describe('POST /seats/:id/lock', () => {
    it('locks the seat and answers with message, seat, lockId and expiresAt', async () => {
      const res = await api.lock('B4', 'alice');
      expect(res.status).to.equal(200);
      const body = ok(res);
      expect(body.message).to.include('B4');
      expect(body.lockId).to.match(/^[A-Za-z0-9_-]{21}$/);
      expect(body.expiresAt).to.equal(new Date(TTL).toISOString());
      expect(body.seat).to.deep.equal({ id: 'B4', state: 'locked', expiresAt: body.expiresAt });
    });

    it('answers the holder locking again with the same lockId and expiresAt, not extended', async () => {
      const first = ok(await api.lock('B4', 'alice'));
      clock.increment(10_000);
      const res = await api.lock('B4', 'alice');
      expect(res.status).to.equal(200);
      const again = ok(res);
      expect(again.lockId).to.equal(first.lockId);
      expect(again.expiresAt).to.equal(first.expiresAt);
    });

    it('returns 409 SEAT_LOCKED when another user holds the lock', async () => {
      await api.lock('B4', 'alice');
      const problem = expectProblem(await api.lock('B4', 'bob'), 409, 'SEAT_LOCKED', 'B4');
      expect(problem.detail).to.equal(
        'Seat B4 is locked by another user until 00:01:00Z; try another seat.',
      );
    });

    it('returns 409 SEAT_BOOKED when the seat is booked', async () => {
      await api.lock('B4', 'alice');
      await api.confirm('B4', 'alice');
      expectProblem(await api.lock('B4', 'bob'), 409, 'SEAT_BOOKED', 'B4');
      expectProblem(await api.lock('B4', 'alice'), 409, 'SEAT_BOOKED', 'B4');
    });

    it('lets another user lock once the lock has expired', async () => {
      await api.lock('B4', 'alice');
      clock.increment(TTL);
      expect((await api.lock('B4', 'bob')).status).to.equal(200);
    });
  });

  describe('POST /seats/:id/confirm', () => {
    it('books the seat for the holder, with or without lockId', async () => {
      const a = ok(await api.lock('B4', 'alice'));
      const res = await api.confirm('B4', 'alice', a.lockId);
      expect(res.status).to.equal(200);
      const body = ok(res);
      expect(body.message).to.include('B4');
      expect(body.seat).to.deep.equal({ id: 'B4', state: 'booked' });
      await api.lock('B5', 'alice');
      expect((await api.confirm('B5', 'alice')).status).to.equal(200);
    });

    it('answers the booker confirming again with 200', async () => {
      const a = ok(await api.lock('B4', 'alice'));
      await api.confirm('B4', 'alice', a.lockId);
      const again = await api.confirm('B4', 'alice', a.lockId);
      expect(again.status).to.equal(200);
      expect(ok(again).seat.state).to.equal('booked');
    });

    it('returns 409 NOT_LOCKED for an available seat', async () => {
      expectProblem(await api.confirm('B4', 'alice'), 409, 'NOT_LOCKED', 'B4');
    });

    it('returns 409 LOCK_NOT_HELD when another user holds the lock', async () => {
      await api.lock('B4', 'alice');
      expectProblem(await api.confirm('B4', 'bob'), 409, 'LOCK_NOT_HELD', 'B4');
      expect((await seatState('B4')).state).to.equal('locked');
    });

    it('returns 409 LOCK_NOT_HELD for the holder with another lockId', async () => {
      await api.lock('B4', 'alice');
      expectProblem(await api.confirm('B4', 'alice', 'nope'), 409, 'LOCK_NOT_HELD', 'B4');
      expect((await seatState('B4')).state).to.equal('locked');
    });

    it('returns 409 SEAT_BOOKED when someone else booked the seat', async () => {
      await api.lock('B4', 'alice');
      await api.confirm('B4', 'alice');
      expectProblem(await api.confirm('B4', 'bob'), 409, 'SEAT_BOOKED', 'B4');
    });

    it('returns 409 LOCK_EXPIRED when the requester’s own lock has expired', async () => {
      const a = ok(await api.lock('B4', 'alice'));
      clock.increment(TTL);
      const res = await api.confirm('B4', 'alice', a.lockId);
      expectProblem(res, 409, 'LOCK_EXPIRED', 'B4');
      expect((await seatState('B4')).state).to.equal('available');
    });
  });

  describe('POST /seats/:id/release', () => {
    it('makes the seat available again for the holder', async () => {
      const a = ok(await api.lock('B4', 'alice'));
      const res = await api.release('B4', 'alice', a.lockId);
      expect(res.status).to.equal(200);
      expect(ok(res).seat).to.deep.equal({ id: 'B4', state: 'available' });
      expect((await api.lock('B4', 'bob')).status).to.equal(200);
    });

    it('returns 409 NOT_LOCKED, LOCK_NOT_HELD, SEAT_BOOKED and LOCK_EXPIRED as the seat dictates', async () => {
      expectProblem(await api.release('A1', 'alice'), 409, 'NOT_LOCKED', 'A1');
      await api.lock('A2', 'alice');
      expectProblem(await api.release('A2', 'bob'), 409, 'LOCK_NOT_HELD', 'A2');
      await api.lock('A3', 'alice');
      await api.confirm('A3', 'alice');
      expectProblem(await api.release('A3', 'alice'), 409, 'SEAT_BOOKED', 'A3');
      clock.increment(TTL);
      expectProblem(await api.release('A2', 'alice'), 409, 'LOCK_EXPIRED', 'A2');
    });
  });

  describe('bad input', () => {
    const BAD_BODIES: Array<[string, unknown]> = [
      ['malformed JSON', '{"userId": '],
      ['an array', '[{"userId":"alice"}]'],
      ['a number', '42'],
      ['a string', '"alice"'],
      ['null', 'null'],
      ['an empty object', {}],
      ['an empty userId', { userId: '' }],
      ['a numeric userId', { userId: 7 }],
      ['a null userId', { userId: null }],
      ['an object userId', { userId: { toString: 'x' } }],
      ['a userId of 129 characters', { userId: 'x'.repeat(129) }],
      ['a numeric lockId', { userId: 'alice', lockId: 5 }],
      ['a __proto__ key only', '{"__proto__": {"userId": "alice"}}'],
      ['a constructor key only', '{"constructor": {"prototype": {"userId": "alice"}}}'],
    ];

    for (const [what, body] of BAD_BODIES) {
      it(`returns 400 INVALID_REQUEST for ${what}, and changes nothing`, async () => {
        const actions = ['lock', 'confirm', 'release'];
        for (const action of actions) {
          expectProblem(await post(`/seats/A1/${action}`, body), 400, 'INVALID_REQUEST');
        }
        expect(await seatState('A1')).to.deep.equal({ id: 'A1', state: 'available' });
        expect(({} as Record<string, unknown>).userId, 'no prototype pollution').to.equal(
          undefined,
        );
      });
    }

    it('accepts a userId of exactly 128 characters', async () => {
      expect((await api.lock('A1', 'x'.repeat(128))).status).to.equal(200);
    });

    it('ignores extra keys, __proto__ included, next to a valid userId', async () => {
      const res = await post(
        '/seats/A1/lock',
        '{"userId":"alice","__proto__":{"admin":true},"extra":1}',
      );
      expect(res.status).to.equal(200);
      expect(({} as Record<string, unknown>).admin).to.equal(undefined);
    });

    it('returns 400 when the body is not JSON at all', async () => {
      const res = await api.send('POST', '/seats/A1/lock', {
        headers: { 'content-type': 'text/plain' },
        rawBody: 'userId=alice',
      });
      expect(res.status).to.equal(400);
      expect((res.body as { code: string }).code).to.equal('INVALID_REQUEST');
    });

    it('returns 415 UNSUPPORTED_MEDIA_TYPE for JSON in a charset other than UTF-8', async () => {
      const res = await api.send('POST', '/seats/A1/lock', {
        headers: { 'content-type': 'application/json; charset=latin1' },
        rawBody: '{"userId":"alice"}',
      });
      expect(res.status).to.equal(415);
      expect((res.body as { code: string }).code).to.equal('UNSUPPORTED_MEDIA_TYPE');
      expect(await seatState('A1')).to.deep.equal({ id: 'A1', state: 'available' });
    });

    it('returns 413 PAYLOAD_TOO_LARGE for a body over 16 kB', async () => {
      const res = await post('/seats/A1/lock', { userId: 'alice', pad: 'x'.repeat(17 * 1024) });
      expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
      expect(await seatState('A1')).to.deep.equal({ id: 'A1', state: 'available' });
    });

    it('returns 404 SEAT_NOT_FOUND for lock, confirm and release of an unknown seat', async () => {
      for (const action of ['lock', 'confirm', 'release']) {
        expectProblem(
          await api.send('POST', `/seats/Z99/${action}`, { body: { userId: 'a' } }),
          404,
          'SEAT_NOT_FOUND',
          'Z99',
        );
      }
    });

    it('returns a 404 problem for unknown routes and methods', async () => {
      expectProblem(await api.send('GET', '/nope'), 404, 'NOT_FOUND');
      expectProblem(await api.send('DELETE', '/seats/A1'), 404, 'NOT_FOUND');
      expectProblem(await api.send('GET', '/seats/A1/lock'), 404, 'NOT_FOUND');
    });

    it('keeps serving after bad input', async () => {
      await post('/seats/A1/lock', '{{{{');
      expect((await api.lock('A1', 'alice')).status).to.equal(200);
    });
  });

  describe('errors', () => {
    it('answers an unexpected failure with a 500 problem and no stack trace', async () => {
      const logged: unknown[] = [];
      const broken = await serve({
        clock: new SimulatedClock(),
        logError: (err) => logged.push(err),
      });
      broken.store.get = async () => {
        throw new Error('disk on fire at /secret/path.ts:12');
      };
      const res = await broken.api.get('A1');
      expectProblem(res, 500, 'INTERNAL_ERROR');
      expect(JSON.stringify(res.body)).not.to.include('secret');
      expect(logged).to.have.length(1);
      await broken.stop();
    });
  });

  describe('GET /machine', () => {
    it('returns the seat machine definition', async () => {
      const res = await api.reply<{ id: string; states: object }>('GET', '/machine');
      expect(res.status).to.equal(200);
      const body = ok(res);
      expect(body.id).to.equal('seat');
      expect(Object.keys(body.states)).to.deep.equal(['available', 'locked', 'booked']);
    });
  });
});
