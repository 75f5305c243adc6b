import { z } from 'zod';
import type { ApiRouter } from './ApiRouter';
import { defineRoute } from './defineRoute';
import { INTERNAL } from './responses';

export const metricsText = defineRoute({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics (text exposition format).',
  tags: ['operations'],
  security: 'public',
  responses: {
    200: { description: 'The metrics.', contentType: 'text/plain', schema: z.string() },
    ...INTERNAL,
  },
});

/**
 * `GET /metrics` in Prometheus' text format.
 *
 * @example
 * ```ts
 * metricsRoutes(api, metrics.registry.contentType, () => metrics.registry.metrics());
 * ```
 */
export function metricsRoutes(
  api: ApiRouter,
  contentType: string,
  /** The exposition: this app's registry, or every worker's (src/process/clusterMetrics.ts). */
  scrape: () => Promise<string>,
): void {
  api.route(metricsText, async (_input, res) => {
    res.type(contentType).send(await scrape());
  });
}
