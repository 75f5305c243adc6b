import fc from 'fast-check';
import type { SeatRecord } from '../store/SeatStore';
import type { HoldAttempt, SeatSnapshot } from './checkHolds';

export interface HoldLoadOptions {
  baseUrl: string;
  /** Concurrent clients, each a loop of requests one after another. */
  clients: number;
  /** The seats to pick from: a small pool makes holds and locks collide. */
  seats: readonly string[];
  users: number;
  seed: number;
  operationsPerClient: number;
  /** Longest pause between a client's requests (ms): around the TTL, extensions race expiries. */
  maxPauseMs: number;
  /** One atomic read of every seat (the store's own list), taken over and over while the load runs. */
  readSeats: () => Promise<SeatRecord[]>;
  /** The clock the store stamps with, for the reads' time. */
  now: () => number;
}

export interface HoldLoad {
  attempts: HoldAttempt[];
  snapshots: SeatSnapshot[];
  /** Answers by `<operation> <status> <code>`, to show the run really collided. */
  answers: Record<string, number>;
}

/** What a client does right after making a hold: books it more often than not. */
const FOLLOW_UPS = ['extend', 'confirm', 'confirm', 'release'] as const;

type Kind =
  'hold' | 'best' | 'extend' | 'confirm' | 'release' | 'lock' | 'confirmSeat' | 'releaseSeat';

/**
 * Random concurrent traffic of multi-seat holds over HTTP, recorded for {@link checkHolds}:
 * clients make holds of two or three seats (named, or best available), extend, confirm and
 * release them, and lock, confirm and release single seats, on a small pool, pausing around the
 * TTL so extensions and confirms race expiries; a reader meanwhile takes atomic reads of every
 * seat. Requests name their user in the body or `?userId=` (run it against `AUTH=off`, `openAuth`).
 * Scripts come from fast-check with the seed.
 *
 * @example
 * ```ts
 * const load = await runHoldLoad({ baseUrl, clients: 20, seats, users: 6, seed, operationsPerClient: 15, maxPauseMs: 60, readSeats, now });
 * checkHolds(load.attempts, load.snapshots);
 * ```
 */
export async function runHoldLoad(options: HoldLoadOptions): Promise<HoldLoad> {
  const { baseUrl, seats, users, seed } = options;
  const attempts: HoldAttempt[] = [];
  const snapshots: SeatSnapshot[] = [];
  const answers: Record<string, number> = {};
  const step = fc.record({
    kind: fc.constantFrom<Kind>(
      'hold',
      'hold',
      'best',
      'extend',
      'confirm',
      'release',
      'lock',
      'lock',
      'confirmSeat',
      'releaseSeat',
    ),
    user: fc.nat({ max: users - 1 }),
    picks: fc.uniqueArray(fc.nat({ max: seats.length - 1 }), { minLength: 2, maxLength: 3 }),
    pauseMs: fc.nat({ max: options.maxPauseMs }),
  });
  const call = async (kind: Kind, method: string, path: string, body?: object) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body && JSON.stringify(body),
    });
    const text = await res.text();
    const answer = (text ? JSON.parse(text) : {}) as {
      code?: unknown;
      hold?: { id: string; seats: { id: string }[] };
    };
    const key = `${kind} ${res.status}${typeof answer.code === 'string' ? ` ${answer.code}` : ''}`;
    answers[key] = (answers[key] ?? 0) + 1;
    return { status: res.status, body: answer };
  };
  let running = options.clients;
  const reader = (async () => {
    while (running > 0) {
      const at = options.now();
      snapshots.push({ at, seats: await options.readSeats() });
      await new Promise((resolve) => setImmediate(resolve));
    }
    snapshots.push({ at: options.now(), seats: await options.readSeats() });
  })();
  const client = async (n: number) => {
    const mine: HoldAttempt[] = [];
    const script = fc.sample(step, {
      seed: (seed * 7_919 + n) | 0,
      numRuns: options.operationsPerClient,
    });
    /** Whether the last step made a hold: the next one follows it without a pause (a checkout). */
    let fresh = false;
    for (const { kind: drawn, user, picks, pauseMs } of script) {
      if (pauseMs > 0 && !fresh) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      // Right after a hold is made, its owner extends, books or gives it back.
      const kind = fresh ? FOLLOW_UPS[user % FOLLOW_UPS.length] : drawn;
      fresh = false;
      const userId = `u${user}`;
      const hold = mine.at(-1);
      const seat = seats[picks[0]];
      if (kind === 'hold' || kind === 'best') {
        const body =
          kind === 'hold'
            ? { userId, seats: picks.map((i) => seats[i]) }
            : { userId, count: picks.length };
        const { status, body: answer } = await call(kind, 'POST', '/holds', body);
        const made =
          status === 201 ? (answer.hold as { id: string; seats: { id: string }[] }) : undefined;
        const attempt: HoldAttempt = {
          holdId: made?.id,
          userId,
          seats: made ? made.seats.map((s) => s.id) : [],
          status,
          confirmed: false,
        };
        attempts.push(attempt);
        if (made) mine.push(attempt);
        fresh = made !== undefined;
      } else if (kind === 'extend' || kind === 'confirm' || kind === 'release') {
        if (!hold?.holdId) continue;
        const at = `/holds/${hold.holdId}`;
        const { status } =
          kind === 'release'
            ? await call(kind, 'DELETE', `${at}?userId=${hold.userId}`)
            : await call(kind, 'POST', `${at}/${kind}`, { userId: hold.userId });
        if (kind === 'confirm' && status === 200) hold.confirmed = true;
      } else {
        const action = kind === 'lock' ? 'lock' : kind === 'confirmSeat' ? 'confirm' : 'release';
        await call(kind, 'POST', `/seats/${seat}/${action}`, { userId });
      }
    }
  };
  try {
    await Promise.all(
      Array.from({ length: options.clients }, (_, n) => client(n).finally(() => running--)),
    );
  } finally {
    await reader;
  }
  return { attempts, snapshots, answers };
}
