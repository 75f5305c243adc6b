import { linearizeSeat, type LinearizeOptions } from './linearizeSeat';
import { minimiseViolation } from './minimiseViolation';
import type { Operation } from './Operation';
import { formatOperations } from './formatOperations';
import { seatKey } from './seatSpec';

/** Search states allowed per trial while minimising a violation. */
const MINIMISE_BUDGET = 20_000;

/** One seat's history that no order of its operations explains. */
export interface Violation {
  seat: string;
  /** The minimised offending sub-history. */
  operations: Operation[];
  /** How many operations the seat's whole history had. */
  originalSize: number;
  /** A readable account: the sub-history and where the search got stuck. */
  report: string;
}

export interface CheckReport {
  ok: boolean;
  /** Operations checked (all seats). */
  operations: number;
  /** Per-seat histories checked. */
  histories: number;
  /** Operations whose outcome is unknown (no answer): allowed to have happened or not. */
  unknownOutcomes: number;
  /** Search states visited, all seats. */
  states: number;
  violations: Violation[];
  /** Seats whose search ran out of budget (neither proved nor refuted). */
  inconclusive: string[];
}

/**
 * Checks a recorded concurrent history for linearizability against the seat machine. Seats are
 * independent objects and linearizability is local (Herlihy & Wing), so the history is split per
 * seat and each part searched on its own; a failing part is minimised and printed.
 *
 * @example
 * ```ts
 * const report = checkLinearizable(history.operations(), { ttlMs: 50 });
 * if (!report.ok) console.error(report.violations.map((v) => v.report).join('\n\n'));
 * ```
 */
export function checkLinearizable(
  ops: readonly Operation[],
  options: LinearizeOptions,
): CheckReport {
  const bySeat = new Map<string, Operation[]>();
  for (const op of ops) {
    const list = bySeat.get(op.seat) ?? [];
    list.push(op);
    bySeat.set(op.seat, list);
  }
  const report: CheckReport = {
    ok: true,
    operations: ops.length,
    histories: bySeat.size,
    unknownOutcomes: ops.filter((op) => op.outcome === null).length,
    states: 0,
    violations: [],
    inconclusive: [],
  };
  for (const [seat, seatOps] of bySeat) {
    const verdict = linearizeSeat(seatOps, options);
    report.states += verdict.states;
    if (verdict.kind === 'inconclusive') report.inconclusive.push(seat);
    if (verdict.kind !== 'violation') continue;
    // Trials get a small budget: one that runs out keeps its operations (never a false witness).
    const trial = { ...options, maxStates: MINIMISE_BUDGET };
    const fails = (sub: readonly Operation[]) => linearizeSeat(sub, trial).kind === 'violation';
    const small = minimiseViolation(seatOps, fails);
    const stuck = linearizeSeat(small, options);
    const where =
      stuck.kind === 'violation'
        ? `No linearization: the longest placed ${stuck.stuck.linearized} of ${small.length} operations, ` +
          `leaving the seat at ${seatKey(stuck.stuck.seat)}; none of #${stuck.stuck.candidates.map((op) => op.id).join(', #')} can come next.`
        : '';
    report.violations.push({
      seat,
      operations: small,
      originalSize: seatOps.length,
      report:
        `Seat ${seat}: history of ${seatOps.length} operations is not linearizable; ` +
        `smallest offending sub-history (${small.length}):\n${formatOperations(small)}\n${where}`,
    });
  }
  report.ok = report.violations.length === 0 && report.inconclusive.length === 0;
  return report;
}
