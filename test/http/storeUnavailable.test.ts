import { expect } from 'chai';
import { SimulatedClock } from 'xstate';
import { MemorySeatStore } from '../../src/store/memory/MemorySeatStore';
import type { SeatStore } from '../../src/store/SeatStore';
import {
  StoreUnavailableError,
  type UnavailableOutcome,
} from '../../src/store/StoreUnavailableError';
import { Venue } from '../../src/venue';
import { expectProblem } from '../support/api';
import { serve, type Served } from '../support/serve';

/** A memory store whose every call fails as a database store's does while its database is down. */
function failingStore(outcome: UnavailableOutcome): {
  store: SeatStore;
  down: (on: boolean) => void;
} {
  const inner = new MemorySeatStore({
    venue: new Venue(1, 3),
    ttlMs: 60_000,
    clock: new SimulatedClock(),
  });
  let isDown = false;
  const guard = <T>(work: () => Promise<T>) =>
    isDown ? Promise.reject(new StoreUnavailableError('unreachable', outcome, 2)) : work();
  const store: SeatStore = {
    venue: inner.venue,
    apply: (id, event) => guard(() => inner.apply(id, event)),
    applyAll: (requests) => guard(() => inner.applyAll(requests)),
    get: (id) => guard(() => inner.get(id)),
    list: (query) => guard(() => inner.list(query)),
    summary: () => guard(() => inner.summary()),
    seatsOf: (userId) => guard(() => inner.seatsOf(userId)),
    subscribe: (listener) => inner.subscribe(listener),
    subscribeGaps: (listener) => inner.subscribeGaps(listener),
    sessionKey: () => inner.sessionKey(),
    close: () => inner.close(),
    ping: () => guard(async () => undefined),
    createLockQuota: (max) => inner.createLockQuota(max),
    createClientLockQuota: (max) => inner.createClientLockQuota(max),
    createHolds: () => inner.createHolds(),
    createIdempotencyKeys: () => inner.createIdempotencyKeys(),
    availableRuns: (start, end) => guard(() => inner.availableRuns(start, end)),
  };
  return { store, down: (on) => (isDown = on) };
}

describe('A store that cannot reach its database', () => {
  let api: Served;
  afterEach(() => api?.stop());

  it('answers every seat request with a 503 STORE_UNAVAILABLE problem and Retry-After, saying whether the request may have been applied', async () => {
    const { store, down } = failingStore('unknown');
    api = await serve({ store, maxLocksPerUser: 0 });
    down(true);
    const calls = [
      api.call('POST', '/seats/A1/lock', { body: { userId: 'alice' } }),
      api.call('POST', '/seats/A1/confirm', { body: { userId: 'alice', lockId: 'x' } }),
      api.call('POST', '/seats/A1/release', { body: { userId: 'alice' } }),
      api.api.get('A1'),
      api.call('GET', '/seats'),
      api.api.summary(),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.status).to.equal(503);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(res.headers.get('retry-after')).to.equal('2');
      const problem = expectProblem(res, 503, 'STORE_UNAVAILABLE');
      expect(problem.outcome).to.equal('unknown');
      expect(problem.detail).to.match(/may or may not have been applied/);
    }
    const ready = await api.api.readiness();
    expect(ready.status).to.equal(503);
    expect(ready.body.status).to.equal('store-unreachable');
  });

  it('says nothing was changed when the request never reached the database, and serves again once it is back', async () => {
    const { store, down } = failingStore('not-applied');
    api = await serve({ store, maxLocksPerUser: 0 });
    down(true);
    const refused = await api.call('POST', '/seats/A2/lock', { body: { userId: 'bob' } });
    expect(refused.status).to.equal(503);
    const problem = expectProblem(refused, 503, 'STORE_UNAVAILABLE');
    expect(problem.outcome).to.equal('not-applied');
    expect(problem.detail).to.match(/nothing was changed/);
    down(false);
    const locked = await api.call('POST', '/seats/A2/lock', { body: { userId: 'bob' } });
    expect(locked.status).to.equal(200);
    expect((await api.call('GET', '/readyz')).status).to.equal(200);
  });
});
