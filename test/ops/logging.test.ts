import { expect } from 'chai';
import { loadConfig, ConfigError } from '../../src/config';
import { captureLog } from '../support/logLines';
import type { LockResponse } from '../../src/http/schemas';
import { ok } from '../support/api';
import { serve, type Served } from '../support/serve';

describe('request logs (pino JSON)', () => {
  let api: Served;
  afterEach(async () => api?.stop());

  /** The one request log line with this request id. */
  const lineFor = (log: ReturnType<typeof captureLog>, id: string | null) => {
    const lines = log.lines.filter((line) => line.req?.id === id);
    expect(lines, `log lines for ${id}`).to.have.length(1);
    return lines[0];
  };

  it('logs request id, seat, user and outcome; echoes a sane X-Request-Id', async () => {
    const log = captureLog('info');
    api = await serve({ logger: log.logger });
    const locked = await api.call('POST', '/seats/B2/lock', {
      body: { userId: 'alice' },
      headers: { 'X-Request-Id': 'req-42.a:b_c' },
    });
    expect(locked.headers.get('x-request-id')).to.equal('req-42.a:b_c');
    const line = lineFor(log, 'req-42.a:b_c');
    expect(line).to.include({ level: 30, seatId: 'B2', userId: 'alice', outcome: 'OK' });
    expect(line.req).to.deep.equal({ id: 'req-42.a:b_c', method: 'POST', path: '/seats/B2/lock' });
    expect(line.res).to.deep.equal({ statusCode: 200 });

    const refused = await api.call('POST', '/seats/B2/lock', { body: { userId: 'bob' } });
    const generated = refused.headers.get('x-request-id');
    expect(generated).to.match(/^[\w-]{21}$/);
    expect(lineFor(log, generated)).to.include({
      level: 40,
      seatId: 'B2',
      userId: 'bob',
      outcome: 'SEAT_LOCKED',
    });
  });

  it('replaces an unsafe X-Request-Id and never logs bodies or lock ids', async () => {
    const log = captureLog('info');
    api = await serve({ logger: log.logger });
    const bad = 'x'.repeat(129);
    const res = await api.api.reply<LockResponse>('POST', '/seats/A1/lock', {
      body: { userId: 'carol' },
      headers: { 'X-Request-Id': bad },
    });
    expect(res.headers.get('x-request-id')).not.to.equal(bad);
    const { lockId } = ok(res);
    await api.api.confirm('A1', 'carol', lockId);
    await api.call('POST', '/seats/A1/confirm', { rawBody: '{"secret":' });
    expect(log.raw).not.to.include(lockId);
    expect(log.raw).not.to.include(bad);
    expect(log.raw).not.to.include('secret');
    expect(log.raw).not.to.match(/"body"|"headers"|lockId/);
    expect(log.lines.map((l) => l.outcome)).to.deep.equal(['OK', 'OK', 'INVALID_REQUEST']);
  });

  it('honours the level: at warn only problems are logged', async () => {
    const log = captureLog('warn');
    api = await serve({ logger: log.logger });
    await api.api.get('A1');
    await api.api.get('Q99');
    expect(log.lines.map((l) => l.outcome)).to.deep.equal(['SEAT_NOT_FOUND']);
  });

  it('reads LOG_LEVEL from the environment (default info) and refuses unknown levels', () => {
    expect(loadConfig({}).LOG_LEVEL).to.equal('info');
    expect(loadConfig({ LOG_LEVEL: 'debug' }).LOG_LEVEL).to.equal('debug');
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).to.throw(
      ConfigError,
      /LOG_LEVEL must be one of/,
    );
  });
});
