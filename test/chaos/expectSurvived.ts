import { expect } from 'chai';
import type { FaultOutcome } from './faultRun';

/**
 * The promises every fault run keeps: each request got an answer (no hang), every answer is a
 * machine's 200/409 or a 503 `STORE_UNAVAILABLE` with `Retry-After` (never a 500), and every
 * acknowledged booking is still booked afterwards.
 */
export function expectSurvived(outcome: FaultOutcome): void {
  const { statuses, problems } = outcome.stats;
  expect(statuses[0] ?? 0, 'requests without an answer').to.equal(0);
  expect(Object.keys(problems).filter((p) => p !== '503 STORE_UNAVAILABLE')).to.deep.equal([]);
  expect(outcome.stats.unavailableWithoutRetryAfter, '503s without Retry-After').to.equal(0);
  expect(outcome.bookingsLost, 'acknowledged bookings lost').to.deep.equal([]);
  expect(outcome.acknowledged.locks, 'locks acknowledged').to.be.greaterThan(0);
}
