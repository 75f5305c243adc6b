import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
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

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface NodeChildOptions {
  /** The TypeScript entry point, relative to the repository root. */
  script: string;
  env: Record<string, string>;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
}

/**
 * A server the bench runs in its own process, exactly as `npm start` runs the service (`ts-node
 * --transpile-only`), plus the memory probe. `start()` resolves once the server printed that it
 * listens, with the time that took from spawn.
 *
 * @example
 * ```ts
 * const child = new NodeChild({ script: 'src/server.ts', env: { PORT: String(await freePort()) } });
 * const startupMs = await child.start();
 * const { rss } = await child.memory();
 * await child.stop();
 * ```
 */
export class NodeChild {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(private readonly options: NodeChildOptions) {}

  /** Spawns the server; resolves with the ms from spawn to its "listening" line. */
  async start(timeoutMs = 60_000): Promise<number> {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        ...(this.options.nodeFlags ?? []),
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        path.join(ROOT, 'bench/probe.ts'),
        this.options.script,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, ...this.options.env },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    this.child = child;
    running.add(child);
    child.once('exit', () => running.delete(child));
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('did not listen in time')), timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`${this.options.script}: ${err.message}\n${this.output.slice(-2000)}`));
      };
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString();
        if (/listening/i.test(this.output)) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
      child.once('exit', (code, signal) => fail(new Error(`exited (${code ?? signal})`)));
      child.once('error', fail);
    });
  }

  /** The child's memory after a full GC. */
  memory(): Promise<Memory> {
    return this.ask<Memory>('memory');
  }

  /** The CPU time (user + system, µs) the child has used since it started. */
  async cpuMicros(): Promise<number> {
    return (await this.ask<{ micros: number }>('cpu')).micros;
  }

  private ask<T>(type: string): Promise<T> {
    const child = this.child!;
    return new Promise((resolve, reject) => {
      const onMessage = (message: { type?: string } & T) => {
        if (message?.type !== type) return;
        child.off('message', onMessage);
        resolve(message);
      };
      child.on('message', onMessage);
      child.send(type, (err) => err && reject(err));
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
