import { expect } from 'chai';
import { startServer, type TestServer } from '../support/http';

const TTL = 60_000;

describe('seat API', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer({ rows: 10, seatsPerRow: 10, lockTtlMs: TTL });
  });
  afterEach(() => server.stop());

  const lock = (id: string, body: unknown) => server.request('POST', `/seats/${id}/lock`, body);
  const confirm = (id: string, body: unknown) =>
    server.request('POST', `/seats/${id}/confirm`, body);
  const release = (id: string, body: unknown) =>
    server.request('POST', `/seats/${id}/release`, body);

  /** Expects an RFC 9457 problem with this status and code whose detail names `seat`. */
  function expectProblem(
    res: { status: number; body: any; headers: Headers },
    status: number,
    code: string,
    seat?: string,
  ) {
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(res.body).to.include({ status, code });
    expect(res.body.type).to.be.a('string');
    expect(res.body.title).to.be.a('string');
    expect(res.body.detail)
      .to.be.a('string')
      .and.not.match(/at .*\.ts:\d+/);
    if (seat) expect(res.body.detail).to.include(seat);
  }

  async function seatState(id: string) {
    return (await server.request('GET', `/seats/${id}`)).body.seat;
  }

  describe('GET /seats', () => {
    it('lists every seat in row then seat order, all available', async () => {
      const { status, body } = await server.request('GET', '/seats');
      expect(status).to.equal(200);
      expect(body.seats).to.have.length(100);
      expect(body.seats.slice(0, 3).map((s: any) => s.id)).to.deep.equal(['A1', 'A2', 'A3']);
      expect(body.seats[10].id).to.equal('B1');
      expect(body.seats[99]).to.deep.equal({ id: 'J10', state: 'available' });
    });

    it('shows a locked seat with expiresAt but never its holder or lockId', async () => {
      const { body: locked } = await lock('B4', { userId: 'alice' });
      const { body } = await server.request('GET', '/seats');
      const seat = body.seats.find((s: any) => s.id === 'B4');
      expect(seat).to.deep.equal({ id: 'B4', state: 'locked', expiresAt: locked.expiresAt });
      expect(JSON.stringify(body)).not.to.include('alice').and.not.to.include(locked.lockId);
    });

    it('labels rows like spreadsheet columns past Z', async () => {
      const big = await startServer({ rows: 28, seatsPerRow: 1 });
      const { body } = await big.request('GET', '/seats');
      expect(body.seats.map((s: any) => s.id).slice(24)).to.deep.equal(['Y1', 'Z1', 'AA1', 'AB1']);
      await big.stop();
    });
  });

  describe('GET /seats/:id', () => {
    it('returns one seat', async () => {
      const { status, body } = await server.request('GET', '/seats/C7');
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
        expectProblem(await server.request('GET', `/seats/${id}`), 404, 'SEAT_NOT_FOUND');
      }
    });
  });

  describe('POST /seats/:id/lock', () => {
    it('locks the seat and answers with message, seat, lockId and expiresAt', async () => {
      const { status, body } = await lock('B4', { userId: 'alice' });
      expect(status).to.equal(200);
      expect(body.message).to.include('B4');
      expect(body.lockId).to.match(/^[A-Za-z0-9_-]{21}$/);
      expect(body.expiresAt).to.equal(new Date(TTL).toISOString());
      expect(body.seat).to.deep.equal({ id: 'B4', state: 'locked', expiresAt: body.expiresAt });
    });

    it('answers the holder locking again with the same lockId and expiresAt, not extended', async () => {
      const first = await lock('B4', { userId: 'alice' });
      server.clock.increment(10_000);
      const again = await lock('B4', { userId: 'alice' });
      expect(again.status).to.equal(200);
      expect(again.body.lockId).to.equal(first.body.lockId);
      expect(again.body.expiresAt).to.equal(first.body.expiresAt);
    });

    it('returns 409 SEAT_LOCKED when another user holds the lock', async () => {
      await lock('B4', { userId: 'alice' });
      const res = await lock('B4', { userId: 'bob' });
      expectProblem(res, 409, 'SEAT_LOCKED', 'B4');
      expect(res.body.detail).to.equal(
        'Seat B4 is locked by another user until 00:01:00Z; try another seat.',
      );
    });

    it('returns 409 SEAT_BOOKED when the seat is booked', async () => {
      await lock('B4', { userId: 'alice' });
      await confirm('B4', { userId: 'alice' });
      expectProblem(await lock('B4', { userId: 'bob' }), 409, 'SEAT_BOOKED', 'B4');
      expectProblem(await lock('B4', { userId: 'alice' }), 409, 'SEAT_BOOKED', 'B4');
    });

    it('lets another user lock once the lock has expired', async () => {
      await lock('B4', { userId: 'alice' });
      server.clock.increment(TTL);
      expect((await lock('B4', { userId: 'bob' })).status).to.equal(200);
    });
  });

  describe('POST /seats/:id/confirm', () => {
    it('books the seat for the holder, with or without lockId', async () => {
      const { body: a } = await lock('B4', { userId: 'alice' });
      const res = await confirm('B4', { userId: 'alice', lockId: a.lockId });
      expect(res.status).to.equal(200);
      expect(res.body.message).to.include('B4');
      expect(res.body.seat).to.deep.equal({ id: 'B4', state: 'booked' });
      await lock('B5', { userId: 'alice' });
      expect((await confirm('B5', { userId: 'alice' })).status).to.equal(200);
    });

    it('answers the booker confirming again with 200', async () => {
      const { body: a } = await lock('B4', { userId: 'alice' });
      await confirm('B4', { userId: 'alice', lockId: a.lockId });
      const again = await confirm('B4', { userId: 'alice', lockId: a.lockId });
      expect(again.status).to.equal(200);
      expect(again.body.seat.state).to.equal('booked');
    });

    it('returns 409 NOT_LOCKED for an available seat', async () => {
      expectProblem(await confirm('B4', { userId: 'alice' }), 409, 'NOT_LOCKED', 'B4');
    });

    it('returns 409 LOCK_NOT_HELD when another user holds the lock', async () => {
      await lock('B4', { userId: 'alice' });
      expectProblem(await confirm('B4', { userId: 'bob' }), 409, 'LOCK_NOT_HELD', 'B4');
      expect((await seatState('B4')).state).to.equal('locked');
    });

    it('returns 409 LOCK_NOT_HELD for the holder with another lockId', async () => {
      await lock('B4', { userId: 'alice' });
      expectProblem(
        await confirm('B4', { userId: 'alice', lockId: 'nope' }),
        409,
        'LOCK_NOT_HELD',
        'B4',
      );
      expect((await seatState('B4')).state).to.equal('locked');
    });

    it('returns 409 SEAT_BOOKED when someone else booked the seat', async () => {
      await lock('B4', { userId: 'alice' });
      await confirm('B4', { userId: 'alice' });
      expectProblem(await confirm('B4', { userId: 'bob' }), 409, 'SEAT_BOOKED', 'B4');
    });

    it('returns 409 LOCK_EXPIRED when the requester’s own lock has expired', async () => {
      const { body: a } = await lock('B4', { userId: 'alice' });
      server.clock.increment(TTL);
      const res = await confirm('B4', { userId: 'alice', lockId: a.lockId });
      expectProblem(res, 409, 'LOCK_EXPIRED', 'B4');
      expect((await seatState('B4')).state).to.equal('available');
    });
  });

  describe('POST /seats/:id/release', () => {
    it('makes the seat available again for the holder', async () => {
      const { body: a } = await lock('B4', { userId: 'alice' });
      const res = await release('B4', { userId: 'alice', lockId: a.lockId });
      expect(res.status).to.equal(200);
      expect(res.body.seat).to.deep.equal({ id: 'B4', state: 'available' });
      expect((await lock('B4', { userId: 'bob' })).status).to.equal(200);
    });

    it('returns 409 NOT_LOCKED, LOCK_NOT_HELD, SEAT_BOOKED and LOCK_EXPIRED as the seat dictates', async () => {
      expectProblem(await release('A1', { userId: 'alice' }), 409, 'NOT_LOCKED', 'A1');
      await lock('A2', { userId: 'alice' });
      expectProblem(await release('A2', { userId: 'bob' }), 409, 'LOCK_NOT_HELD', 'A2');
      await lock('A3', { userId: 'alice' });
      await confirm('A3', { userId: 'alice' });
      expectProblem(await release('A3', { userId: 'alice' }), 409, 'SEAT_BOOKED', 'A3');
      server.clock.increment(TTL);
      expectProblem(await release('A2', { userId: 'alice' }), 409, 'LOCK_EXPIRED', 'A2');
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
          expectProblem(
            await server.request('POST', `/seats/A1/${action}`, body),
            400,
            'INVALID_REQUEST',
          );
        }
        expect(await seatState('A1')).to.deep.equal({ id: 'A1', state: 'available' });
        expect(({} as any).userId, 'no prototype pollution').to.equal(undefined);
      });
    }

    it('accepts a userId of exactly 128 characters', async () => {
      expect((await lock('A1', { userId: 'x'.repeat(128) })).status).to.equal(200);
    });

    it('ignores extra keys, __proto__ included, next to a valid userId', async () => {
      const res = await lock('A1', '{"userId":"alice","__proto__":{"admin":true},"extra":1}');
      expect(res.status).to.equal(200);
      expect(({} as any).admin).to.equal(undefined);
    });

    it('returns 400 when the body is not JSON at all', async () => {
      const res = await fetch(`${server.url}/seats/A1/lock`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'userId=alice',
      });
      expect(res.status).to.equal(400);
      expect(((await res.json()) as { code: string }).code).to.equal('INVALID_REQUEST');
    });

    it('returns 415 UNSUPPORTED_MEDIA_TYPE for JSON in a charset other than UTF-8', async () => {
      const res = await fetch(`${server.url}/seats/A1/lock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=latin1' },
        body: '{"userId":"alice"}',
      });
      expect(res.status).to.equal(415);
      expect(((await res.json()) as { code: string }).code).to.equal('UNSUPPORTED_MEDIA_TYPE');
      expect(await seatState('A1')).to.deep.equal({ id: 'A1', state: 'available' });
    });

    it('returns 413 PAYLOAD_TOO_LARGE for a body over 16 kB', async () => {
      const res = await lock('A1', { userId: 'alice', pad: 'x'.repeat(17 * 1024) });
      expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
      expect(await seatState('A1')).to.deep.equal({ id: 'A1', state: 'available' });
    });

    it('returns 404 SEAT_NOT_FOUND for lock, confirm and release of an unknown seat', async () => {
      for (const action of ['lock', 'confirm', 'release']) {
        expectProblem(
          await server.request('POST', `/seats/Z99/${action}`, { userId: 'a' }),
          404,
          'SEAT_NOT_FOUND',
          'Z99',
        );
      }
    });

    it('returns a 404 problem for unknown routes and methods', async () => {
      expectProblem(await server.request('GET', '/nope'), 404, 'NOT_FOUND');
      expectProblem(await server.request('DELETE', '/seats/A1'), 404, 'NOT_FOUND');
      expectProblem(await server.request('GET', '/seats/A1/lock'), 404, 'NOT_FOUND');
    });

    it('keeps serving after bad input', async () => {
      await server.request('POST', '/seats/A1/lock', '{{{{');
      expect((await lock('A1', { userId: 'alice' })).status).to.equal(200);
    });
  });

  describe('errors', () => {
    it('answers an unexpected failure with a 500 problem and no stack trace', async () => {
      const logged: unknown[] = [];
      const broken = await startServer({ logError: (err) => logged.push(err) });
      broken.store.get = async () => {
        throw new Error('disk on fire at /secret/path.ts:12');
      };
      const res = await broken.request('GET', '/seats/A1');
      expectProblem(res, 500, 'INTERNAL_ERROR');
      expect(JSON.stringify(res.body)).not.to.include('secret');
      expect(logged).to.have.length(1);
      await broken.stop();
    });
  });

  describe('GET /machine', () => {
    it('returns the seat machine definition', async () => {
      const { status, body } = await server.request('GET', '/machine');
      expect(status).to.equal(200);
      expect(body.id).to.equal('seat');
      expect(Object.keys(body.states)).to.deep.equal(['available', 'locked', 'booked']);
    });
  });
});
