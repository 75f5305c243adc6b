import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/** A process's memory after a full GC, in bytes. */
export interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
}

const running = new Set<ChildProcess>();

/** Kills every child still running: called on exit, on Ctrl-C and on any failure. */
export function killChildren(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
process.once('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killChildren();
    process.exit(130);
  });
}

/** Whether something accepts TCP connections on `port` of this host right now. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface NodeChildOptions {
  /** The compiled entry point (bench/compiled.ts). */
  script: string;
  /** The compiled probe, preloaded (bench/compiled.ts). */
  probe: string;
  /** The port it listens on (also passed to it as `PORT`). */
  port: number;
  env: Record<string, string>;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
}

/**
 * A server the bench runs in its own process, compiled JavaScript as `npm start` runs the service
 * (bench/compiled.ts), plus the probe (memory, CPU time, CPU profiles). `start()` resolves once the server printed that it
 * listens, with the time that took from spawn.
 *
 * @example
 * ```ts
 * const child = new NodeChild({ script: server, probe, port: await freePort(), env: {} });
 * const startupMs = await child.start();
 * const { rss } = await child.memory();
 * await child.stop();
 * ```
 */
export class NodeChild {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(private readonly options: NodeChildOptions) {}

  /** The environment the child was given (on top of this process's). */
  get env(): Record<string, string> {
    return this.options.env;
  }

  /** Spawns the server; resolves with the ms from spawn to its port accepting connections. */
  async start(timeoutMs = 60_000): Promise<number> {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        ...(this.options.nodeFlags ?? []),
        '-r',
        this.options.probe,
        this.options.script,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, ...this.options.env, PORT: String(this.options.port) },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    this.child = child;
    running.add(child);
    child.once('exit', () => running.delete(child));
    child.stdout!.on('data', (chunk: Buffer) => this.remember(chunk));
    child.stderr!.on('data', (chunk: Buffer) => this.remember(chunk));
    let exited: string | undefined;
    child.once('exit', (code, signal) => (exited = `exited (${code ?? signal})`));
    child.once('error', (err) => (exited = err.message));
    // Listening is when the port accepts a connection: whatever the server logs, or doesn't.
    while (!(await accepts(this.options.port))) {
      const failure =
        exited ?? (performance.now() - started > timeoutMs ? 'did not listen in time' : undefined);
      if (failure) {
        child.kill('SIGKILL');
        throw new Error(`${this.options.script}: ${failure}\n${this.output.slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return performance.now() - started;
  }

  /** Keeps the end of what the child printed, for the error message if it fails. */
  private remember(chunk: Buffer): void {
    this.output = (this.output + chunk.toString()).slice(-4000);
  }

  /** The child's memory after a full GC. */
  memory(): Promise<Memory> {
    return this.ask<Memory>('memory');
  }

  /**
   * The child's memory once its heap has settled: V8 compacts a fragmented old space over several
   * full GCs, not in one, so right after a load the first GC still holds pages mostly of dead
   * requests' objects. A full GC a second, until the heap's size shrinks by less than 2 % (at most
   * `tries`), as an idle service's own memory reducer would. Resolves with the first GC's figures
   * and the settled ones.
   *
   * @example
   * ```ts
   * const { first, settled } = await child.settledMemory();
   * ```
   */
  async settledMemory(tries = 15): Promise<{ first: Memory; settled: Memory }> {
    const first = await this.memory();
    let settled = first;
    for (let i = 1; i < tries; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const next = await this.memory();
      const shrank = settled.heapTotal - next.heapTotal;
      settled = next;
      if (shrank < 0.02 * next.heapTotal) break;
    }
    return { first, settled };
  }

  /** The CPU time (user + system, µs) the child has used since it started. */
  async cpuMicros(): Promise<number> {
    return (await this.ask<{ micros: number }>('cpu')).micros;
  }

  /** Starts the CPU profiler in the child (its main thread, every 100 µs). */
  async startProfile(): Promise<void> {
    await this.ask('profile:start');
  }

  /** Stops the profiler and has the child write its `.cpuprofile` to `file`. */
  async stopProfile(file: string): Promise<void> {
    await this.ask(`profile:stop:${file}`, 'profile:stop');
  }

  private ask<T>(message: string, type = message): Promise<T> {
    const child = this.child!;
    return new Promise((resolve, reject) => {
      const onMessage = (message: { type?: string } & T) => {
        if (message?.type !== type) return;
        child.off('message', onMessage);
        resolve(message);
      };
      child.on('message', onMessage);
      // A child that died meanwhile: say how, with the end of what it printed.
      const failed = (err: Error) =>
        reject(
          new Error(
            `${this.options.script}: ${err.message} (exit ${child.exitCode ?? child.signalCode})\n${this.output.slice(-2000)}`,
          ),
        );
      child.send(message, (err) => err && failed(err));
    });
  }

  /** Stops the server (SIGTERM, then SIGKILL if it lingers) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
