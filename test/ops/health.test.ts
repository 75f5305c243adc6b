import { expect } from 'chai';
import { createApp } from '../../src/app';
import { Venue } from '../../src/venue';
import { MemorySeatStore } from '../../src/store/memory/MemorySeatStore';
import { systemClock } from '../../src/clock';
import { ok } from '../support/api';
import { serve, type Served } from '../support/serve';

describe('health and readiness', () => {
  let api: Served | undefined;
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });

  it('/healthz is up; /readyz follows starting → ready → store down → draining', async () => {
    const store = new MemorySeatStore({ venue: new Venue(1, 1), ttlMs: 1000, clock: systemClock });
    let reachable: boolean | 'hangs' = true;
    store.ping = () => {
      if (reachable === 'hangs') return new Promise(() => {});
      return reachable ? Promise.resolve() : Promise.reject(new Error('connection refused'));
    };
    const served = await serve({ store, readyPingTimeoutMs: 20 }); // listens, then marks the app ready
    api = served;

    expect(ok(await served.api.health())).to.deep.equal({ status: 'ok' });
    expect((await served.api.readiness()).body).to.deep.equal({
      ready: true,
      status: 'ready',
    });
    reachable = false;
    const down = await served.api.readiness();
    expect(down.status).to.equal(503);
    expect(down.body).to.deep.equal({ ready: false, status: 'store-unreachable' });
    reachable = 'hangs';
    expect((await served.api.readiness()).body.status).to.equal('store-unreachable');
    reachable = true;
    expect((await served.api.readiness()).status).to.equal(200);
    await served.lifecycle.drain();
    const draining = await served.api.readiness();
    expect(draining.status).to.equal(503);
    expect(draining.body.status).to.equal('draining');
    expect((await served.api.health()).status).to.equal(200);
  });

  it('/readyz is 503 until the app is marked ready (the server does so once it listens)', async () => {
    const starting = createApp();
    const server = starting.app.listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as { port: number }).port;
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(res.status).to.equal(503);
    expect(await res.json()).to.deep.equal({ ready: false, status: 'starting' });
    server.closeAllConnections();
    server.close();
    await starting.close();
  });

  it('the memory store is always reachable', async () => {
    const store = new MemorySeatStore({ venue: new Venue(1, 1), ttlMs: 1000, clock: systemClock });
    await store.ping();
  });
});
