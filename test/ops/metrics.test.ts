import { expect } from 'chai';
import { SimulatedClock } from 'xstate';
import { promSample } from '../support/promSample';
import { ok } from '../support/api';
import { serve, type Served } from '../support/serve';

describe('Prometheus /metrics', () => {
  let api: Served;
  let other: Served | undefined;
  afterEach(async () => {
    await api?.stop();
    await other?.stop();
    other = undefined;
  });

  it('counts requests, latency, seats by state, lock outcomes and refusals by code', async () => {
    const clock = new SimulatedClock();
    api = await serve({ rows: 1, seatsPerRow: 6, clock, lockTtlMs: 1000 });
    const body = ok(await api.api.lock('A1', 'u1'));
    await api.api.confirm('A1', 'u1', body.lockId);
    await api.api.lock('A2', 'u1');
    await api.api.release('A2', 'u1');
    await api.api.lock('A3', 'u2');
    clock.increment(1000); // A3's lock lapses
    await api.api.lock('A4', 'u3');
    await api.api.lock('A4', 'u4'); // SEAT_LOCKED
    await api.api.confirm('A1', 'u4'); // SEAT_BOOKED
    await api.api.confirm('A3', 'u2'); // LOCK_EXPIRED
    await api.call('GET', '/seats/A1');
    await api.call('GET', '/seats/NOPE');

    const { text, headers } = await api.call('GET', '/metrics');
    expect(headers.get('content-type')).to.match(/^text\/plain/);
    expect(promSample(text, 'seats{state="available"}')).to.equal(4);
    expect(promSample(text, 'seats{state="locked"}')).to.equal(1);
    expect(promSample(text, 'seats{state="booked"}')).to.equal(1);
    expect(promSample(text, 'seat_locks_taken_total')).to.equal(4);
    expect(promSample(text, 'seat_locks_confirmed_total')).to.equal(1);
    expect(promSample(text, 'seat_locks_released_total')).to.equal(1);
    expect(promSample(text, 'seat_locks_expired_total')).to.equal(1);
    for (const code of ['SEAT_LOCKED', 'SEAT_BOOKED', 'LOCK_EXPIRED']) {
      expect(promSample(text, `seat_requests_refused_total{code="${code}"}`), code).to.equal(1);
    }
    const lock = 'method="POST",route="/seats/:id/lock"';
    expect(promSample(text, `http_requests_total{${lock},status="200"}`)).to.equal(4);
    expect(promSample(text, `http_requests_total{${lock},status="409"}`)).to.equal(1);
    const get = 'method="GET",route="/seats/:id"';
    expect(promSample(text, `http_requests_total{${get},status="404"}`)).to.equal(1);
    expect(promSample(text, `http_request_duration_seconds_count{${lock},status="200"}`)).to.equal(
      4,
    );
    expect(text).to.include(
      `http_request_duration_seconds_bucket{le="+Inf",${lock},status="200"} 4`,
    );
  });

  it('keeps one registry per app, so two apps count apart; unknown paths share one label', async () => {
    api = await serve();
    other = await serve({ processMetrics: true });
    await api.call('GET', '/healthz');
    await api.call('GET', '/no/such/thing');
    await api.call('GET', '/another/404');
    const mine = (await api.call('GET', '/metrics')).text;
    const theirs = (await other.call('GET', '/metrics')).text;
    expect(
      promSample(mine, 'http_requests_total{method="GET",route="/healthz",status="200"}'),
    ).to.equal(1);
    expect(
      promSample(mine, 'http_requests_total{method="GET",route="unmatched",status="404"}'),
    ).to.equal(2);
    expect(theirs).not.to.include('route="/healthz"');
    expect(theirs).to.include('process_cpu_seconds_total');
    expect(mine).not.to.include('process_cpu_seconds_total');
  });
});
