import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `condition` until it holds, for things that happen in another process or connection
 * (a NOTIFY, a sweep, a server starting). The bound only stops a broken test from hanging: it is
 * generous, and nothing is asserted about how fast the condition came true.
 *
 * @example
 * ```ts
 * await waitFor(async () => (await fetchSeat(url, 'A1')).state === 'available');
 * ```
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 15_000, intervalMs = 20, what = 'condition' } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
