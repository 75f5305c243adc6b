import { readFileSync } from 'node:fs';

/** The stages of a request, in the order it meets them; every CPU sample lands in exactly one. */
export const STAGES = [
  'HTTP parse',
  'body (JSON) parse',
  'routing and middleware',
  'security headers',
  'auth',
  'validation',
  'rate limit',
  'quota',
  'seat activation and step',
  'persistence',
  'indexes',
  'events',
  'metrics',
  'logging',
  'service (ids, messages)',
  'response',
  'HTTP write',
  'promises and timers',
  'garbage collection',
  'other',
] as const;
export type Stage = (typeof STAGES)[number];

/**
 * Where a stack frame's code belongs: the first rule whose pattern matches the frame's script URL
 * (and, when given, function name) names the stage. A sample goes to the stage of the innermost
 * frame of its stack that a rule claims; code no rule names (xstate and the pure stepper, which
 * seats and the lock cap both run; nanoid; JSON; Node's own functions) counts for the stage that
 * called it. Node's HTTP code counts only for samples where none of the application's or its
 * libraries' code is on the stack (parsing a request before Express sees it, writing after).
 */
const RULES: Array<{ stage: Stage; url: RegExp; fn?: RegExp }> = [
  { stage: 'auth', url: /\/src\/auth\/|\/(fast-jwt|jose)\// },
  { stage: 'validation', url: /\/src\/http\/schemas\.|\/zod\// },
  { stage: 'rate limit', url: /\/src\/http\/rateLimit\.|\/express-rate-limit\/|\/ip-address\// },
  {
    stage: 'quota',
    url: /\/(MemoryLockQuota|PostgresLockQuota|LockQuota|KeyedQueue|userLocksMachine|stepUserLocks)\./,
  },
  { stage: 'indexes', url: /\/StateIndex\.|\/sorted-btree\// },
  { stage: 'persistence', url: /\/store\/memory\/MemorySeatStore\./, fn: /^(freeze|arm|disarm)$/ },
  { stage: 'persistence', url: /\/store\/postgres\/|\/node_modules\/pg(-[a-z-]+)?\// },
  { stage: 'events', url: /\/src\/events\/|\/TransitionFeed\.|\/seatChanges\./ },
  {
    stage: 'seat activation and step',
    url: /\/store\/memory\/|\/machines\/seatMachine\.|\/machines\/run\/stepSeat\.|\/seatRecord\./,
  },
  { stage: 'metrics', url: /\/src\/metrics\.|\/prom-client\// },
  { stage: 'logging', url: /\/src\/http\/requestLogger\.|\/src\/logger\.|\/pino[^/]*\// },
  { stage: 'security headers', url: /\/src\/http\/securityHeaders\.|\/helmet\// },
  { stage: 'service (ids, messages)', url: /\/src\/SeatService\.|\/seatMessages\./ },
  {
    stage: 'body (JSON) parse',
    url: /\/(body-parser|raw-body|iconv-lite|content-type|type-is|media-typer)\/|\/src\/http\/jsonBody\./,
  },
  {
    stage: 'response',
    url: /\/express\/lib\/response\.|\/src\/http\/(errorHandler|problem|HttpError|sendJson)\./,
  },
  {
    stage: 'routing and middleware',
    url: /\/(express|router|path-to-regexp|finalhandler|parseurl|on-finished)\/|\/src\/(app|http)\/|\/bench\/.*baseline\./,
  },
];

/** Node's own code, claimed only when no rule above claims a frame of the stack. */
const NODE_RULES: Array<{ stage: Stage; url: RegExp }> = [
  { stage: 'HTTP write', url: /^node:(_http_outgoing|net|stream|internal\/streams)/ },
  { stage: 'HTTP parse', url: /^node:(_http_server|_http_common|_http_incoming)/ },
  {
    stage: 'promises and timers',
    url: /^node:internal\/(process\/task_queues|timers)|^node:timers/,
  },
];

/** V8's pseudo-frames for time outside JavaScript. */
const PSEUDO: Record<string, Stage | null> = {
  '(garbage collector)': 'garbage collection',
  '(idle)': null, // not CPU time spent on requests
  '(program)': 'other',
  '(root)': 'other',
};

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

/** Samples of the profiled thread per stage (idle samples left out). */
export type StageSamples = Record<Stage, number>;

/**
 * Splits a `.cpuprofile`'s samples into the request stages: each sample goes to the stage of the
 * innermost frame of its stack that a rule claims (see {@link RULES}); samples no rule claims go
 * to `other`. Counts, not the samples' time deltas: on a busy machine a delta also holds the time
 * the process waited for a core, which would charge the waiting to whatever ran next.
 *
 * @example
 * ```ts
 * const samples = stageSamples('bench/profiles/lock.cpuprofile');
 * samples['validation']; // samples taken while validating
 * ```
 */
export function stageSamples(file: string): StageSamples {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  // For each node: the innermost claimed stage on its stack, by the rules and by Node's rules.
  const claimed = new Map<number, { code?: Stage; node?: Stage }>();
  const claim = (id: number): { code?: Stage; node?: Stage } => {
    const known = claimed.get(id);
    if (known) return known;
    const { functionName, url } = byId.get(id)!.callFrame;
    const up = parent.get(id);
    const outer = up === undefined ? {} : claim(up);
    const code = RULES.find((r) => r.url.test(url) && (!r.fn || r.fn.test(functionName)))?.stage;
    const node = NODE_RULES.find((r) => r.url.test(url))?.stage;
    const result = { code: code ?? outer.code, node: node ?? outer.node };
    claimed.set(id, result);
    return result;
  };
  const classify = (id: number): Stage | null => {
    const { functionName, url } = byId.get(id)!.callFrame;
    if (url === '' && functionName in PSEUDO) return PSEUDO[functionName];
    const { code, node } = claim(id);
    return code ?? node ?? 'other';
  };
  const counts = Object.fromEntries(STAGES.map((stage) => [stage, 0])) as StageSamples;
  for (const id of profile.samples) {
    const stage = classify(id);
    if (stage) counts[stage]++;
  }
  return counts;
}
