import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { Registry } from 'prom-client';

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** Worker → primary: "scrape the whole service for me". */
interface ScrapeRequest {
  type: 'seats:scrape';
  id: number;
}
/** Primary → worker: the whole service's exposition, answering a {@link ScrapeRequest}. */
interface ScrapeResult {
  type: 'seats:scraped';
  id: number;
  text?: string;
  error?: string;
}
/** Primary → worker: "your own metrics, please"; the worker answers with a {@link OwnMetrics}. */
interface CollectRequest {
  type: 'seats:collect';
  id: number;
}
interface OwnMetrics {
  type: 'seats:collected';
  id: number;
  metrics: MetricsJson;
}

const isMessage = <T extends { type: string }>(message: unknown, type: T['type']): message is T =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;

/** How long the primary waits for a worker's own metrics before using the last ones it sent. */
const COLLECT_TIMEOUT_MS = 2000;
/** Kinds whose sum over processes only grows, so a dead worker's last values are kept. */
const CUMULATIVE = new Set(['counter', 'histogram']);

/**
 * In the node:cluster primary: answers a worker's scrape with every worker's metrics added up
 * (prom-client's {@link AggregatorRegistry.aggregate}: counters and histograms summed, each gauge
 * by its own `aggregator`), so one scrape of `/metrics`, whichever worker takes it, shows the
 * whole service. Counters never go backwards between scrapes: a worker that does not answer in
 * time counts with the last metrics it sent, and a worker that died keeps its last counters and
 * histograms in the sum (its replacement starts from zero beside them).
 *
 * @example
 * ```ts
 * if (cluster.isPrimary) aggregateWorkerMetrics();
 * ```
 */
export function aggregateWorkerMetrics(): void {
  const last = new Map<number, MetricsJson>();
  const retired: MetricsJson[] = [];
  let nextId = 0;

  cluster.on('exit', (worker) => {
    const metrics = last.get(worker.id);
    last.delete(worker.id);
    if (metrics) retired.push(metrics.filter((metric) => CUMULATIVE.has(String(metric.type))));
  });

  const collect = (worker: Worker): Promise<MetricsJson | undefined> =>
    new Promise((resolve) => {
      const id = nextId++;
      const done = (metrics: MetricsJson | undefined) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        if (metrics) last.set(worker.id, metrics);
        resolve(metrics ?? last.get(worker.id));
      };
      const onMessage = (message: unknown) => {
        if (isMessage<OwnMetrics>(message, 'seats:collected') && message.id === id) {
          done(message.metrics);
        }
      };
      const timer = setTimeout(() => done(undefined), COLLECT_TIMEOUT_MS);
      worker.on('message', onMessage);
      worker.send({ type: 'seats:collect', id } satisfies CollectRequest, (err) => {
        if (err) done(undefined);
      });
    });

  const scrape = async (): Promise<string> => {
    const workers = Object.values(cluster.workers ?? {}).filter(
      (worker): worker is Worker => worker !== undefined && worker.isConnected(),
    );
    const collected = await Promise.all(workers.map(collect));
    const all = [...collected.filter((m): m is MetricsJson => m !== undefined), ...retired];
    return AggregatorRegistry.aggregate(all).metrics();
  };

  cluster.on('message', (worker, message: unknown) => {
    if (!isMessage<ScrapeRequest>(message, 'seats:scrape')) return;
    scrape().then(
      (text) => worker.send({ type: 'seats:scraped', id: message.id, text } satisfies ScrapeResult),
      (err: Error) =>
        worker.send({
          type: 'seats:scraped',
          id: message.id,
          error: err.message,
        } satisfies ScrapeResult),
    );
  });
}

/**
 * In a node:cluster worker: hands `registry`'s metrics to the primary when it collects them, and
 * returns the scrape `/metrics` answers with: the whole service's metrics, asked of the primary
 * ({@link aggregateWorkerMetrics}).
 *
 * @example
 * ```ts
 * const scrape = shareWorkerMetrics(seatApp.metrics.registry);
 * app.get('/metrics', async (_req, res) => res.send(await scrape()));
 * ```
 */
export function shareWorkerMetrics(registry: Registry): () => Promise<string> {
  const pending = new Map<number, (result: ScrapeResult) => void>();
  let nextId = 0;
  process.on('message', (message: unknown) => {
    if (isMessage<CollectRequest>(message, 'seats:collect')) {
      // Unanswered (a failing collect), the primary counts this worker's last metrics.
      registry.getMetricsAsJSON().then(
        (metrics) => {
          const answer: OwnMetrics = { type: 'seats:collected', id: message.id, metrics };
          process.send?.(answer);
        },
        () => undefined,
      );
    } else if (isMessage<ScrapeResult>(message, 'seats:scraped')) {
      pending.get(message.id)?.(message);
      pending.delete(message.id);
    }
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('the cluster primary did not answer the metrics scrape'));
      }, 2 * COLLECT_TIMEOUT_MS);
      pending.set(id, (result) => {
        clearTimeout(timer);
        if (result.text !== undefined) resolve(result.text);
        else reject(new Error(result.error));
      });
      process.send!({ type: 'seats:scrape', id } satisfies ScrapeRequest);
    });
}
