import cluster from 'node:cluster';

/**
 * Preloaded (`node -r`) into every process the bench starts, service and baseline alike: answers
 * `memory` over the IPC channel with the process's memory after a full GC (so the figures are what
 * the process keeps, not garbage it has not collected yet), and `cpu` with the CPU time it has
 * used. A node:cluster primary (`WORKERS=2`) adds its workers' answers to its own (the workers
 * load this probe too, through the execArgv they inherit), so a figure covers the whole service.
 * It changes nothing else in the process.
 */
interface Answer {
  type: string;
  [figure: string]: number | string;
}

function ownAnswer(message: string): Answer | undefined {
  if (message === 'cpu') {
    // CPU time is what a request costs the server, whatever else the machine is running.
    const { user, system } = process.cpuUsage();
    return { type: 'cpu', micros: user + system };
  }
  if (message !== 'memory') return undefined;
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed, heapTotal } = process.memoryUsage();
  return { type: 'memory', rss, heapUsed, heapTotal };
}

/** Asks every cluster worker the same question; resolves with their answers. */
function askWorkers(message: string): Promise<Answer[]> {
  const workers = cluster.isPrimary ? Object.values(cluster.workers ?? {}) : [];
  return Promise.all(
    workers.flatMap((worker) =>
      worker && worker.isConnected()
        ? [
            new Promise<Answer>((resolve) => {
              const onMessage = (answer: Answer) => {
                if (answer?.type !== message) return;
                worker.off('message', onMessage);
                resolve(answer);
              };
              worker.on('message', onMessage);
              worker.send(message);
            }),
          ]
        : [],
    ),
  );
}

process.on('message', (message) => {
  if (typeof message !== 'string') return;
  const own = ownAnswer(message);
  if (!own) return;
  void askWorkers(message).then((answers) => {
    const total = { ...own };
    for (const answer of answers) {
      for (const [key, value] of Object.entries(answer)) {
        if (typeof value === 'number') total[key] = (total[key] as number) + value;
      }
    }
    process.send?.(total);
  });
});

// The IPC channel must not keep a finished server alive on its own.
process.channel?.unref();

// `--cpu-prof` writes its profile only on a normal exit, not when a signal kills the process.
if (process.env.BENCH_PROFILE === '1') process.once('SIGTERM', () => process.exit(0));
