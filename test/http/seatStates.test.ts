import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { ok } from '../support/api';
import { serve, type Served } from '../support/serve';

const KEY = 'sk_test_seat_states';

describe('GET …/seats/states: every seat’s state at once, as runs', () => {
  let api: Served;
  beforeEach(async () => {
    api = await serve({
      rows: 2,
      seatsPerRow: 5,
      apiKeyDigests: [createHash('sha256').update(KEY).digest('hex')],
      maxLocksPerUser: 0,
    });
  });
  afterEach(() => api.stop());

  it('answers a fresh venue with its size and no runs', async () => {
    const res = await api.call('GET', '/seats/states');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ size: 10, locked: [], booked: [] });
  });

  it('joins adjacent seats into one run, across rows, and keeps locked apart from booked', async () => {
    for (const id of ['A5', 'B1', 'B2', 'A2']) await api.api.lock(id, `u${id}`);
    const { lockId } = ok(await api.api.lock('A4', 'carol'));
    await api.api.confirm('A4', 'carol', lockId);
    const res = await api.call('GET', '/seats/states');
    // A2 is index 1; A5, B1, B2 are 4, 5, 6; A4 (booked) is 3.
    expect(res.body).to.deep.equal({ size: 10, locked: [1, 1, 4, 3], booked: [3, 1] });
  });

  it('serves each event’s own seats by index in its layout, sections in order', async () => {
    const layout = {
      sections: [
        { id: 'FLOOR', rows: [{ label: 'A', seats: 3 }] },
        { id: 'BALC', rows: [{ label: 'A', seats: 2 }] },
      ],
    };
    await api.call('POST', '/events', {
      body: { id: 'gig', name: 'Gig', layout },
      headers: { Authorization: `Bearer ${KEY}` },
    });
    await api.api.event('gig').lock('FLOOR-A-3', 'dora');
    await api.api.event('gig').lock('BALC-A-1', 'erin');
    const res = await api.call('GET', '/events/gig/seats/states');
    expect(res.body).to.deep.equal({ size: 5, locked: [2, 2], booked: [] });
    expect((await api.call('GET', '/seats/states')).body).to.deep.equal({
      size: 10,
      locked: [],
      booked: [],
    });
    expect((await api.call('GET', '/events/nope/seats/states')).status).to.equal(404);
  });
});
