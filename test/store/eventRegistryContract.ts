import { expect } from 'chai';
import { startEvent } from '../../machines/run/stepEvent';
import type { EventRecord, EventRegistry } from '../../src/store/EventRegistry';

/** The time every case's events are made at. */
const NOW = 1_700_000_000_000;

/** How the contract reaches one kind of event registry. */
export interface EventRegistryFactory {
  /** `memory`, `PostgreSQL`, …: the suite's title. */
  name: string;
  /** An empty registry, and how to let go of it. */
  newRegistry(): Promise<{ registry: EventRegistry; close(): Promise<void> }>;
}

/** A new event's record as `EventService.create` makes it. */
function event(id: string, name = `Event ${id}`): Omit<EventRecord, 'version'> {
  return {
    id,
    name,
    startsAt: NOW + 86_400_000,
    lockTtlMs: 60_000,
    layout: { sections: [{ id: 'FLOOR', rows: [{ label: 'A', seats: 3 }] }] },
    sales: startEvent({ now: NOW }),
  };
}

const cases: { name: string; run(registry: EventRegistry): Promise<void> }[] = [
  {
    name: 'creates an event once, and gives back exactly what was created',
    async run(registry) {
      const created = await registry.createEvent(event('hamlet', 'Hamlet'));
      expect(created).to.deep.include({ id: 'hamlet', name: 'Hamlet', version: 1 });
      expect(await registry.createEvent(event('hamlet', 'Another')), 'id taken').to.equal(
        undefined,
      );
      const read = await registry.getEvent('hamlet');
      expect(read).to.deep.include({
        id: 'hamlet',
        name: 'Hamlet',
        startsAt: NOW + 86_400_000,
        lockTtlMs: 60_000,
        layout: event('hamlet').layout,
        version: 1,
      });
      expect(read!.sales.value).to.equal('onSale');
      expect(read!.sales.context).to.deep.equal(startEvent({ now: NOW }).context);
      expect(await registry.getEvent('nobody')).to.equal(undefined);
    },
  },
  {
    name: 'lists every event once, in id order, page by page',
    async run(registry) {
      for (const id of ['delta', 'alpha', 'echo', 'charlie', 'bravo']) {
        await registry.createEvent(event(id));
      }
      const ids: string[] = [];
      let after: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await registry.listEvents({ after, limit: 2 });
        expect(page.events.length).to.be.at.most(2);
        ids.push(...page.events.map((e) => e.id));
        if (page.next === null) break;
        after = page.next;
      }
      expect(ids).to.deep.equal(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
      expect(await registry.listEvents({ after: 'echo', limit: 2 })).to.deep.equal({
        events: [],
        next: null,
      });
    },
  },
  {
    name: "steps the event's machine on what it holds, writing back only a change",
    async run(registry) {
      await registry.createEvent(event('hamlet'));
      const closed = await registry.applyEvent('hamlet', { type: 'CLOSE', now: NOW + 1000 });
      expect(closed?.reply).to.deep.equal({ type: 'sales.accepted' });
      expect(closed?.event).to.deep.include({ version: 2 });
      expect(closed?.event.sales.value).to.equal('closed');
      // Accepted, and nothing to write: CLOSE on a closed event.
      const again = await registry.applyEvent('hamlet', { type: 'CLOSE', now: NOW + 2000 });
      expect(again?.event.version).to.equal(2);
      await registry.applyEvent('hamlet', { type: 'CANCEL', now: NOW + 3000 });
      const refused = await registry.applyEvent('hamlet', { type: 'OPEN', now: NOW + 4000 });
      expect(refused?.reply).to.deep.include({ type: 'sales.refused', code: 'EVENT_CANCELLED' });
      const kept = await registry.getEvent('hamlet');
      expect(kept?.version).to.equal(3);
      expect(kept?.sales.value).to.equal('cancelled');
      expect(kept?.sales.context.cancelledAt).to.equal(NOW + 3000);
      expect(await registry.applyEvent('nobody', { type: 'CLOSE', now: NOW })).to.equal(undefined);
    },
  },
  {
    name: 'decides concurrent admin events one after the other: one write per change',
    async run(registry) {
      await registry.createEvent(event('hamlet'));
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          registry.applyEvent('hamlet', { type: 'CANCEL', now: NOW + i }),
        ),
      );
      for (const result of results) {
        expect(result?.reply).to.deep.equal({ type: 'sales.accepted' });
      }
      const kept = await registry.getEvent('hamlet');
      expect(kept?.version, 'one cancel changed it, the others found it cancelled').to.equal(2);
      expect(kept?.sales.value).to.equal('cancelled');
    },
  },
];

/**
 * Registers the event registry contract for one kind of registry: each case on a fresh one.
 *
 * @example
 * ```ts
 * runEventRegistryContract({ name: 'memory', newRegistry: async () => ({ registry: new MemoryEventRegistry(), close: async () => {} }) });
 * ```
 */
export function runEventRegistryContract(factory: EventRegistryFactory): void {
  describe(`the event registry contract on the ${factory.name} registry`, function () {
    this.timeout(60_000);
    for (const contractCase of cases) {
      it(contractCase.name, async () => {
        const opened = await factory.newRegistry();
        try {
          await contractCase.run(opened.registry);
        } finally {
          await opened.close();
        }
      });
    }
  });
}
