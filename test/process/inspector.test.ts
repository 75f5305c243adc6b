import { expect } from 'chai';
import WebSocket from 'ws';
import { createApp } from '../../src/app';
import { startInspector } from '../../src/process/inspector';
import { freePort } from '../../scripts/freePort';

interface Inspected {
  type: string;
  name?: string;
  sessionId: string;
  event?: { type: string };
  snapshot?: { value?: unknown };
}

/**
 * What `INSPECT=1` starts, short of the Stately UI (served from the web): the relay on
 * INSPECT_PORT serves the bridge page and passes every seat actor's inspection events to the
 * browsers connected to it. Here a WebSocket client stands in for the bridge page.
 */
describe('Stately inspector relay', () => {
  it('serves the bridge page and relays a seat actor from lock to booking', async () => {
    const port = await freePort();
    const inspector = startInspector(port);
    const { service, close } = createApp({
      inspect: inspector.inspect,
      inspectorUrl: inspector.url,
    });
    const seen: Inspected[] = [];
    let ws: WebSocket | undefined;
    try {
      // The relay starts listening asynchronously: retry the bridge page briefly.
      let page = '';
      for (let i = 0; i < 50 && !page; i++) {
        page = await fetch(inspector.url).then(
          (r) => r.text(),
          () => new Promise<string>((resolve) => setTimeout(() => resolve(''), 20)),
        );
      }
      expect(page).to.include('<title>Stately Inspector</title>');
      ws = new WebSocket(`ws://localhost:${port}`);
      await new Promise((resolve, reject) => ws!.once('open', resolve).once('error', reject));
      const booked = new Promise<void>((resolve) => {
        ws!.on('message', (data) => {
          const message = JSON.parse((data as Buffer).toString('utf8')) as Inspected;
          seen.push(message);
          if (message.type === '@xstate.snapshot' && message.snapshot?.value === 'booked')
            resolve();
        });
      });

      const { lockId } = await service.lock('B4', 'alice');
      await service.confirm('B4', 'alice', lockId);
      await Promise.race([
        booked,
        new Promise((_, reject) => setTimeout(() => reject(new Error('no booked snapshot')), 5000)),
      ]);
      const actor = seen.find((m) => m.type === '@xstate.actor');
      expect(actor?.name).to.equal('B4');
      const events = seen.filter(
        (m) => m.sessionId === actor!.sessionId && m.type === '@xstate.event',
      );
      expect(events.map((m) => m.event!.type)).to.include.members(['LOCK', 'CONFIRM']);
    } finally {
      ws?.close();
      inspector.stop();
      await close();
    }
  });
});
