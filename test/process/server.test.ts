import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { apiClient, ok } from '../support/api';
import { transpiledServer } from '../support/compiledBuild';
import { TEST_API_KEY_DIGEST } from '../support/credentials';

const ROOT = join(__dirname, '..', '..');

/** Runs the compiled `src/process/server.ts` as `npm start` does, with `env` added. */
function startProcess(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [transpiledServer()], {
    cwd: ROOT,
    // In memory, one process, whatever the developer's shell has (DATABASE_URL may point at a real database).
    env: {
      ...process.env,
      DATABASE_URL: '',
      WORKERS: '1',
      API_KEYS: TEST_API_KEY_DIGEST,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function output(child: ChildProcess): { text: () => string } {
  let text = '';
  child.stdout!.on('data', (chunk) => (text += chunk));
  child.stderr!.on('data', (chunk) => (text += chunk));
  return { text: () => text };
}

describe('src/process/server.ts (the real process)', function () {
  this.timeout(30_000);

  it('serves the configured venue on the port it prints, and says the memory store keeps nothing across a restart', async () => {
    const child = startProcess({
      PORT: '0',
      SEAT_ROWS: '3',
      SEATS_PER_ROW: '4',
      LOCK_TTL_MS: '1500',
    });
    const out = output(child);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', () => {
          const match = /listening on (http:\/\/localhost:\d+)/.exec(out.text());
          if (match) resolve(match[1]);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${out.text()}`)));
      });
      expect(out.text()).to.include('12 seats, lock TTL 1500 ms');
      const api = apiClient(url);
      const seats = ok(await api.list());
      // In memory it says plainly that nothing survives a restart, and how to keep seats.
      expect(out.text()).to.include('a restart or crash forgets every lock and booking');
      expect(out.text()).to.include('DATABASE_URL=postgres://');
      expect(seats.seats.map((s) => s.id)).to.deep.equal([
        'A1',
        'A2',
        'A3',
        'A4',
        'B1',
        'B2',
        'B3',
        'B4',
        'C1',
        'C2',
        'C3',
        'C4',
      ]);
      const lock = ok(await api.lock('C4', 'alice'));
      api.close();
      const ttl = Date.parse(lock.expiresAt) - Date.now();
      expect(ttl).to.be.within(0, 1500);
    } finally {
      child.kill();
    }
  });

  for (const [env, message] of [
    [{ SEAT_ROWS: 'ten' }, 'SEAT_ROWS must be a whole number from 1 to 100000 (got "ten").'],
    [{ LOCK_TTL_MS: '0' }, 'LOCK_TTL_MS must be a whole number from 1 to 86400000 (got "0").'],
    [{ PORT: '70000' }, 'PORT must be a whole number from 0 to 65535 (got "70000").'],
    [
      { SEAT_ROWS: '100000', SEATS_PER_ROW: '1000' },
      'SEAT_ROWS × SEATS_PER_ROW must be at most 10000000',
    ],
    [{ INSPECT: 'yes' }, 'INSPECT must be 1 (on) or 0 (off).'],
  ] as const) {
    it(`refuses to start with ${JSON.stringify(env)}, saying why`, async () => {
      const child = startProcess(env);
      const out = output(child);
      const code = await new Promise((resolve) => child.on('exit', resolve));
      expect(code).to.equal(1);
      expect(out.text()).to.include('Cannot start: bad configuration.').and.include(message);
    });
  }
});
