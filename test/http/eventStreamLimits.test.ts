import { expect } from 'chai';
import net, { type AddressInfo } from 'node:net';
import { SimulatedClock } from 'xstate';
import type { AppOptions } from '../../src/app';
import { MemorySeatStore } from '../../src/store/memory/MemorySeatStore';
import type { SeatTransition } from '../../src/store/SeatStore';
import { Venue } from '../../src/venue';
import { expectProblem } from '../support/api';
import { serve, type Served } from '../support/serve';
import { openSse, type SseConnection } from '../support/sseClient';
import { waitFor } from '../support/waitFor';

describe('GET /seats/events limits (in-process)', () => {
  let seatApp: Served;
  let address: AddressInfo;
  let emit: (t: SeatTransition) => void;
  const clock = new SimulatedClock();

  const start = async (options: AppOptions) => {
    const store = new MemorySeatStore({ venue: new Venue(2, 5), ttlMs: 60_000, clock });
    // A way to publish transitions of any size straight to the stream, as the store would.
    const subscribe = store.subscribe.bind(store);
    store.subscribe = (listener) => {
      const previous = emit;
      emit = (t) => {
        previous?.(t);
        listener(t);
      };
      return subscribe(listener);
    };
    seatApp = await serve({ store, clock, ...options });
    address = seatApp.server.address() as AddressInfo;
  };

  afterEach(() => seatApp.stop());

  it('refuses a stream past the per-address cap with a 429 problem; a closed stream frees its place', async () => {
    await start({ eventsMaxStreamsPerClient: 3 });
    const open: SseConnection[] = [];
    for (let i = 0; i < 3; i++) open.push(await openSse(address));
    expect(open.map((s) => s.status)).to.deep.equal([200, 200, 200]);
    const refused = await seatApp.api.send('GET', '/seats/events');
    expect(refused.status).to.equal(429);
    expect(refused.headers.get('content-type')).to.include('application/problem+json');
    expect(refused.headers.get('retry-after')).to.equal('10');
    const body = expectProblem(refused, 429, 'TOO_MANY_STREAMS');
    expect(body.code).to.equal('TOO_MANY_STREAMS');
    expect(body.detail).to.include('3 seat event streams');
    expect(seatApp.events.listenerCount).to.equal(3);

    open.pop()!.close();
    await waitFor(() => seatApp.events.listenerCount === 2, { what: 'the close to be seen' });
    const again = await openSse(address);
    expect(again.status).to.equal(200);
    for (const s of [...open, again]) s.close();
  });

  it('cuts a stream whose client stopped reading, and keeps serving', async () => {
    await start({ eventsDrainTimeoutMs: 30_000 });
    const stopped = net.connect(address.port, '127.0.0.1');
    stopped.write('GET /seats/events HTTP/1.1\r\nHost: test\r\n\r\n');
    await new Promise<void>((resolve) => {
      let text = '';
      stopped.on('data', (chunk) => {
        text += String(chunk);
        if (text.includes(': connected')) resolve();
      });
    });
    stopped.pause(); // reads nothing more: the kernel's buffers fill, then the server's queue
    const closed = new Promise<void>((resolve) => stopped.once('close', () => resolve()));
    stopped.on('error', () => {});
    const big = 'x'.repeat(4000);
    for (let i = 0; i < 5000 && seatApp.events.listenerCount === 1; i++) {
      emit({
        id: `${big}${i}`,
        from: 'available',
        to: 'locked',
        reason: 'locked',
        userId: 'u',
        at: 0,
      });
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    clock.increment(30_000); // past the drain bound, whichever of the two bounds came first
    expect(seatApp.events.listenerCount, 'the stopped client is dropped').to.equal(0);
    stopped.resume(); // reading again, it finds its connection closed
    await closed;
    const reader = await openSse(address);
    emit({ id: 'A1', from: 'available', to: 'locked', reason: 'locked', userId: 'u', at: 0 });
    await reader.waitFor((m) => m.data?.includes('"A1"') ?? false, 15_000);
    reader.close();
  });
});
