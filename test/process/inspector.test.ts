import { expect } from 'chai';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import WebSocket from 'ws';
import { createApp } from '../../src/app';
import { startInspector, type SeatInspector } from '../../src/process/inspector';
import { redactInspection } from '../../src/process/redactInspection';
import { freePort } from '../../scripts/freePort';

interface Inspected {
  type: string;
  name?: string;
  sessionId: string;
  event?: { type: string };
  snapshot?: { value?: unknown };
}

/** Status of `GET /` on the relay at `host`, with `headers`; or the connection error's code. */
function get(host: string, port: number, headers: Record<string, string> = {}) {
  return new Promise<number | string>((resolve) => {
    const req = request({ host, port, path: '/', headers, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}

/** Opens a WebSocket to the relay; resolves `open`, or the status/error that refused it. */
function connect(port: number, origin?: string): Promise<{ ws?: WebSocket; refused?: string }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, origin ? { origin } : {});
  return new Promise((resolve) => {
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ refused: String(res.statusCode) }));
    ws.once('error', (err) => resolve({ refused: err.message }));
  });
}

/**
 * What `INSPECT=1` starts, short of the Stately UI (served from the web): the relay on
 * INSPECT_PORT serves the bridge page and passes every seat actor's inspection events to the
 * browsers connected to it. Here a WebSocket client stands in for the bridge page.
 */
describe('Stately inspector relay', () => {
  let port: number;
  let inspector: SeatInspector;
  beforeEach(async () => {
    port = await freePort();
    inspector = startInspector(port);
    // The relay starts listening asynchronously: retry the bridge page briefly.
    for (let i = 0; i < 50 && (await get('127.0.0.1', port)) !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  afterEach(() => inspector.stop());

  it('relays a seat actor from lock to booking, with no userId or lockId in anything it sends', async () => {
    const { service, close } = createApp({ inspect: inspector.inspect });
    const page = await fetch(inspector.url).then((r) => r.text());
    expect(page).to.include('<title>Stately Inspector</title>');
    const { ws } = await connect(port);
    const seen: Inspected[] = [];
    let raw = '';
    try {
      const booked = new Promise<void>((resolve) => {
        ws!.on('message', (data: Buffer) => {
          raw += data.toString();
          const message = JSON.parse(data.toString()) as Inspected;
          seen.push(message);
          if (message.type === '@xstate.snapshot' && message.snapshot?.value === 'booked')
            resolve();
        });
      });
      const { lockId } = await service.lock('B4', 'alice-7f3a');
      await service.confirm('B4', 'alice-7f3a', lockId);
      await Promise.race([
        booked,
        new Promise((_, reject) => setTimeout(() => reject(new Error('no booked snapshot')), 5000)),
      ]);
      const actor = seen.find((m) => m.type === '@xstate.actor');
      expect(actor?.name).to.equal('B4');
      const events = seen.filter(
        (m) => m.sessionId === actor!.sessionId && m.type === '@xstate.event',
      );
      expect(events.map((m) => m.event!.type)).to.include.members(['LOCK', 'CONFIRM']);
      expect(raw, 'the user').not.to.include('alice-7f3a');
      expect(raw, 'the lock').not.to.include(lockId);
      expect(raw).to.include('(hidden)');
    } finally {
      ws?.close();
      await close();
    }
  });

  it('listens on loopback only', async () => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4')
      .map((a) => a!.address);
    for (const address of [...others, '::1']) {
      expect(await get(address, port), address).to.be.a('string'); // refused: nothing listens there
    }
    expect(inspector.url).to.equal(`http://127.0.0.1:${port}`);
  });

  it('refuses another Origin’s WebSocket and another Host name (DNS rebinding)', async () => {
    expect((await connect(port, 'https://evil.example')).refused).to.equal('401');
    const own = await connect(port, `http://127.0.0.1:${port}`);
    expect(own.ws, 'its own page').to.not.equal(undefined);
    own.ws?.close();
    expect(await get('127.0.0.1', port, { Host: `evil.example:${port}` })).to.equal(403);
    expect(await get('127.0.0.1', port, { Host: `localhost:${port}` })).to.equal(200);
  });

  it('redacts user and lock ids at any depth, and survives cycles and functions', () => {
    const cyclic: Record<string, unknown> = { userId: 'bob' };
    cyclic.self = cyclic;
    expect(
      redactInspection({
        context: { lock: { userId: 'bob', lockId: 'L1', until: 5 }, fn: () => 1 },
        list: [cyclic],
      }),
    ).to.deep.equal({
      context: { lock: { userId: '(hidden)', lockId: '(hidden)', until: 5 } },
      list: [{ userId: '(hidden)' }],
    });
  });
});
