import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { seatMachine } from '../machines/seatMachine';
import { toMermaid } from '../src/diagram/toMermaid';
import { diagramBlock, DIAGRAM_FILE } from '../scripts/diagram';

describe('seat machine diagram', () => {
  it('is in docs/design.md exactly as the machine draws it (run npm run diagram)', () => {
    expect(readFileSync(DIAGRAM_FILE, 'utf8')).to.include(diagramBlock());
  });

  it('draws every state, the expiry and each refusal code', () => {
    const mermaid = toMermaid(seatMachine);
    for (const state of ['available', 'locked', 'booked'])
      expect(mermaid).to.include(`${state} -->`);
    expect(mermaid).to.include('locked --> available: after lockTtl / expireLock');
    for (const code of [
      'SEAT_LOCKED',
      'SEAT_BOOKED',
      'NOT_LOCKED',
      'LOCK_NOT_HELD',
      'LOCK_EXPIRED',
    ]) {
      expect(mermaid).to.include(`refuse ${code}`);
    }
  });
});
