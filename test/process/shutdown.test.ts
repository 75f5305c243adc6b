import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { MemorySeatStore } from '../../src/store/memory/MemorySeatStore';
import { shutdown, trackConnections } from '../../src/process/shutdown';
import { lockResponseSchema } from '../../src/http/schemas';
import { transpiledServer } from '../support/compiledBuild';
import { TEST_API_KEY_DIGEST } from '../support/credentials';
import { captureLog, type LogLine } from '../support/logLines';
import {
  rawConnection,
  rawRequest,
  requestHead,
  requestText,
  type Outcome,
} from '../support/rawHttp';

const LOCK_BODY = '{"userId":"alice"}';
/** The head of alice's lock of A1, with her credentials; its body is LOCK_BODY. */
const lockHead = () => requestHead('POST', '/seats/A1/lock', LOCK_BODY);

/**
 * A whole response, or a connection refused before the server read the request: not one byte of
 * an answer, and (checked against the server's log) the request never reached a seat.
 */
function expectCleanOutcome(outcome: Outcome, seat: string, seatsHandled: Set<string>): void {
  if ('response' in outcome) {
    expect(outcome.response.status, seat).to.equal(200);
    return;
  }
  expect(outcome.error, seat).to.be.oneOf(['ECONNREFUSED', 'ECONNRESET', 'CLOSED']);
  expect(seatsHandled.has(seat), `${seat} was handled but got no answer`).to.equal(false);
}

