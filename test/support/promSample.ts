/**
 * The value of the sample `series` (`name{labels}`) in a Prometheus text exposition, 0 when absent.
 *
 * @example
 * ```ts
 * promSample(text, 'seat_locks_taken_total'); // 4
 * ```
 */
export function promSample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
