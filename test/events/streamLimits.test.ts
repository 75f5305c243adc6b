import { expect } from 'chai';
import { SimulatedClock } from 'xstate';
import { SeatEventHub, type SeatEventClient } from '../../src/events/SeatEventHub';
import { StreamGate } from '../../src/events/StreamGate';
import type { SeatTransition } from '../../src/store/SeatStore';
import { dataOf, parseSse } from '../support/sseClient';

function fakeSource() {
  const listeners = new Set<(t: SeatTransition) => void>();
  return {
    subscribe(listener: (t: SeatTransition) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    subscribeGaps: (_listener: () => void) => () => undefined,
    emit(id: string) {
      for (const listener of listeners)
        listener({ id, from: 'available', to: 'locked', reason: 'locked', userId: 'u', at: 0 });
    },
  };
}

/** A client whose socket takes nothing once `stuck` (write answers false), until `drain()`. */
function socketClient() {
  let drained: (() => void) | undefined;
  const client = {
    text: '',
    stuck: false,
    destroyed: false,
    pending: 0,
    write(chunk: string) {
      client.text += chunk;
      return !client.stuck;
    },
    end() {},
    onceDrained(listener: () => void) {
      drained = listener;
    },
    destroy() {
      client.destroyed = true;
    },
    drain() {
      client.stuck = false;
      drained?.();
    },
    messages: () => parseSse(client.text).filter((m) => m.data !== undefined),
  };
  return client satisfies SeatEventClient;
}

describe('event stream limits', () => {
  it('replays a Last-Event-ID resume only up to maxReplayBytes; past it, one resync', () => {
    const source = fakeSource();
    const hub = new SeatEventHub(source, { heartbeatMs: 0, maxReplayBytes: 1000 });
    const first = `${hub.stream}-1`;
    for (let i = 1; i <= 100; i++) source.emit(`A${i}`);
    const behind = socketClient();
    hub.attach(behind, first);
    expect(behind.messages().map((m) => m.event)).to.deep.equal(['resync']);
    expect(dataOf(behind.messages()[0]).reason).to.equal('too-old');
    expect(behind.text.length, 'the resync, not the 99 events').to.be.below(600);

    const recent = socketClient();
    hub.attach(recent, `${hub.stream}-97`);
    expect(recent.messages().map((m) => dataOf(m).id)).to.deep.equal(['A98', 'A99', 'A100']);
  });

  it('closes a stream whose socket has not drained within drainTimeoutMs, and keeps one that drains', () => {
    const clock = new SimulatedClock();
    const source = fakeSource();
    const hub = new SeatEventHub(source, { heartbeatMs: 0, drainTimeoutMs: 30_000, clock });
    const stopped = socketClient();
    const slow = socketClient();
    hub.attach(stopped);
    hub.attach(slow);
    stopped.stuck = true;
    slow.stuck = true;
    source.emit('A1');
    clock.increment(29_999);
    slow.drain();
    expect(stopped.destroyed).to.equal(false);
    clock.increment(1);
    expect(stopped.destroyed, 'never drained: cut').to.equal(true);
    expect(slow.destroyed, 'drained in time: kept').to.equal(false);
    expect(hub.listenerCount).to.equal(1);
    source.emit('A2');
    expect(slow.messages()).to.have.length(2);
  });

  it('lets each address hold at most maxPerClient streams and the service maxTotal', () => {
    const gate = new StreamGate({ maxPerClient: 2, maxTotal: 3 });
    expect(gate.enter('203.0.113.1')).to.equal(undefined);
    expect(gate.enter('203.0.113.1')).to.equal(undefined);
    expect(gate.enter('203.0.113.1')).to.deep.equal({
      type: 'stream.refused',
      code: 'TOO_MANY_STREAMS',
      scope: 'client',
      max: 2,
    });
    expect(gate.enter('198.51.100.2')).to.equal(undefined);
    expect(gate.enter('192.0.2.3')).to.deep.include({ scope: 'service', max: 3 });
    expect(gate.openFrom('192.0.2.3'), 'a refused stream is not counted').to.equal(0);
    gate.leave('203.0.113.1');
    expect(gate.openFrom('203.0.113.1')).to.equal(1);
    expect(gate.enter('192.0.2.3')).to.equal(undefined);
    for (const client of ['203.0.113.1', '198.51.100.2', '192.0.2.3']) gate.leave(client);
    expect(gate.openFrom('203.0.113.1')).to.equal(0);
    expect(new StreamGate({ maxPerClient: 0, maxTotal: 0 }).enter('x'), '0: no cap').to.equal(
      undefined,
    );
  });
});
