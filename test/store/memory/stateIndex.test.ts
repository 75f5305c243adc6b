import { expect } from 'chai';
import fc from 'fast-check';
import type { SeatStateValue } from '../../../machines/seatTypes';
import { StateIndex } from '../../../src/store/memory/StateIndex';

const STATES: SeatStateValue[] = ['available', 'locked', 'booked'];

describe('StateIndex (the memory store’s seats by state)', () => {
  it('pages every state exactly as a plain list of the seats’ states would, after any moves', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...STATES)), { maxLength: 120 }),
        fc.nat(),
        (size, moves, from) => {
          const index = new StateIndex(size);
          const model: SeatStateValue[] = Array<SeatStateValue>(size).fill('available');
          for (const [at, to] of moves) {
            const seat = at % size;
            index.move(seat, model[seat], to);
            model[seat] = to;
          }
          const first = from % (size + 1);
          for (const state of STATES) {
            const expected = model.flatMap((s, i) => (s === state && i >= first ? [i] : []));
            expect([...index.from(state, first)], state).to.deep.equal(expected);
          }
          expect(index.count('locked')).to.equal(model.filter((s) => s === 'locked').length);
        },
      ),
    );
  });

  it('finds the one available seat of a venue of 100,000 with 99,999 taken at once', () => {
    const index = new StateIndex(100_000);
    for (let seat = 0; seat < 100_000; seat++) {
      if (seat !== 77_777) index.move(seat, 'available', seat % 2 ? 'locked' : 'booked');
    }
    expect(index.from('available', 0).next().value).to.equal(77_777);
    const after = index.from('available', 77_778).next();
    expect(after.done).to.equal(true);
  });
});
