import { expect } from 'chai';
import { Pool } from 'pg';
import type { IdempotencyKeys } from '../../src/idempotency/IdempotencyKeys';
import { MemoryIdempotencyKeys } from '../../src/idempotency/MemoryIdempotencyKeys';
import { PostgresIdempotencyKeys } from '../../src/idempotency/PostgresIdempotencyKeys';
import { usePostgres } from '../support/postgres';

const DAY = 24 * 60 * 60 * 1000;
const LEASE = 60_000;
const T0 = 1_700_000_000_000;
const alice = { scope: 'user:alice', key: 'k1' };
const bob = { scope: 'user:bob', key: 'k1' };
const CREATED = { status: 201, body: { hold: { id: 'H1' } }, headers: { location: '/holds/H1' } };

/**
 * The contract every idempotency-key host passes, whatever it keeps keys in (hono's
 * `runTest({ newRouter })` style): `newKeys()` may be called several times and must return hosts
 * that share their keys, like instances of one service.
 */
function runIdempotencyContract(newKeys: () => Promise<IdempotencyKeys>) {
  it('runs the first request with a key, and replays its answer to a retry', async () => {
    const keys = await newKeys();
    expect(await keys.begin(alice, 'f1', T0)).to.deep.equal({ type: 'idempotency.run' });
    await keys.finish(alice, CREATED, T0 + 5);
    expect(await keys.begin(alice, 'f1', T0 + 10)).to.deep.equal({
      type: 'idempotency.replay',
      answer: CREATED,
    });
  });

  it('refuses the same key with another request: IDEMPOTENCY_KEY_REUSED', async () => {
    const keys = await newKeys();
    await keys.begin(alice, 'f1', T0);
    await keys.finish(alice, CREATED, T0);
    expect(await keys.begin(alice, 'f2', T0 + 1)).to.deep.equal({
      type: 'idempotency.refused',
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });

  it('refuses a retry while the first is still running: IDEMPOTENCY_IN_PROGRESS', async () => {
    const keys = await newKeys();
    await keys.begin(alice, 'f1', T0);
    expect(await keys.begin(alice, 'f1', T0 + 100)).to.deep.equal({
      type: 'idempotency.refused',
      code: 'IDEMPOTENCY_IN_PROGRESS',
    });
  });

  it('keeps keys per caller: the same key of two callers are two keys', async () => {
    const keys = await newKeys();
    await keys.begin(alice, 'f1', T0);
    await keys.finish(alice, CREATED, T0);
    expect(await keys.begin(bob, 'f2', T0)).to.deep.equal({ type: 'idempotency.run' });
  });

  it('lets a retry run for real after the first was abandoned (a fault, a 503)', async () => {
    const keys = await newKeys();
    await keys.begin(alice, 'f1', T0);
    await keys.abandon(alice, T0 + 1);
    expect(await keys.begin(alice, 'f1', T0 + 2)).to.deep.equal({ type: 'idempotency.run' });
  });

  it('lets a retry take over a first request whose instance died (past the lease)', async () => {
    const keys = await newKeys();
    await keys.begin(alice, 'f1', T0);
    expect(await keys.begin(alice, 'f1', T0 + LEASE)).to.deep.equal({ type: 'idempotency.run' });
  });

  it('forgets a key after 24 h: the same key runs again, even with another request', async () => {
    const keys = await newKeys();
    await keys.begin(alice, 'f1', T0);
    await keys.finish(alice, CREATED, T0);
    expect(await keys.begin(alice, 'f1', T0 + DAY - 1)).to.have.property(
      'type',
      'idempotency.replay',
    );
    expect(await keys.begin(alice, 'f2', T0 + DAY)).to.deep.equal({ type: 'idempotency.run' });
  });

  it('tells exactly one of many concurrent requests with one key to run, across instances', async () => {
    const instances = [await newKeys(), await newKeys()];
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => instances[i % 2].begin(alice, 'f1', T0 + i)),
    );
    const runs = replies.filter((reply) => reply.type === 'idempotency.run');
    expect(runs).to.have.length(1);
    expect(replies.filter((reply) => reply.type !== 'idempotency.run')).to.satisfy(
      (others: typeof replies) =>
        others.every(
          (r) => r.type === 'idempotency.refused' && r.code === 'IDEMPOTENCY_IN_PROGRESS',
        ),
    );
  });
}

describe('idempotency keys', () => {
  describe('in memory', () => {
    // Instances of the memory store are one process: they share the one map, made per test.
    let shared = new MemoryIdempotencyKeys(DAY, LEASE);
    beforeEach(() => {
      shared = new MemoryIdempotencyKeys(DAY, LEASE);
    });
    runIdempotencyContract(() => Promise.resolve(shared));
  });

  describe('on PostgreSQL', () => {
    const db = usePostgres();
    const pools: Pool[] = [];
    afterEach(async () => {
      await Promise.all(pools.splice(0).map((pool) => pool.end()));
    });
    let round = 0;
    let roundOf = -1;
    let schema = '';
    beforeEach(() => {
      round++;
    });
    runIdempotencyContract(async () => {
      // Each test gets its own keys (a fresh schema), shared by the pools made for that test.
      if (roundOf !== round) {
        roundOf = round;
        schema = `idem_${round}`;
        const setup = new Pool({ connectionString: db().url, max: 1 });
        await setup.query(`CREATE SCHEMA ${schema}`);
        await setup.end();
      }
      const pool = new Pool({
        connectionString: db().url,
        max: 4,
        options: `-c search_path=${schema}`,
      });
      // `pool.end()` resolves once its clients are told to close, not once they have: the
      // database dropped right after may still terminate one, which the pool reports as an
      // 'error' event (and an unheard one would crash the run).
      pool.on('error', () => undefined);
      pools.push(pool);
      return PostgresIdempotencyKeys.open(pool, DAY, LEASE);
    });
  });
});
