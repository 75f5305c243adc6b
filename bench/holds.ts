import { performance } from 'node:perf_hooks';
import { HoldService } from '../src/boxOffice/HoldService';
import { systemClock } from '../src/clock';
import { SeatService } from '../src/SeatService';
import { MemorySeatStore } from '../src/store/memory/MemorySeatStore';
import { Venue } from '../src/venue';
import type { TargetRow } from './targets';

/** What `npm run bench` reports about holds (issue 13). */
export interface HoldFigures {
  /** 4-seat holds made per second, and single-seat locks per second, on the same store. */
  holdsPerS: number;
  locksPerS: number;
  /** Seats put in holds per second (4 × holds/s), to set beside locks/s. */
  heldSeatsPerS: number;
  /** Best available on the 1,000,000-seat event 90 % sold: median and worst pick-and-hold, ms. */
  bestMedianMs: number;
  bestMaxMs: number;
  /** Setting up the 90 %-sold event's free runs, s. */
  fillS: number;
}

const LIMITS = { maxExtensions: 2, maxMs: 30 * 60_000, maxSeats: 10 };
const TTL = 60 * 60_000;

/** Event `eventId`'s holds over `store`, with the bench's limits. */
function holdsOn(store: MemorySeatStore, eventId: string): HoldService {
  return new HoldService({
    eventId,
    seats: store,
    holds: store.createHolds(),
    clock: systemClock,
    limits: { ttlMs: TTL, ...LIMITS },
  });
}

/**
 * Holds through the service layer, in process (no HTTP, no caps: the host's and the machines'
 * cost): 4-seat holds per second against single-seat locks per second on a venue of fresh seats,
 * then best available (pick and hold, 4 seats) on a 1,000,000-seat event of which 90 % of the seats,
 * chosen at random, were sold through the seat machines first.
 *
 * @example
 * ```ts
 * const figures = await measureHolds({ durationMs: 2000 });
 * ```
 */
export async function measureHolds({ durationMs = 2000, picks = 50 } = {}): Promise<HoldFigures> {
  const fresh = () => {
    const store = new MemorySeatStore({
      venue: new Venue(1000, 1000),
      ttlMs: TTL,
      clock: systemClock,
    });
    return { store, seats: new SeatService(store, systemClock), holds: holdsOn(store, 'default') };
  };
  // Fresh seats run out before the time does on a fast machine (a lock costs ≈ 30 µs in process):
  // then the figure is over the seats there were.
  const timed = async (work: (i: number) => Promise<unknown>, most: number) => {
    const until = performance.now() + durationMs;
    let done = 0;
    const start = performance.now();
    while (done < most && performance.now() < until) await work(done++);
    return done / ((performance.now() - start) / 1000);
  };
  const venue = new Venue(1000, 1000);
  const a = fresh();
  const holdsPerS = await timed(
    (i) =>
      a.holds.create(
        `u${i % 1000}`,
        [0, 1, 2, 3].map((k) => venue.idAt(i * 4 + k)),
      ),
    venue.size / 4,
  );
  await a.store.close();
  const b = fresh();
  const locksPerS = await timed((i) => b.seats.lock(venue.idAt(i), `u${i % 1000}`), venue.size);
  await b.store.close();

  // The 90 %-sold million. Selling 900,000 seats through the machines takes minutes on this
  // machine (each sale activates and freezes a seat actor), so the sold seats are not made: the
  // store's free runs are those a random 90 % sale leaves (what best available reads), and the
  // seats picked are held through their machines, as always.
  const million = new Venue(1000, 1000);
  const filling = performance.now();
  let random = 12_345;
  const next = () => (random = (Math.imul(random, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
  const free: Array<[number, number]> = [];
  for (let index = 0; index < million.size; index++) {
    if (next() < 0.9) continue;
    const last = free[free.length - 1];
    if (last && last[1] === index) last[1] = index + 1;
    else free.push([index, index + 1]);
  }
  const store = new SoldStore({ venue: million, ttlMs: TTL, clock: systemClock }, free);
  const fillS = (performance.now() - filling) / 1000;
  const holds = holdsOn(store, 'stadium');
  const times: number[] = [];
  for (let i = 0; i < picks; i++) {
    const start = performance.now();
    await holds.createBest(`fan${i}`, { count: 4 });
    times.push(performance.now() - start);
  }
  await store.close();
  times.sort((x, y) => x - y);
  return {
    holdsPerS,
    locksPerS,
    heldSeatsPerS: holdsPerS * 4,
    bestMedianMs: times[Math.floor(times.length / 2)],
    bestMaxMs: times[times.length - 1],
    fillS,
  };
}

/**
 * A memory store whose free runs are given (those of a 90 %-sold event), less the seats it has
 * locked or booked since: best available reads exactly what a sold-out store's index would give.
 */
class SoldStore extends MemorySeatStore {
  constructor(
    options: ConstructorParameters<typeof MemorySeatStore>[0],
    private readonly free: Array<[number, number]>,
  ) {
    super(options);
  }

  override async availableRuns(start: number, end: number): Promise<Array<[number, number]>> {
    const own = await super.availableRuns(start, end);
    const runs: Array<[number, number]> = [];
    // Both lists are ordered: intersect them.
    let k = 0;
    for (const [a, b] of this.free) {
      if (b <= start || a >= end) continue;
      while (k < own.length && own[k][1] <= a) k++;
      for (let m = k; m < own.length && own[m][0] < b; m++) {
        const from = Math.max(a, own[m][0]);
        const to = Math.min(b, own[m][1]);
        if (from < to) runs.push([from, to]);
      }
    }
    return runs;
  }
}

/**
 * The figures as rows of the bench's targets table (issue 13 sets no number: `met` is left open).
 *
 * @example
 * ```ts
 * targets.push(...holdTargets(await measureHolds()));
 * ```
 */
export function holdTargets(f: HoldFigures): TargetRow[] {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return [
    {
      target: '4-seat holds/s against single-seat locks/s (memory, in process)',
      measured: `${n(f.holdsPerS)} holds/s (${n(f.heldSeatsPerS)} seats/s) vs ${n(f.locksPerS)} locks/s`,
      met: undefined,
    },
    {
      target: 'best available, 4 seats, on a 1,000,000-seat event 90 % sold (pick and hold)',
      measured: `median ${f.bestMedianMs.toFixed(1)} ms, worst ${f.bestMaxMs.toFixed(1)} ms`,
      met: undefined,
    },
  ];
}

/** The figures as table rows for docs/performance.md. */
export function holdRows(f: HoldFigures): string[] {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return [
    `| 4-seat holds (memory, in process) | ${n(f.holdsPerS)} holds/s = ${n(f.heldSeatsPerS)} seats/s |`,
    `| single-seat locks (memory, in process) | ${n(f.locksPerS)} locks/s |`,
    `| best available, 4 seats, 1,000,000-seat event 90 % sold | median ${f.bestMedianMs.toFixed(2)} ms, worst ${f.bestMaxMs.toFixed(2)} ms (pick and hold; sold seats given as free runs, see docs/performance.md) |`,
  ];
}

if (require.main === module) {
  void measureHolds().then((figures) => {
    console.log(holdRows(figures).join('\n'));
  });
}
