import { expect } from 'chai';
import { SimulatedClock } from 'xstate';
import { SeatEventHub, type SeatEventClient } from '../../src/events/SeatEventHub';
import type { SeatTransition } from '../../src/store/SeatStore';
import { dataOf, parseSse } from '../support/sseClient';

/**
 * A store stand-in: the `subscribe` and `subscribeGaps` the hub uses (this one never misses a
 * transition), and a way to emit transitions.
 */
function fakeSource() {
  const listeners = new Set<(t: SeatTransition) => void>();
  return {
    listeners,
    subscribe(listener: (t: SeatTransition) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    subscribeGaps: (_listener: () => void) => () => undefined,
    emit(
      id: string,
      from: SeatTransition['from'],
      to: SeatTransition['to'],
      at = 0,
      reason: SeatTransition['reason'] = 'locked',
    ) {
      for (const listener of listeners) listener({ id, from, to, at, reason, userId: 'alice' });
    },
  };
}

function fakeClient(pending = 0) {
  const client = {
    text: '',
    ended: false,
    pending,
    write(chunk: string) {
      client.text += chunk;
    },
    end() {
      client.ended = true;
    },
    messages: () => parseSse(client.text).filter((m) => m.data !== undefined),
  };
  return client satisfies SeatEventClient;
}

describe('SeatEventHub', () => {
  it('sends every client a resync when the store may have missed transitions, and one to a client resuming from before that', () => {
    const source = fakeSource();
    const gaps = new Set<() => void>();
    const hub = new SeatEventHub(
      {
        ...source,
        subscribeGaps: (listener: () => void) => {
          gaps.add(listener);
          return () => gaps.delete(listener);
        },
      },
      { heartbeatMs: 0 },
    );
    const watching = fakeClient();
    hub.attach(watching);
    source.emit('A1', 'available', 'locked');
    const before = hub.lastEventId;
    for (const gap of gaps) gap(); // the LISTEN connection was lost and is back
    source.emit('A2', 'available', 'locked');
    const resync = watching.messages().find((m) => m.event === 'resync');
    expect(dataOf(resync!).reason).to.equal('missed-events');
    // A client that saw the resync resumes normally; one from before the gap is told to reload.
    const afterGap = fakeClient();
    hub.attach(afterGap, resync!.id);
    expect(afterGap.messages().map((m) => dataOf(m).id)).to.deep.equal(['A2']);
    const fromBefore = fakeClient();
    hub.attach(fromBefore, before);
    expect(fromBefore.messages()[0].event).to.equal('resync');
    hub.close();
    expect(gaps.size).to.equal(0);
  });

  it('sends every transition with its reason, an id that counts up and the time in ISO 8601, never the holder', () => {
    const source = fakeSource();
    const hub = new SeatEventHub(source, { heartbeatMs: 0 });
    const client = fakeClient();
    hub.attach(client);
    source.emit('A1', 'available', 'locked', Date.UTC(2026, 0, 2, 3, 4, 5));
    source.emit('A1', 'locked', 'available', Date.UTC(2026, 0, 2, 3, 5, 5), 'expired');
    const [first, second] = client.messages();
    expect(dataOf(first)).to.deep.equal({
      id: 'A1',
      from: 'available',
      to: 'locked',
      reason: 'locked',
      at: '2026-01-02T03:04:05.000Z',
    });
    expect(dataOf(second)).to.include({ to: 'available', reason: 'expired' });
    expect(client.text).not.to.include('alice');
    expect(first.id).to.equal(`${hub.stream}-1`);
    expect(second.id).to.equal(`${hub.stream}-2`);
    expect(hub.lastEventId).to.equal(second.id);
  });

  it('replays what a client missed since its Last-Event-ID', () => {
    const source = fakeSource();
    const hub = new SeatEventHub(source, { heartbeatMs: 0, bufferSize: 3 });
    for (let n = 1; n <= 5; n++) source.emit(`A${n}`, 'available', 'locked');
    const client = fakeClient();
    hub.attach(client, `${hub.stream}-2`); // 3, 4 and 5 are still in the ring of 3
    expect(client.messages().map((m) => m.id)).to.deep.equal(
      [3, 4, 5].map((n) => `${hub.stream}-${n}`),
    );
    const upToDate = fakeClient();
    hub.attach(upToDate, hub.lastEventId);
    expect(upToDate.messages()).to.deep.equal([]);
  });

  it('asks for a resync when the id is older than the buffer, unknown, or from another stream', () => {
    const source = fakeSource();
    const hub = new SeatEventHub(source, { heartbeatMs: 0, bufferSize: 3 });
    for (let n = 1; n <= 5; n++) source.emit(`A${n}`, 'available', 'locked');
    for (const [lastEventId, reason] of [
      [`${hub.stream}-1`, 'too-old'],
      [`${hub.stream}-9`, 'unknown-event'],
      ['0badf00d-3', 'unknown-stream'],
      ['garbage', 'unknown-stream'],
    ]) {
      const client = fakeClient();
      hub.attach(client, lastEventId);
      const [message] = client.messages();
      expect(message.event, lastEventId).to.equal('resync');
      expect(message.id).to.equal(hub.lastEventId);
      expect(dataOf(message).reason).to.equal(reason);
    }
  });

  it('sends heartbeats while clients are attached, and stops its timer when the last leaves', () => {
    const clock = new SimulatedClock();
    const hub = new SeatEventHub(fakeSource(), { heartbeatMs: 15_000, clock });
    const client = fakeClient();
    const detach = hub.attach(client);
    clock.increment(14_999);
    expect(client.text).not.to.include('heartbeat');
    clock.increment(1);
    clock.increment(15_000);
    expect(client.text.match(/: heartbeat\n\n/g)).to.have.length(2);
    detach();
    detach(); // twice is harmless
    expect(hub.listenerCount).to.equal(0);
    clock.increment(60_000);
    expect(client.text.match(/: heartbeat\n\n/g)).to.have.length(2);
  });

  it('drops a client that reads too slowly rather than buffering for it', () => {
    const source = fakeSource();
    const hub = new SeatEventHub(source, { heartbeatMs: 0, maxPendingBytes: 100 });
    const slow = fakeClient(101);
    const fast = fakeClient(0);
    hub.attach(slow);
    hub.attach(fast);
    source.emit('A1', 'available', 'locked');
    expect(slow.ended).to.equal(true);
    expect(fast.messages()).to.have.length(1);
    expect(hub.listenerCount).to.equal(1);
  });

  it('close() ends every stream and leaves the store', () => {
    const source = fakeSource();
    const hub = new SeatEventHub(source, { heartbeatMs: 0 });
    const client = fakeClient();
    hub.attach(client);
    expect(source.listeners.size).to.equal(1);
    hub.close();
    expect(client.ended).to.equal(true);
    expect(hub.listenerCount).to.equal(0);
    expect(source.listeners.size).to.equal(0);
    const late = fakeClient();
    hub.attach(late);
    expect(late.ended).to.equal(true);
  });
});
