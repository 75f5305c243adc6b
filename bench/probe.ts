/**
 * Preloaded (`node -r`) into every process the bench starts, service and baseline alike: answers
 * `memory` over the IPC channel with the process's memory after a full GC (so the figures are what
 * the process keeps, not garbage it has not collected yet), and `cpu` with the CPU time it has
 * used. It changes nothing else in the process.
 */
process.on('message', (message) => {
  if (message === 'cpu') {
    // CPU time is what a request costs the server, whatever else the machine is running.
    const { user, system } = process.cpuUsage();
    process.send?.({ type: 'cpu', micros: user + system });
  }
  if (message !== 'memory') return;
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed, heapTotal } = process.memoryUsage();
  process.send?.({ type: 'memory', rss, heapUsed, heapTotal });
});

// The IPC channel must not keep a finished server alive on its own.
process.channel?.unref();

// `--cpu-prof` writes its profile only on a normal exit, not when a signal kills the process.
if (process.env.BENCH_PROFILE === '1') process.once('SIGTERM', () => process.exit(0));
