import http from 'node:http';
import fc from 'fast-check';
import { History } from './History';
import type { OperationKind } from './Operation';
import { RecordingSeatClient } from './RecordingSeatClient';

export interface RandomLoadOptions {
  /**
   * Where requests go: one service, or a function choosing the instance for each request (the
   * client, and how many requests it has made), so a client can alternate between instances or
   * avoid one that is down.
   */
  baseUrl: string | ((client: number, request: number) => string);
  /** Concurrent clients, each a loop of requests one after another. */
  clients: number;
  /** The seats to pick from: a small pool makes clients collide. */
  seats: readonly string[];
  /** How many distinct users the clients act as (clients share users, as a user's tabs would). */
  users: number;
  /** Makes every client's script reproducible (network timing is not). */
  seed: number;
  /** Requests per client; or run until `untilMs`. */
  operationsPerClient?: number;
  /** Wall-clock instant (ms) at which clients stop starting requests. */
  untilMs?: number;
  /** Longest pause between a client's requests (ms). */
  maxPauseMs?: number;
  /** Where operations are recorded (a fresh one by default). */
  history?: History;
  /** Prefix for user ids, so separate runs against one service never share users. */
  userPrefix?: string;
  /** Clients stop starting requests once this returns true (a fault run ends its load so). */
  stop?: () => boolean;
  /** A request unanswered after this long (ms) is given up: its outcome stays unknown. */
  requestTimeoutMs?: number;
  /** Sent with every request: an API key's `Authorization`, acting for each operation's user. */
  headers?: Record<string, string>;
}

export interface LoadStats {
  history: History;
  /** Responses by HTTP status; 0 counts requests that got no answer. */
  statuses: Record<number, number>;
  /** Most requests in flight at once. */
  maxInFlight: number;
  /** Answers other than 200 and 409, by `<status> <code>` (e.g. `503 STORE_UNAVAILABLE`). */
  problems: Record<string, number>;
  /** 503 answers without a `Retry-After` header. */
  unavailableWithoutRetryAfter: number;
}

/** One step of a client's script, drawn up front from the seed. */
interface Step {
  kind: OperationKind;
  seat: number;
  user: number;
  /** Which lockId a confirm or release sends: the latest the user got, none, an older one, or junk. */
  lockId: 'latest' | 'none' | 'stale' | 'bogus';
  pauseMs: number;
  /** Act on the seat this client last locked, as that user (a user finishing a booking). */
  followUp: boolean;
}

/**
 * Drives random concurrent traffic at the seat API and records it: each client runs a script of
 * random lock / confirm / release / get requests on random seats as random users, pausing a random
 * while between them, over a shared keep-alive agent (real sockets). Half the steps follow up on
 * the client's last granted lock (same seat, same user), so with pauses around the lock TTL,
 * confirms and releases race the expiry. Scripts come from fast-check
 * with the given seed, so a failing seed replays the same requests.
 *
 * @example
 * ```ts
 * const { history, statuses } = await runRandomLoad({
 *   baseUrl, clients: 50, seats: ['A1', 'A2', 'A3'], users: 8, seed: 1, operationsPerClient: 20,
 * });
 * checkLinearizable(history.operations(), { ttlMs: 40 });
 * ```
 */
