import { expect } from 'chai';
import { createWallClock, type TimerHost } from '../src/clock';

/** A host whose timers fire whenever the test says, early or not. */
function fakeHost() {
  const host = {
    time: 1_000,
    pending: new Map<number, () => void>(),
    nextId: 0,
    now: () => host.time,
    setTimeout: (fn: () => void) => {
      host.pending.set(host.nextId, fn);
      return host.nextId++;
    },
    clearTimeout: (id: unknown) => host.pending.delete(id as number),
    /** Fires every pending host timer, whatever the time. */
    fireAll() {
      const fns = [...host.pending.values()];
      host.pending.clear();
      fns.forEach((fn) => fn());
    },
  };
  return host satisfies TimerHost;
}

describe('createWallClock', () => {
  it('never runs a timer before now() reaches its deadline, even when the host fires early', () => {
    const host = fakeHost();
    const clock = createWallClock(host);
    let ran = 0;
    clock.setTimeout(() => ran++, 50);
    host.time = 1_049; // the host timer fires a millisecond early (libuv vs Date.now rounding)
    host.fireAll();
    expect(ran).to.equal(0);
    expect(host.pending.size, 're-armed for the remainder').to.equal(1);
    host.time = 1_050;
    host.fireAll();
    expect(ran).to.equal(1);
  });

  it('cancels a timer that was re-armed', () => {
    const host = fakeHost();
    const clock = createWallClock(host);
    let ran = 0;
    const id = clock.setTimeout(() => ran++, 50);
    host.time = 1_040;
    host.fireAll();
    clock.clearTimeout(id);
    host.time = 1_100;
    host.fireAll();
    expect(ran).to.equal(0);
  });
});
