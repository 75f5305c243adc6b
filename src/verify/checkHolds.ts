import { restoreSeat, seatAt } from '../../machines/run/stepSeat';
import { toRecord } from '../store/seatRecord';
import type { SeatRecord } from '../store/SeatStore';

/** What a client was told about one hold it tried to make, and what became of it. */
export interface HoldAttempt {
  /** The hold's id: from the 201, or `undefined` when the create was refused or unanswered. */
  holdId?: string;
  userId: string;
  /** The seats the 201 named (none when refused). */
  seats: string[];
  /** The create's status (0: no answer). */
  status: number;
  /** Whether a confirm of this hold was answered 200. */
  confirmed: boolean;
}

/** Every seat as one atomic read of the store showed it, and when. */
export interface SeatSnapshot {
  at: number;
  seats: SeatRecord[];
}

export interface HoldCheckReport {
  ok: boolean;
  /** Holds made (201), snapshots read, and seats seen held by a hold across them. */
  holds: number;
  snapshots: number;
  heldSeatsSeen: number;
  violations: string[];
}

/**
 * Checks a recorded run of concurrent multi-seat holds (with single-seat locks, confirms,
 * extensions and expiries around them) against what holds promise, from atomic reads of every
 * seat taken while the load ran (`snapshots`) and what clients were told (`attempts`):
 *
 * - **all or nothing**: a seat is only ever held or booked by a hold its client was told was made
 *   (201); a refused hold leaves no seat behind;
 * - **never half made, never half booked**: whenever a read shows any seat of a hold, it shows
 *   every seat of that hold, all locked by it or all booked by it, for its owner;
 * - **one owner**: a seat booked by a hold stays booked by it in every later read, so no other
 *   hold or lock ever takes it;
 * - **confirmed means booked**: every hold whose confirm was answered 200 has all its seats booked
 *   by its owner in the last read.
 *
 * Each read is judged as the seat machine sees it at the read's time (`EXPIRE{now}`): a lock past
 * its deadline no longer counts, even where a store has not written its expiry down yet (a late
 * timer, a sweep to come), exactly as every request is judged.
 *
 * @example
 * ```ts
 * const report = checkHolds(attempts, snapshots);
 * if (!report.ok) console.error(report.violations.join('\n'));
 * ```
 */
export function checkHolds(
  attempts: readonly HoldAttempt[],
  snapshots: readonly SeatSnapshot[],
): HoldCheckReport {
  const made = new Map<string, HoldAttempt>();
  for (const attempt of attempts) if (attempt.holdId) made.set(attempt.holdId, attempt);
  const violations: string[] = [];
  const bookedBy = new Map<string, string>();
  let heldSeatsSeen = 0;
  const ordered = [...snapshots].sort((a, b) => a.at - b.at);
  for (const [n, read] of ordered.entries()) {
    const { at } = read;
    const seats = read.seats.map((seat) => asOf(seat, at));
    const where = `read #${n} at ${at}`;
    const seen = new Map<string, { locked: string[]; booked: string[]; users: Set<string> }>();
    for (const seat of seats) {
      const holdId = seat.context.lock?.holdId ?? holdOfBooking(seat, made);
      const earlier = bookedBy.get(seat.id);
      if (earlier !== undefined) {
        const now = seat.state === 'booked' ? seat.context.booking?.lockId : undefined;
        if (now !== earlier) {
          violations.push(
            `${where}: seat ${seat.id} was booked by ${earlier}, now ${seat.state} (${now ?? seat.context.lock?.lockId ?? 'free'})`,
          );
        }
      }
      if (holdId === undefined) continue;
      heldSeatsSeen++;
      const entry = seen.get(holdId) ?? { locked: [], booked: [], users: new Set<string>() };
      (seat.state === 'booked' ? entry.booked : entry.locked).push(seat.id);
      entry.users.add((seat.context.lock ?? seat.context.booking)!.userId);
      seen.set(holdId, entry);
      if (seat.state === 'booked') bookedBy.set(seat.id, holdId);
    }
    for (const [holdId, { locked, booked, users }] of seen) {
      const attempt = made.get(holdId);
      if (!attempt) {
        violations.push(
          `${where}: seats ${[...locked, ...booked].join(', ')} are held by ${holdId}, a hold no client was told was made`,
        );
        continue;
      }
      const want = [...attempt.seats].sort().join(', ');
      const shown = [...locked, ...booked].sort().join(', ');
      if (shown !== want) {
        violations.push(`${where}: hold ${holdId} of ${want} is half there: only ${shown}`);
      } else if (locked.length > 0 && booked.length > 0) {
        violations.push(
          `${where}: hold ${holdId} is half booked: ${booked.join(', ')} booked, ${locked.join(', ')} locked`,
        );
      }
      if (users.size !== 1 || !users.has(attempt.userId)) {
        violations.push(
          `${where}: hold ${holdId} of ${attempt.userId} shows seats of ${[...users].join(', ')}`,
        );
      }
    }
  }
  const last = ordered.at(-1);
  if (last) {
    const byId = new Map(last.seats.map((seat) => [seat.id, seat]));
    for (const attempt of made.values()) {
      if (!attempt.confirmed) continue;
      for (const id of attempt.seats) {
        const seat = byId.get(id);
        const booking = seat?.context.booking;
        if (
          seat?.state !== 'booked' ||
          booking?.lockId !== attempt.holdId ||
          booking?.userId !== attempt.userId
        ) {
          violations.push(
            `last read: hold ${attempt.holdId} was confirmed to ${attempt.userId}, but seat ${id} is ${seat?.state ?? 'missing'}`,
          );
        }
      }
    }
  }
  return {
    ok: violations.length === 0,
    holds: made.size,
    snapshots: snapshots.length,
    heldSeatsSeen,
    violations,
  };
}

/** The hold a booked seat was booked by (a hold's booking keeps its id as the lock's). */
function holdOfBooking(
  seat: SeatRecord,
  made: ReadonlyMap<string, HoldAttempt>,
): string | undefined {
  const lockId = seat.context.booking?.lockId;
  if (seat.state !== 'booked' || lockId === undefined) return undefined;
  return made.has(lockId) ? lockId : undefined;
}

/** The seat as its machine sees it at `now`. */
function asOf(seat: SeatRecord, now: number): SeatRecord {
  const snapshot = restoreSeat({ value: seat.state, context: seat.context, status: 'active' });
  return toRecord(seat.id, seatAt(snapshot, now));
}
