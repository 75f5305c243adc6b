import { expect } from 'chai';
import net from 'node:net';
import WebSocket from 'ws';
import { freePort } from '../../scripts/freePort';
import { apiClient, ok, type ApiClient } from '../support/api';
import { usePostgres } from '../support/postgres';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';
import { waitFor } from '../support/waitFor';

/** No credential at all: with `AUTH=off` the body's userId is believed, as an attacker would have it. */
const AS_ANYONE = { credentials: () => ({}) };

/**
 * The abuse findings of issue 11, replayed against the real server process (`src/process/server.ts`,
 * default settings unless a row says otherwise): each is refused now. `AUTH=off` stands for a
 * client that can name any user (or open any number of guest sessions).
 */
/** Opens `GET /seats/events` on a raw socket; resolves with the status line's code. */
function openStream(
  url: string,
  lastEventId?: string,
): Promise<{ status: number; socket: net.Socket; text: () => string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname === 'localhost' ? '127.0.0.1' : hostname);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.write(
      `GET /seats/events HTTP/1.1\r\nHost: x\r\n${lastEventId ? `Last-Event-ID: ${lastEventId}\r\n` : ''}\r\n`,
    );
    let answered = false;
    socket.on('data', (chunk: string) => {
      text += chunk;
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (match && !answered) {
        answered = true;
        resolve({ status: Number(match[1]), socket, text: () => text });
      }
    });
  });
}