describe('graceful shutdown', () => {
  it('drains: hooks and `closing` fire, the request in flight completes, then the store closes', async () => {
    const seatApp = createApp({ apiKeyDigests: [TEST_API_KEY_DIGEST] });
    const store = seatApp.store as MemorySeatStore;
    const server = seatApp.app.listen(0);
    const connections = trackConnections(server);
    await new Promise((resolve) => server.once('listening', resolve));
    seatApp.lifecycle.ready();
    const port = (server.address() as AddressInfo).port;
    await seatApp.service.lock('B1', 'bob'); // a live actor with a timer
    let hookRan = false;
    seatApp.lifecycle.onShutdown(() => {
      hookRan = true; // where the SSE code ends its streams
    });
    const head = await lockHead();
    const slow = await rawConnection(port);
    slow.socket.write(head + LOCK_BODY.slice(0, 5)); // in flight: body half sent
    const fresh = await rawConnection(port); // connected, request not sent yet
    await new Promise((resolve) => setImmediate(resolve));

    const log = captureLog();
    const done = shutdown({
      server,
      connections,
      app: seatApp,
      timeoutMs: 10_000,
      logger: log.logger,
    });
    expect(seatApp.lifecycle.state).to.equal('draining');
    expect(seatApp.lifecycle.closing.aborted).to.equal(true);
    expect(hookRan).to.equal(true);
    while (server.listening) await new Promise((resolve) => setImmediate(resolve));
    expect(await rawRequest(port, 'GET', '/healthz')).to.deep.equal({ error: 'ECONNREFUSED' });
    slow.socket.write(LOCK_BODY.slice(5));
    const outcome = await slow.outcome;
    expect(outcome).to.have.property('response');
    const { response } = outcome as Extract<Outcome, { response: unknown }>;
    expect(response.status).to.equal(200);
    expect(response.headers.connection).to.equal('close');
    expect(lockResponseSchema.parse(JSON.parse(response.body)).seat.state).to.equal('locked');
    fresh.socket.write('GET /seats/A1 HTTP/1.1\r\nHost: test\r\n\r\n');
    const late = await fresh.outcome;
    expect(late).to.have.nested.property('response.status', 200);
    expect(await done).to.equal('clean');
    expect(store.expiryCount(), 'the store was closed: no lock expiry left pending').to.equal(0);
  });

  it('cuts connections still open after SHUTDOWN_TIMEOUT_MS and reports `forced`', async () => {
    expect(loadConfig({}).SHUTDOWN_TIMEOUT_MS).to.equal(10_000);
    const seatApp = createApp({ apiKeyDigests: [TEST_API_KEY_DIGEST] });
    const server = seatApp.app.listen(0);
    const connections = trackConnections(server);
    await new Promise((resolve) => server.once('listening', resolve));
    const head = await lockHead();
    const stuck = await rawConnection((server.address() as AddressInfo).port);
    stuck.socket.write(head); // a body that never comes
    await new Promise((resolve) => setImmediate(resolve));
    const log = captureLog();
    const outcome = await shutdown({
      server,
      connections,
      app: seatApp,
      timeoutMs: 50,
      logger: log.logger,
    });
    expect(outcome).to.equal('forced');
    expect(log.lines.map((l) => l.msg)).to.include(
      'shutdown timed out; closing the connections still open',
    );
    await stuck.outcome;
  });

  describe('the server process on SIGTERM', function () {
    let child: ChildProcess;
    after(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });

    it('answers every request in flight fully or refuses it cleanly, then exits 0', async () => {
      child = spawn(process.execPath, [transpiledServer()], {
        env: {
          ...process.env,
          PORT: '0',
          LOG_LEVEL: 'info',
          RATE_LIMIT_PER_MINUTE: '0',
          MAX_LOCKS_PER_CLIENT: '0',
          API_KEYS: TEST_API_KEY_DIGEST,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      const lines = createInterface({ input: child.stdout! });
      const seatsHandled = new Set<string>();
      lines.on('line', (raw) => {
        const { seatId } = JSON.parse(raw) as LogLine & { seatId?: string };
        if (seatId) seatsHandled.add(seatId);
      });
      const waitFor = (msg: RegExp) =>
        new Promise<LogLine & { port?: number }>((resolve) =>
          lines.on('line', (raw) => {
            const line = JSON.parse(raw) as LogLine & { port?: number };
            if (msg.test(line.msg ?? '')) resolve(line);
          }),
        );
      const port = Number((await waitFor(/listening/)).port);

      const idle = await rawConnection(port); // a keep-alive connection with nothing to do
      idle.socket.write('GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n');
      expect(await idle.outcome).to.have.property('response');
      const idleClosed = new Promise<boolean>((resolve) =>
        idle.socket.on('close', (hadError) => resolve(hadError)),
      );
      const head = await lockHead();
      const slow = await rawConnection(port);
      slow.socket.write(head + LOCK_BODY.slice(0, 5));

      // Connected and sent just before the signal: in flight, so each must get its answer.
      const texts = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          requestText('POST', `/seats/B${i + 1}/lock`, { userId: `u${i}` }),
        ),
      );
      const inFlight = await Promise.all(texts.map(() => rawConnection(port)));
      inFlight.forEach(({ socket }, i) => socket.write(texts[i]));
      const shuttingDown = waitFor(/^shutting down$/);
      child.kill('SIGTERM');
      // Racing the signal, and after it: answered, or refused before the server read them.
      const racing = Array.from({ length: 4 }, (_, i) =>
        rawRequest(port, 'POST', `/seats/C${i + 1}/lock`, { userId: `r${i}` }),
      );
      await shuttingDown;
      const late = Array.from({ length: 4 }, (_, i) =>
        rawRequest(port, 'POST', `/seats/D${i + 1}/lock`, { userId: `l${i}` }),
      );
      slow.socket.write(LOCK_BODY.slice(5));

      const slowOutcome = await slow.outcome;
      expect(slowOutcome).to.have.nested.property('response.status', 200);
      expect(slowOutcome).to.have.nested.property('response.headers.connection', 'close');
      const inFlightOutcomes = await Promise.all(inFlight.map((c) => c.outcome));
      for (const outcome of inFlightOutcomes) {
        expect(outcome).to.have.nested.property('response.status', 200);
      }
      const outcomes = await Promise.all([...racing, ...late]);
      expect(await idleClosed, 'idle connection closed without error').to.equal(false);
      expect(await exited).to.equal(0); // every log line is out by now
      const seats = [...racing.map((_, i) => `C${i + 1}`), ...late.map((_, i) => `D${i + 1}`)];
      outcomes.forEach((outcome, i) => expectCleanOutcome(outcome, seats[i], seatsHandled));
    });
  });
});
