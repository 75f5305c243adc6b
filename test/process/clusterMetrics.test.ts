import { expect } from 'chai';
import { apiClient } from '../support/api';
import { compiledServer } from '../support/compiledBuild';
import { usePostgres } from '../support/postgres';
import { promSample } from '../support/promSample';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';
import { waitFor } from '../support/waitFor';

describe('/metrics with WORKERS=2 (the compiled build)', function () {
  this.timeout(180_000);
  const db = usePostgres();
  let server: ServerProcess | undefined;
  after(async () => {
    await server?.kill('SIGTERM');
  });

  // A connection per request: node:cluster hands new connections to the workers in turn.
  const api = () => apiClient(server!.url, { freshConnections: true });
  const scrape = async () => (await api().send('GET', '/metrics')).text;
  const lock = async (seat: string) => {
    const reply = await api().lock(seat, `u-${seat}`);
    expect(reply.status, reply.text).to.equal(200);
  };
  const workerPids = () =>
    [...server!.output().matchAll(/, worker (\d+)\)/g)].map((match) => Number(match[1]));

  before(async () => {
    server = await startServerProcess(
      { DATABASE_URL: db().url, WORKERS: '2', SEAT_ROWS: '2', SEATS_PER_ROW: '10' },
      { script: await compiledServer() },
    );
    await waitFor(() => workerPids().length === 2, { what: 'both workers listening' });
  });

  it('shows the whole service in every scrape, whichever worker answers it', async () => {
    for (let i = 1; i <= 8; i++) await lock(`A${i}`);
    for (let i = 0; i < 4; i++) {
      const text = await scrape();
      expect(promSample(text, 'seat_locks_taken_total')).to.equal(8);
      expect(
        promSample(text, 'http_requests_total{method="POST",route="/seats/:id/lock",status="200"}'),
      ).to.equal(8);
      // The seats gauge reads the shared database: counted once, not once per worker.
      expect(promSample(text, 'seats{state="locked"}')).to.equal(8);
    }
  });

  it('never goes backwards between scrapes, even when a worker dies and is replaced', async () => {
    let previous = promSample(await scrape(), 'seat_locks_taken_total');
    const seats = ['B1', 'B2', 'B3', 'B4'];
    for (const seat of seats) {
      await lock(seat);
      const now = promSample(await scrape(), 'seat_locks_taken_total');
      expect(now).to.be.at.least(previous + 1);
      previous = now;
    }
    const [victim] = workerPids();
    process.kill(victim, 'SIGKILL');
    await waitFor(() => workerPids().length === 3, { what: 'a replacement worker' });
    for (let i = 0; i < 4; i++) {
      expect(promSample(await scrape(), 'seat_locks_taken_total')).to.be.at.least(previous);
    }
    await lock('B5');
    expect(promSample(await scrape(), 'seat_locks_taken_total')).to.be.at.least(previous + 1);
  });
});
