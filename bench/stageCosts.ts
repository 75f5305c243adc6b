import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NodeChild } from './NodeChild';
import type { Load } from './scenarios';
import { STAGES, stageSamples, type Stage } from './stages';

/**
 * What one request of a load cost a server, stage by stage: its CPU time per request (all its
 * threads) split in the proportions of its main thread's profile samples.
 */
export interface StageCosts {
  requests: number;
  /** µs per request, by stage. */
  perRequest: Record<Stage, number>;
  /** µs per request over all stages. */
  total: number;
}

/**
 * Runs `load` against a server for `durationS` seconds with its CPU profiler on (the probe's,
 * sampling every 100 µs), and splits the profiled time by stage (bench/stages.ts) per request.
 *
 * @example
 * ```ts
 * const costs = await measureStageCosts(service.child, service.url, lockLoad, 5, 50);
 * costs.perRequest['validation']; // µs per lock
 * ```
 */
export async function measureStageCosts(
  child: NodeChild,
  url: string,
  load: Load,
  durationS: number,
  connections: number,
): Promise<StageCosts> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'seat-bench-profile-'));
  const file = path.join(dir, 'load.cpuprofile');
  try {
    await child.startProfile();
    const cpuBefore = await child.cpuMicros();
    const result = await autocannon({
      url,
      connections,
      duration: durationS,
      requests: load.requests,
    });
    const cpuMicros = (await child.cpuMicros()) - cpuBefore;
    await child.stopProfile(file);
    await load.check(result, url);
    const samples = stageSamples(file);
    const sampled = STAGES.reduce((sum, stage) => sum + samples[stage], 0);
    const requests = result.requests.total;
    const total = cpuMicros / requests;
    const perRequest = Object.fromEntries(
      STAGES.map((stage) => [stage, (total * samples[stage]) / Math.max(sampled, 1)]),
    ) as Record<Stage, number>;
    return { requests, perRequest, total };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
