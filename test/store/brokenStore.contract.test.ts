import { AssertionError, expect } from 'chai';
import { Venue } from '../../src/venue';
import { CheckThenActSeatStore } from '../support/CheckThenActSeatStore';
import { storeContractCases, type StoreFactory } from './storeContract';

/**
 * A store that hosts the machine wrongly: it reads a seat, awaits (as a database round trip
 * would), then applies the event to what it read and writes the result back, without a
 * compare-and-set. The rules still come from the machine; only the hosting is broken.
 */
const checkThenAct: StoreFactory = {
  name: 'check-then-act (deliberately broken)',
  newStore: async ({ rows, seatsPerRow, ttlMs }) =>
    new CheckThenActSeatStore(new Venue(rows, seatsPerRow), ttlMs),
  passTime: async (_store, clock, ms) => {
    clock.increment(ms);
  },
};

function contractCase(name: string) {
  const found = storeContractCases.find((c) => c.name === name);
  if (!found) throw new Error(`No store contract case "${name}"`);
  return found;
}

describe('the store contract against a deliberately broken store', () => {
  it('still passes the sequential refusal case: the rules come from the machine', async () => {
    await contractCase(
      "answers every request with the machine's reply, refusal codes and their holder included",
    ).run(checkThenAct);
  });

  it('fails the concurrent-lockers case: a check-then-act store accepts several locks of one seat', async () => {
    const failure: unknown = await contractCase(
      'lets exactly one of many concurrent lockers of a seat win',
    )
      .run(checkThenAct)
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(failure).to.be.instanceOf(AssertionError);
    expect((failure as Error).message).to.match(
      /^locks accepted: expected \[.*\] to have a length of 1 but got 12/,
    );
  });
});
