import cluster from 'node:cluster';

/**
 * Runs `serve` in `count` node:cluster workers sharing one port (the primary only supervises).
 * A worker that dies after it was serving is replaced; one that dies before it could serve (bad
 * configuration, database unreachable, venue mismatch) stops them all, since its siblings would
 * fail the same way. In a worker, this just calls `serve`.
 *
 * @example
 * ```ts
 * runWorkers(4, () => serve(config));
 * ```
 */
export function runWorkers(count: number, serve: () => void): void {
  if (!cluster.isPrimary) {
    serve();
    return;
  }
  const serving = new Set<number>();
  let stopping = false;
  cluster.on('listening', (worker) => serving.add(worker.id));
  cluster.on('exit', (worker, code, signal) => {
    const how = signal ?? `code ${code}`;
    if (stopping) return;
    if (!serving.has(worker.id)) {
      stopping = true;
      console.error(
        `Worker ${worker.process.pid} exited (${how}) before serving; stopping all workers.`,
      );
      for (const other of Object.values(cluster.workers ?? {})) other?.kill();
      process.exitCode = 1;
      return;
    }
    console.error(`Worker ${worker.process.pid} died (${how}); starting a new one.`);
    cluster.fork();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill(signal);
    });
  }
  console.log(`Starting ${count} workers (primary ${process.pid}).`);
  for (let i = 0; i < count; i++) cluster.fork();
}
