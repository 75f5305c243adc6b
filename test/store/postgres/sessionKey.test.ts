import { expect } from 'chai';
import { PostgresSeatStore } from '../../../src/store/postgres/PostgresSeatStore';
import { Venue } from '../../../src/venue';
import { usePostgres } from '../../support/postgres';

describe('the guest session key kept in PostgreSQL', function () {
  this.timeout(30_000);
  const opened: PostgresSeatStore[] = [];
  after(async () => {
    await Promise.all(opened.map((store) => store.close()));
  });
  const db = usePostgres();
  const open = async () => {
    const store = await PostgresSeatStore.open({
      connectionString: db().url,
      venue: new Venue(2, 2),
      ttlMs: 60_000,
      sweepIntervalMs: 0,
      poolSize: 2,
    });
    opened.push(store);
    return store;
  };

  it('is generated once and shared by every instance, even instances starting at the same time', async () => {
    const [first, second] = await Promise.all([open(), open()]);
    const keys = await Promise.all([first.sessionKey(), second.sessionKey(), first.sessionKey()]);
    expect(keys[0]).to.have.length.of.at.least(43);
    expect(new Set(keys).size).to.equal(1);
    await first.close();
    const later = await open();
    expect(await later.sessionKey()).to.equal(keys[0]);
  });
});
