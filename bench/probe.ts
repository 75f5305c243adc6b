import cluster from 'node:cluster';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

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

/** The CPU profiler of this process (`profile:start`, then `profile:stop:<file>`). */
let profiler: Session | undefined;

function post(method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) =>
    profiler!.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
  );
}

/**
 * Profiles this process's main thread between two messages, sampling every 100 µs, and writes
 * the `.cpuprofile` to the file named in the stop message: the stage table (bench/stages.ts)
 * reads it. Only the load is profiled, never start-up.
 */
async function profile(message: string): Promise<Answer | undefined> {
  if (message === 'profile:start') {
    profiler = new Session();
    profiler.connect();
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 100 });
    await post('Profiler.start');
    return { type: message };
  }
  if (message.startsWith('profile:stop:') && profiler) {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    profiler.disconnect();
    profiler = undefined;
    writeFileSync(message.slice('profile:stop:'.length), JSON.stringify(profile));
    return { type: 'profile:stop' };
  }
  return undefined;
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
  if (message.startsWith('profile:')) {
    void profile(message).then((answer) => answer && process.send?.(answer));
    return;
  }
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