describe('attacks on the limits, against the real server process', function () {
  this.timeout(180_000);

  describe('in memory, default limits', () => {
    let server: ServerProcess;
    let api: ApiClient;
    before(async () => {
      // Empty: the service's defaults (600 a minute, 30 locks per client), which test processes turn off.
      server = await startServerProcess({
        AUTH: 'off',
        RATE_LIMIT_PER_MINUTE: '',
        MAX_LOCKS_PER_CLIENT: '',
      });
      api = apiClient(server.url, AS_ANYONE);
    });
    after(async () => {
      api?.close();
      await server?.kill('SIGTERM');
    });

    // First: the locks of the next row would leave this address no place to lock with.
    it('a resume from long ago gets one resync, not the whole history', async () => {
      const first = await openStream(server.url);
      // 330 seat changes, well over the 32 KiB a resume may replay (about 120 bytes each).
      for (let round = 0; round < 11; round++) {
        await Promise.all(
          Array.from({ length: 15 }, async (_, i) => {
            const seat = `${'HI'[Math.floor(i / 10)]}${(i % 10) + 1}`;
            const user = `churn-${round}-${i}`;
            await api.lock(seat, user);
            await api.release(seat, user);
          }),
        );
      }
      await waitFor(() => (first.text().match(/\nid: /g) ?? []).length > 0, { what: 'an event' });
      const firstId = /\nid: (\S+)/.exec(first.text())![1];
      first.socket.destroy();
      const resumed = await openStream(server.url, firstId);
      await waitFor(() => resumed.text().includes('event: resync'), { what: 'the resync' });
      expect(resumed.text().length, 'one resync, not the missed events').to.be.below(2000);
      resumed.socket.destroy();
    });

    it('one client inventing userIds holds at most MAX_LOCKS_PER_CLIENT (30) of the 100-seat venue', async () => {
      const seats = Array.from(
        { length: 100 },
        (_, i) => `${'ABCDEFGHIJ'[Math.floor(i / 10)]}${(i % 10) + 1}`,
      );
      const results = [];
      for (let i = 0; i < seats.length; i += 20) {
        results.push(
          ...(await Promise.all(
            seats.slice(i, i + 20).map((seat, j) => api.lock(seat, `invented-${i + j}`)),
          )),
        );
      }
      expect(results.filter((r) => r.status === 200)).to.have.length(30);
      const refused = results.filter((r) => r.status === 409);
      expect(refused).to.have.length(70);
      expect(refused.every((r) => !r.ok && r.body.code === 'TOO_MANY_CLIENT_LOCKS')).to.equal(true);
      const summary = ok(await api.summary());
      expect(summary.locked).to.equal(30);
    });

    it('2,000 idle streams from one address: 32 are served, the rest get 429 TOO_MANY_STREAMS', async () => {
      const streams = [];
      for (let i = 0; i < 40; i++) streams.push(await openStream(server.url));
      const statuses = streams.map((s) => s.status);
      // At most 32: a stream of the row before may not have been seen closing yet.
      expect(statuses.filter((s) => s === 200)).to.have.length.within(30, 32);
      expect(statuses.filter((s) => s === 429)).to.have.length.within(8, 10);
      expect(streams.find((s) => s.status === 429)!.text()).to.include('TOO_MANY_STREAMS');
      for (const s of streams) s.socket.destroy();
    });

    it('the rate limit counts a loopback client: 600 seat actions a minute, then 429', async () => {
      // The window is a fixed minute: 1,900 sends span at most three, so one sees its 601st.
      let limited = false;
      for (let sent = 0; sent < 1900 && !limited; sent += 20) {
        const answers = await Promise.all(Array.from({ length: 20 }, () => api.release('A1', 'x')));
        limited = answers.some((a) => a.status === 429 && !a.ok && a.body.code === 'RATE_LIMITED');
      }
      expect(limited).to.equal(true);
      const spoofed = await api.send('POST', '/seats/A1/release', {
        body: { userId: 'x' },
        headers: { 'x-forwarded-for': '198.51.100.1' },
      });
      expect(spoofed.status, 'X-Forwarded-For from a client is not believed').to.equal(429);
    });
  });

  it('TRUST_PROXY as a hop count refuses to start (a direct client would pick its own bucket)', async () => {
    const failure = await startServerProcess({ TRUST_PROXY: '1' }).then(
      async (server) => {
        await server.kill();
        return '';
      },
      (err: Error) => err.message,
    );
    expect(failure).to.include('TRUST_PROXY takes the addresses');
  });

  it('the inspector relay listens on loopback only, refuses other origins and streams no ids', async () => {
    const inspectPort = await freePort();
    const server = await startServerProcess({
      AUTH: 'off',
      INSPECT: '1',
      INSPECT_PORT: String(inspectPort),
    });
    const api = apiClient(server.url, AS_ANYONE);
    try {
      await waitFor(() => server.output().includes('Stately inspector'), { what: 'the relay' });
      const evil = new WebSocket(`ws://127.0.0.1:${inspectPort}`, {
        origin: 'https://evil.example',
      });
      const refused = await new Promise<boolean>((resolve) => {
        evil.once('open', () => resolve(false));
        evil.once('error', () => resolve(true));
      });
      expect(refused, 'another origin').to.equal(true);
      const ws = new WebSocket(`ws://127.0.0.1:${inspectPort}`);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      let raw = '';
      ws.on('message', (data: Buffer) => (raw += data.toString()));
      const locked = ok(await api.lock('C3', 'carol-secret'));
      await waitFor(() => raw.includes('"LOCK"'), { what: 'the LOCK event' });
      expect(raw).not.to.include('carol-secret');
      expect(raw).not.to.include(locked.lockId);
      ws.close();
    } finally {
      api.close();
      await server.kill('SIGTERM');
    }
  });

  describe('on PostgreSQL, two instances', () => {
    const db = usePostgres();
    const servers: ServerProcess[] = [];
    const apis: ApiClient[] = [];
    before(async function () {
      this.timeout(180_000);
      const env = {
        AUTH: 'off',
        DATABASE_URL: db().url,
        MAX_LOCKS_PER_CLIENT: '5',
        MAX_LOCKS_PER_USER: '3',
      };
      servers.push(...(await Promise.all([startServerProcess(env), startServerProcess(env)])));
      apis.push(...servers.map((server) => apiClient(server.url, AS_ANYONE)));
    });
    after(async () => {
      for (const api of apis) api.close();
      await Promise.all(servers.map((s) => s.kill('SIGTERM')));
    });

    it('a userId with \\u0000 or a lone surrogate is a 400, never a 500 with a stack trace', async () => {
      for (const userId of ['nul\u0000l', 'half\ud800', '\udc00x', 'line\nbreak']) {
        const res = await apis[0].lock('B1', userId);
        expect(res.status, JSON.stringify(userId)).to.equal(400);
        expect(!res.ok && res.body.code).to.equal('INVALID_REQUEST');
      }
      expect(servers[0].output()).not.to.match(/INTERNAL_ERROR|at .*\.ts:\d+/);
    });

    it('caps per user and per address hold across both instances', async () => {
      const mine = await Promise.all(
        ['D1', 'D2', 'D3', 'D4', 'D5', 'D6'].map((seat, i) => apis[i % 2].lock(seat, 'dora')),
      );
      expect(
        mine.filter((r) => r.status === 200),
        'MAX_LOCKS_PER_USER=3',
      ).to.have.length(3);
      expect(mine.filter((r) => !r.ok && r.body.code === 'TOO_MANY_LOCKS')).to.have.length(3);
      const invented = await Promise.all(
        ['E1', 'E2', 'E3', 'E4', 'E5', 'E6'].map((seat, i) => apis[i % 2].lock(seat, `eve-${i}`)),
      );
      // dora's 3 locks came from this address too: 2 places are left of MAX_LOCKS_PER_CLIENT=5.
      expect(invented.filter((r) => r.status === 200)).to.have.length(2);
      expect(
        invented.filter((r) => !r.ok && r.body.code === 'TOO_MANY_CLIENT_LOCKS'),
      ).to.have.length(4);
    });
  });
});
