import { expect } from 'chai';
import net, { type AddressInfo } from 'node:net';
import { SimulatedClock } from 'xstate';
import { MemorySeatStore } from '../../src/store/memory/MemorySeatStore';
import { Venue } from '../../src/venue';
import { apiClient, ok } from '../support/api';
import { serve, type Served } from '../support/serve';
import { dataOf, openSse, type ParsedSse } from '../support/sseClient';

const TTL = 60_000;
const START = Date.UTC(2026, 10, 24, 12, 0, 0);
const isSeatEvent = (m: ParsedSse) => m.data !== undefined && m.event === undefined;

describe('GET /seats/events', () => {
  let clock: SimulatedClock;
  let seatApp: Served;
  let address: AddressInfo;
  let subscriptions: number;
  /** Subscriptions the app made itself (event hub, metrics, lock quota), before any client. */
  let appSubscriptions: number;

  beforeEach(async () => {
    clock = new SimulatedClock();
    clock.set(START);
    const store = new MemorySeatStore({ venue: new Venue(3, 4), ttlMs: TTL, clock });
    // Count how often anything subscribes to the store: the hub must do it once, whatever the clients.
    subscriptions = 0;
    const subscribe = store.subscribe.bind(store);
    store.subscribe = (listener) => {
      subscriptions++;
      return subscribe(listener);
    };
    // No per-address stream cap: every client here comes from 127.0.0.1, 50 at a time.
    seatApp = await serve({ store, clock, lockTtlMs: TTL, eventsMaxStreamsPerClient: 0 });
    appSubscriptions = subscriptions;
    address = seatApp.server.address() as AddressInfo;
  });

  afterEach(() => seatApp.stop());

  it('streams lock, confirm and expiry transitions as they happen, each with its reason', async () => {
    const sse = await openSse(address);
    expect(sse.status).to.equal(200);
    expect(sse.headers['content-type']).to.match(/^text\/event-stream/);
    const { lockId } = await seatApp.service.lock('A1', 'alice');
    await seatApp.service.lock('B2', 'bob');
    await seatApp.service.confirm('A1', 'alice', lockId);
    clock.increment(TTL); // B2's lock runs out: its timer fires, no request involved
    await sse.waitFor((m) => isSeatEvent(m) && m.data!.includes('"B2","from":"locked"'));
    const events = sse.messages().filter(isSeatEvent);
    expect(events.map((m) => dataOf(m))).to.deep.equal([
      { id: 'A1', from: 'available', to: 'locked', reason: 'locked', at: iso(START) },
      { id: 'B2', from: 'available', to: 'locked', reason: 'locked', at: iso(START) },
      { id: 'A1', from: 'locked', to: 'booked', reason: 'confirmed', at: iso(START) },
      { id: 'B2', from: 'locked', to: 'available', reason: 'expired', at: iso(START + TTL) },
    ]);
    const seqs = events.map((m) => Number(m.id!.split('-')[1]));
    expect(seqs).to.deep.equal([1, 2, 3, 4]);
    sse.close();
  });

  it('resumes from Last-Event-ID, and asks for a resync when it cannot', async () => {
    await seatApp.service.lock('A1', 'alice');
    const resumeFrom = seatApp.events.lastEventId;
    await seatApp.service.lock('A2', 'alice');
    await seatApp.service.lock('A3', 'alice');
    const resumed = await openSse(address, { 'Last-Event-ID': resumeFrom });
    await resumed.waitFor((m) => isSeatEvent(m) && m.data!.includes('"A3"'));
    expect(
      resumed
        .messages()
        .filter(isSeatEvent)
        .map((m) => dataOf(m).id),
    ).to.deep.equal(['A2', 'A3']);
    resumed.close();

    const stale = await openSse(address, {}, '/seats/events?lastEventId=0badf00d-1');
    const resync = await stale.waitFor((m) => m.event === 'resync');
    expect(dataOf(resync).detail).to.match(/reload the seats/);
    stale.close();
  });

  it('is not taken for a seat id, and the store keeps serving seats around it', async () => {
    const summary = ok(await seatApp.api.summary());
    expect(summary).to.deep.equal({ total: 12, available: 12, locked: 0, booked: 0 });
    const seat = await seatApp.api.get('A1');
    expect(seat.status).to.equal(200);
  });

  it('leaves no listener behind after 10,000 clients connect and leave', async function () {
    // About 8 s on a quiet two-core machine; more when the machine is shared.
    this.timeout(90_000);
    // Raw sockets keep the client side cheap: the test is about the server's bookkeeping.
    const connectAndLeave = () =>
      new Promise<void>((resolve, reject) => {
        const socket = net.connect(address.port, '127.0.0.1', () => {
          socket.write('GET /seats/events HTTP/1.1\r\nHost: test\r\n\r\n');
        });
        let received = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
          received += chunk;
          // The hub has attached this client once ": connected" arrives; leave right then.
          if (received.includes(': connected')) {
            socket.destroy();
            resolve();
          }
        });
        socket.on('error', reject);
      });
    for (let batch = 0; batch < 200; batch++) {
      await Promise.all(Array.from({ length: 50 }, connectAndLeave));
    }
    // The server sees each close a moment after the client: wait for it, boundedly.
    for (let i = 0; i < 200 && seatApp.events.listenerCount > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(seatApp.events.listenerCount).to.equal(0);
    expect(subscriptions, 'clients never subscribe to the store themselves').to.equal(
      appSubscriptions,
    );
    // The stream still works for the next client.
    const sse = await openSse(address);
    await seatApp.service.lock('C4', 'carol');
    await sse.waitFor((m) => isSeatEvent(m) && m.data!.includes('"C4"'));
    expect(seatApp.events.listenerCount).to.equal(1);
    sse.close();
  });

  it('serves the seat-map page and its configuration', async () => {
    // The page and its files are static, not API routes: a client that checks no declarations.
    const web = apiClient(seatApp.url);
    const page = await web.send('GET', '/');
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    expect(page.text).to.include('<script type="module" src="seatmap/main.js"');
    const config = await web.send('GET', '/config.json');
    web.close();
    expect(config.body).to.deep.equal({
      rows: 3,
      seatsPerRow: 4,
      lockTtlMs: TTL,
      inspectorUrl: null,
    });
  });
});

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
