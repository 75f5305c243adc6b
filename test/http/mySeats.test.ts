import { expect } from 'chai';
import { SimulatedClock } from 'xstate';
import { apiClient, expectProblem, ok, type ApiClient } from '../support/api';
import { guestSession, type GuestSessionCredentials } from '../support/credentials';
import { serve, type Served } from '../support/serve';

interface MySeats {
  held: Array<{ eventId: string; id: string; state: string; lockId?: string; expiresAt?: string }>;
  booked: Array<{ eventId: string; id: string; state: string }>;
}

describe('GET /me/seats: the caller’s own seats, in every event', () => {
  let app: Served;
  let alice: GuestSessionCredentials;
  let asAlice: ApiClient;
  let asBob: ApiClient;
  let clock: SimulatedClock;

  beforeEach(async () => {
    clock = new SimulatedClock();
    clock.set(Date.now());
    app = await serve({ rows: 2, seatsPerRow: 4, clock, lockTtlMs: 60_000 });
    alice = await guestSession(app.url);
    const bob = await guestSession(app.url);
    asAlice = apiClient(app.url, { credentials: alice.credentials, routes: app.routes });
    asBob = apiClient(app.url, { credentials: bob.credentials, routes: app.routes });
  });
  afterEach(async () => {
    asAlice.close();
    asBob.close();
    await app.stop();
  });

  const mine = async (client: ApiClient, query = '') =>
    ok(await client.reply<MySeats>('GET', `/me/seats${query}`));

  it('lists the seats a guest holds, with lockId and expiresAt, and those it booked; never another user’s', async () => {
    const a1 = ok(await asAlice.lock('A1', alice.userId));
    const b2 = ok(await asAlice.lock('B2', alice.userId));
    ok(await asAlice.confirm('B2', alice.userId, b2.lockId));
    const bobs = await asBob.reply<{ lockId: string }>('POST', '/seats/A3/lock', { body: {} });
    ok(bobs);
    const seats = await mine(asAlice);
    expect(seats.held).to.deep.equal([
      { eventId: 'default', id: 'A1', state: 'locked', lockId: a1.lockId, expiresAt: a1.expiresAt },
    ]);
    expect(seats.booked).to.deep.equal([{ eventId: 'default', id: 'B2', state: 'booked' }]);
    const text = JSON.stringify(await mine(asBob));
    expect(text).to.include('A3');
    expect(text).not.to.include(a1.lockId);
    expect(text).not.to.include(alice.userId);
    expectProblem(await asBob.send('GET', `/me/seats?userId=${alice.userId}`), 403, 'FORBIDDEN');
  });

  it('forgets a lock once it has expired', async () => {
    ok(await asAlice.lock('A1', alice.userId));
    clock.increment(60_000);
    expect(await mine(asAlice)).to.deep.equal({ held: [], booked: [] });
  });

  it('spans every event, and answers a backend with an API key for the ?userId= it names', async () => {
    const layout = { sections: [{ id: 'F', rows: [{ label: 'A', seats: 3 }] }] };
    ok(
      await app.api.reply('POST', '/events', {
        body: { id: 'show', name: 'Show', layout },
      }),
    );
    ok(await asAlice.reply('POST', '/events/show/seats/F-A-2/lock', { body: {} }));
    ok(await asAlice.lock('A4', alice.userId));
    const seats = await mine(app.api, `?userId=${alice.userId}`);
    expect(seats.held.map(({ eventId, id }) => `${eventId} ${id}`)).to.deep.equal([
      'default A4',
      'show F-A-2',
    ]);
    expect(seats.held[1]).to.include({ section: 'F', row: 'A', number: 2 });
    expectProblem(await app.api.send('GET', '/me/seats'), 400, 'INVALID_REQUEST', 'userId');
    expectProblem(
      await app.api.send('GET', '/me/seats', { headers: { authorization: '' } }),
      401,
      'UNAUTHENTICATED',
    );
  });
});