export async function runRandomLoad(options: RandomLoadOptions): Promise<LoadStats> {
  const { clients, seats, users, seed, maxPauseMs = 10, userPrefix = 'u' } = options;
  const history = options.history ?? new History();
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  /** One recording client per instance, all writing to the same history. */
  const recorders = new Map<string, RecordingSeatClient>();
  const recorderFor = (client: number, request: number) => {
    const { baseUrl } = options;
    const url = typeof baseUrl === 'string' ? baseUrl : baseUrl(client, request);
    let recorder = recorders.get(url);
    if (!recorder) {
      recorder = new RecordingSeatClient(
        url,
        history,
        agent,
        options.requestTimeoutMs,
        options.headers,
      );
      recorders.set(url, recorder);
    }
    return recorder;
  };
  const stats: LoadStats = {
    history,
    statuses: {},
    maxInFlight: 0,
    problems: {},
    unavailableWithoutRetryAfter: 0,
  };
  /** lockIds each user got per seat, oldest first: shared, so a user's clients use each other's. */
  const received = new Map<string, string[]>();
  let inFlight = 0;

  const stepArb = fc.record<Step>({
    kind: fc.oneof(
      { arbitrary: fc.constant<OperationKind>('lock'), weight: 4 },
      // Confirms are rarer than locks: a booked seat is out of the game for good.
      { arbitrary: fc.constant<OperationKind>('confirm'), weight: 1 },
      { arbitrary: fc.constant<OperationKind>('release'), weight: 2 },
      { arbitrary: fc.constant<OperationKind>('get'), weight: 2 },
    ),
    seat: fc.nat({ max: seats.length - 1 }),
    user: fc.nat({ max: users - 1 }),
    lockId: fc.oneof(
      { arbitrary: fc.constant('latest' as const), weight: 6 },
      { arbitrary: fc.constant('none' as const), weight: 2 },
      { arbitrary: fc.constant('stale' as const), weight: 1 },
      { arbitrary: fc.constant('bogus' as const), weight: 1 },
    ),
    pauseMs: fc.nat({ max: maxPauseMs }),
    followUp: fc.boolean(),
  });
  const scriptOf = (client: number, batch: number) =>
    fc.sample(stepArb, { seed: (seed * 1_000_003 + client * 7_919 + batch) | 0, numRuns: 100 });

  const runClient = async (client: number) => {
    /** The seat and user of this client's last granted lock: follow-ups race its expiry. */
    let last: { seat: string; userId: string } | undefined;
    for (let done = 0, batch = 0; ; batch++) {
      for (const step of scriptOf(client, batch)) {
        if (options.operationsPerClient !== undefined && done >= options.operationsPerClient)
          return;
        if (options.untilMs !== undefined && Date.now() >= options.untilMs) return;
        if (options.stop?.()) return;
        if (step.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, step.pauseMs));
        const followUp = step.followUp && last !== undefined && step.kind !== 'get';
        const seat = followUp ? last!.seat : seats[step.seat];
        const userId = followUp ? last!.userId : `${userPrefix}${step.user}`;
        const mine = received.get(`${userId}/${seat}`) ?? [];
        const lockId =
          step.kind === 'confirm' || step.kind === 'release'
            ? pickLockId(step.lockId, mine)
            : undefined;
        inFlight++;
        stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
        const { op, status, code, retryAfter } = await recorderFor(client, done).call({
          client,
          seat,
          kind: step.kind,
          userId: step.kind === 'get' ? undefined : userId,
          lockId,
        });
        inFlight--;
        done++;
        stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
        if (status !== 200 && status !== 409) {
          const key = `${status} ${code ?? ''}`.trim();
          stats.problems[key] = (stats.problems[key] ?? 0) + 1;
          if (status === 503 && retryAfter === undefined) stats.unavailableWithoutRetryAfter++;
        }
        const got = op.outcome?.lockId;
        if (step.kind === 'lock' && got !== undefined) last = { seat, userId };
        if (got !== undefined && mine.at(-1) !== got) {
          received.set(`${userId}/${seat}`, [...mine.slice(-3), got]);
        }
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: clients }, (_, client) => runClient(client)));
  } finally {
    agent.destroy();
  }
  return stats;
}

function pickLockId(choice: Step['lockId'], mine: readonly string[]): string | undefined {
  if (choice === 'none' || mine.length === 0) return choice === 'bogus' ? 'bogus-lock' : undefined;
  if (choice === 'bogus') return 'bogus-lock';
  if (choice === 'stale') return mine[0];
  return mine[mine.length - 1];
}
