import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux build that matters). */
const TICKS_PER_SECOND = 100;

/**
 * The CPU time, in µs, that every process named `postgres` on this host has used so far (user and
 * system, from /proc): sampled before and after a load, it says what PostgreSQL's own work cost
 * per request, beside the service's. `undefined` without /proc (not Linux) or without such a
 * process (PostgreSQL on another host): the bench then shows no figure rather than a wrong one.
 *
 * @example
 * ```ts
 * const before = postgresCpuMicros();
 * await load();
 * const perRequest = (postgresCpuMicros()! - before!) / requests;
 * ```
 */
export function postgresCpuMicros(): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  let ticks = 0;
  let found = false;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // the process ended meanwhile
    }
    // `pid (comm) state ppid …`: comm may hold spaces, so fields are counted after its `)`.
    if (!stat.includes(' (postgres) ')) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    found = true;
  }
  return found ? (ticks * 1e6) / TICKS_PER_SECOND : undefined;
}
