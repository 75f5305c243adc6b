import { expect } from 'chai';
import { SimulatedClock } from 'xstate';
import { DeadlineQueue } from '../../../src/store/memory/DeadlineQueue';

/** A clock whose timers fire only when the test moves time, counting the timers pending. */
function countingClock() {
  const timers = new SimulatedClock();
  const clock = {
    pending: 0,
    now: () => timers.now(),
    setTimeout: (fn: (...args: unknown[]) => void, ms: number) => {
      clock.pending++;
      return timers.setTimeout(() => {
        clock.pending--;
        fn();
      }, ms);
    },
    clearTimeout: (id: unknown) => {
      clock.pending--;
      timers.clearTimeout(id as number);
    },
    increment: (ms: number) => timers.increment(ms),
  };
  return clock;
}

describe('DeadlineQueue', () => {
  it('hands over due deadlines in deadline order, those due together in one call', () => {
    const clock = countingClock();
    const calls: Array<Array<[number, number]>> = [];
    const queue = new DeadlineQueue(clock, (due) => calls.push(due));
    // Added out of order, two seats sharing one deadline (a hold's).
    for (const [until, seat] of [
      [30, 3],
      [10, 1],
      [50, 5],
      [20, 2],
      [20, 7],
      [40, 4],
    ]) {
      queue.add(until, seat);
    }
    expect(clock.pending, 'one timer for every deadline').to.equal(1);
    clock.increment(10);
    clock.increment(10);
    expect(calls).to.have.length(2);
    expect(calls[0]).to.deep.equal([[10, 1]]);
    expect(calls[1].map(([until]) => until)).to.deep.equal([20, 20]);
    expect(calls[1].map(([, seat]) => seat).sort()).to.deep.equal([2, 7]);
    for (let i = 0; i < 3; i++) clock.increment(10);
    expect(calls.flat().map(([until]) => until)).to.deep.equal([10, 20, 20, 30, 40, 50]);
    expect(queue.size).to.equal(0);
    expect(clock.pending, 'no timer once nothing is queued').to.equal(0);
  });

  it('brings its one timer forward when an earlier deadline is added', () => {
    const clock = countingClock();
    const seen: number[] = [];
    const queue = new DeadlineQueue(clock, (due) => seen.push(...due.map(([, seat]) => seat)));
    queue.add(1000, 1);
    queue.add(10, 2);
    expect(clock.pending).to.equal(1);
    clock.increment(10);
    expect(seen).to.deep.equal([2]);
    expect(clock.pending, 'armed again for the next deadline').to.equal(1);
    clock.increment(990);
    expect(seen).to.deep.equal([2, 1]);
  });

  it('waits again when its timer fires before the clock reaches the deadline', () => {
    const timers = new SimulatedClock();
    let lag = 0;
    const clock = {
      now: () => timers.now() - lag,
      setTimeout: (fn: (...args: unknown[]) => void, ms: number) => timers.setTimeout(fn, ms),
      clearTimeout: (id: unknown) => timers.clearTimeout(id as number),
    };
    const seen: number[] = [];
    const queue = new DeadlineQueue(clock, (due) => seen.push(...due.map(([, seat]) => seat)));
    queue.add(100, 9);
    lag = 3;
    timers.increment(100);
    expect(seen, 'the clock says 97: not due yet').to.deep.equal([]);
    timers.increment(3);
    expect(seen).to.deep.equal([9]);
  });

  it('drops the pairs a compaction rejects and keeps the rest in order', () => {
    const clock = countingClock();
    const seen: number[] = [];
    const queue = new DeadlineQueue(clock, (due) => seen.push(...due.map(([, seat]) => seat)));
    for (let seat = 0; seat < 200; seat++) queue.add(1000 - seat, seat);
    queue.compact((_, seat) => seat % 2 === 0);
    expect(queue.size).to.equal(100);
    clock.increment(1000);
    expect(seen).to.deep.equal(Array.from({ length: 100 }, (_, i) => 198 - 2 * i));
  });

  it('stops its timer when cleared', () => {
    const clock = countingClock();
    const queue = new DeadlineQueue(clock, () => expect.fail('nothing is due after clear'));
    queue.add(5, 1);
    queue.clear();
    expect(clock.pending).to.equal(0);
    clock.increment(10);
  });
});
