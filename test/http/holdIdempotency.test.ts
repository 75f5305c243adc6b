import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { StoredAnswer } from '../../machines/idempotencyMachine';
import type { IdempotencyKeys, KeyRef } from '../../src/idempotency/IdempotencyKeys';
import { MemoryIdempotencyKeys } from '../../src/idempotency/MemoryIdempotencyKeys';
import { systemClock } from '../../src/clock';
import { MemorySeatStore } from '../../src/store/memory/MemorySeatStore';
import { Venue } from '../../src/venue';
import { apiClient, expectProblem, ok, type ApiClient } from '../support/api';
import { usePostgresStores } from '../support/postgres';
import { serve, type Served } from '../support/serve';

const KEY = 'sk_test_idempotency_key';
const DIGEST = createHash('sha256').update(KEY).digest('hex');
const AS_BACKEND = () => ({ authorization: `Bearer ${KEY}` });
const keyed = (key: string) => ({ headers: { 'Idempotency-Key': key } });

describe('Idempotency-Key on creating and confirming holds', () => {
  const apps: Served[] = [];
  const open = async (options: Parameters<typeof serve>[0] = {}) => {
    const app = await serve({ rows: 2, seatsPerRow: 10, apiKeyDigests: [DIGEST], ...options });
    apps.push(app);
    return { app, api: apiClient(app.url, { routes: app.routes, credentials: AS_BACKEND }) };
  };
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.stop()));
  });

  it('replays the first answer to a retry with the same key and body, holding nothing more', async () => {
    const { api } = await open();
    const first = await api.hold('alice', ['A1', 'A2'], keyed('k-1'));
    const retry = await api.hold('alice', ['A1', 'A2'], keyed('k-1'));
    expect(retry.status).to.equal(201);
    expect(retry.headers.get('idempotent-replayed')).to.equal('true');
    expect(retry.headers.get('location')).to.equal(first.headers.get('location'));
    expect(ok(retry).hold.id).to.equal(ok(first).hold.id);
    // A refusal is an answer too: replayed, not run again.
    const refused = await api.hold('bob', ['A2'], keyed('k-2'));
    ok(await api.releaseHold(ok(first).hold.id, 'alice'));
    const replayed = await api.hold('bob', ['A2'], keyed('k-2'));
    expect([refused.status, replayed.status]).to.deep.equal([409, 409]);
    expect(replayed.body).to.deep.equal(refused.body);
    const confirmed = await api.confirmHold(
      ok(await api.hold('carol', ['B1'])).hold.id,
      'carol',
      keyed('k-3'),
    );
    const again = await api.confirmHold(ok(confirmed).booking.holdId, 'carol', keyed('k-3'));
    expect(ok(again).booking).to.deep.equal(ok(confirmed).booking);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
  });

  it('refuses the same key with another body with 422 IDEMPOTENCY_KEY_REUSED; keys are the caller’s own', async () => {
    const { api } = await open();
    ok(await api.hold('alice', ['A1'], keyed('k-1')));
    expectProblem(await api.hold('alice', ['A2'], keyed('k-1')), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(ok(await api.get('A2')).seat.state).to.equal('available');
    const bobs = ok(await api.hold('bob', ['A2'], keyed('k-1'))).hold;
    expect(bobs.seats.map((seat) => seat.id)).to.deep.equal(['A2']);
    expectProblem(
      await api.hold('alice', ['A1'], { headers: { 'Idempotency-Key': 'bad key' } }),
      400,
      'INVALID_REQUEST',
    );
  });

  it('answers a retry while the first request still runs with 409 IDEMPOTENCY_IN_PROGRESS and Retry-After', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const inner = new MemoryIdempotencyKeys();
    // The first request's answer is kept only when the test says: until then it is in flight.
    const keys: IdempotencyKeys = {
      begin: (ref, fingerprint, now) => inner.begin(ref, fingerprint, now),
      finish: async (ref: KeyRef, answer: StoredAnswer, now: number) => {
        await held;
        return inner.finish(ref, answer, now);
      },
      abandon: (ref, now) => inner.abandon(ref, now),
      close: () => inner.close(),
    };
    const { api } = await open({ idempotencyKeys: keys });
    const first = api.hold('alice', ['A1'], keyed('k-1'));
    let retry = await api.hold('alice', ['A1'], keyed('k-1'));
    for (let i = 0; i < 50 && retry.status === 201; i++)
      retry = await api.hold('alice', ['A1'], keyed('k-1'));
    expectProblem(retry, 409, 'IDEMPOTENCY_IN_PROGRESS');
    expect(retry.headers.get('retry-after')).to.equal('1');
    release();
    const answered = ok(await first).hold;
    expect(ok(await api.hold('alice', ['A1'], keyed('k-1'))).hold.id).to.equal(answered.id);
  });

  it('forgets a key whose first answer was a 5xx, so the retry runs for real', async () => {
    const store = new MemorySeatStore({
      venue: new Venue(2, 10),
      ttlMs: 60_000,
      clock: systemClock,
    });
    const real = store.applyAllNow.bind(store);
    let fail = true;
    store.applyAllNow = (requests) => {
      if (fail) throw new Error('boom');
      return real(requests);
    };
    const { api } = await open({ store, logError: () => undefined });
    expect((await api.hold('alice', ['A1'], keyed('k-1'))).status).to.equal(500);
    fail = false;
    expect((await api.hold('alice', ['A1'], keyed('k-1'))).status).to.equal(201);
  });

  describe('on PostgreSQL', () => {
    const stores = usePostgresStores();

    it('replays across instances sharing the database', async () => {
      const { clock } = stores;
      clock.set(Date.UTC(2030, 0, 1));
      const opened = await Promise.all(
        [0, 1].map(async () =>
          open({ store: await stores.open({ venue: new Venue(1, 10) }), clock }),
        ),
      );
      const [a, b]: ApiClient[] = opened.map(({ api }) => api);
      const first = ok(await a.hold('alice', ['A1', 'A2'], keyed('k-pg'))).hold;
      const retry = await b.hold('alice', ['A1', 'A2'], keyed('k-pg'));
      expect(retry.headers.get('idempotent-replayed')).to.equal('true');
      expect(ok(retry).hold.id).to.equal(first.id);
      expectProblem(await b.hold('alice', ['A3'], keyed('k-pg')), 422, 'IDEMPOTENCY_KEY_REUSED');
      const booking = ok(await b.confirmHold(first.id, 'alice', keyed('k-pg-confirm'))).booking;
      expect(
        ok(await a.confirmHold(first.id, 'alice', keyed('k-pg-confirm'))).booking,
      ).to.deep.equal(booking);
    });
  });
});
