import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { codeOf, expectProblem, ok } from '../../support/api';
import { usePostgresStores } from '../../support/postgres';
import { serve, type Served } from '../../support/serve';

/** Every statement text sent to PostgreSQL by any connection while `work` runs (one per round trip). */
async function sentDuring(work: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back, never called unbound
  const query = Client.prototype.query;
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    const [first] = args;
    sent.push(typeof first === 'string' ? first : String((first as { text?: string })?.text));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    await work();
  } finally {
    Client.prototype.query = query;
  }
  return sent;
}

const KEY = 'sk_test_round_trips';
const ADMIN = { Authorization: `Bearer ${KEY}` };

describe('A lock on PostgreSQL (round trips)', function () {
  const { clock, open, onClose } = usePostgresStores();
  let served: Served | undefined;

  before(async () => {
    clock.set(1_700_000_000_000);
    const store = await open();
    served = await serve({
      store,
      clock,
      maxLocksPerUser: 10,
      apiKeyDigests: [createHash('sha256').update(KEY).digest('hex')],
    });
    onClose(() => served!.stop());
    // The first request writes the default event's record and settles the session: not the path.
    ok(await served.api.lock('A1', 'alice'));
  });

  it('takes a free seat, with the user under the cap and the event on sale, in two round trips: one read, one write that commits', async () => {
    const sent = await sentDuring(async () => ok(await served!.api.lock('A2', 'alice')));
    expect(sent).to.have.length(2);
    expect(sent[0]).to.match(/^BEGIN;.*pg_advisory_xact_lock.*FOR UPDATE.*FROM event/s);
    expect(sent[1]).to.match(/^WITH written AS .*; COMMIT$/s);
  });

  it('refuses a lock over the cap, decided by the user machine, having written nothing', async () => {
    for (const seat of ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8'])
      ok(await served!.api.lock(seat, 'alice'));
    const sent = await sentDuring(async () =>
      expectProblem(await served!.api.lock('B9', 'alice'), 409, 'TOO_MANY_LOCKS'),
    );
    expect(sent.join('\n')).not.to.match(/INSERT|UPDATE seat|COMMIT/);
    expect((await served!.api.get('B9')).body).to.nested.include({ 'seat.state': 'available' });
  });

  it('asks the sales window on the event row read with the seat: refused before it opens, taken once opened', async () => {
    const { api } = served!;
    const opensAt = new Date(clock.now() + 3_600_000).toISOString();
    const layout = { rows: 1, seatsPerRow: 2 };
    ok(await api.createEvent({ id: 'show', name: 'Show', salesOpenAt: opensAt, layout }, ADMIN));
    expect(codeOf(await api.event('show').lock('A1', 'bob'))).to.equal('SALES_NOT_OPEN');
    expect(ok(await api.eventAction('show', 'open', ADMIN)).event.salesState).to.equal('onSale');
    const sent = await sentDuring(async () => ok(await api.event('show').lock('A1', 'bob')));
    expect(sent).to.have.length(2);
    expect(sent[0]).to.match(/FROM event\s+WHERE id = 'show'/);
  });
});
