import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { transpiledServer } from './compiledBuild';
import { TEST_API_KEY_DIGEST } from './credentials';

/** A service instance running as its own process (`src/process/server.ts`, compiled), as in production. */
export interface ServerProcess {
  /** `http://localhost:<port>`. */
  url: string;
  pid: number;
  /** Everything it printed, for failure messages. */
  output(): string;
  /** Ends it abruptly (`kill -9`, or another signal) and waits until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');

/**
 * Starts the service as production runs it, compiled (test/support/compiledBuild.ts: built once
 * per test run, so each process starts in well under a second instead of the 2–3 s ts-node took to
 * compile the sources again in every child), in a child process on a free port with `env` on top
 * of this process's environment, and resolves once it is listening (bounded wait: a server that
 * cannot start rejects with its output). `script` runs another entry point; `preload` modules may
 * be TypeScript (ts-node is loaded for them only).
 *
 * @example
 * ```ts
 * const server = await startServerProcess({ DATABASE_URL: db.url });
 * await fetch(`${server.url}/seats`);
 * await server.kill('SIGKILL');
 * ```
 */
export async function startServerProcess(
  env: Record<string, string>,
  {
    script,
    preload = [],
  }: {
    script?: string;
    /** Modules loaded before the server (e.g. `test/support/skewClock.ts`). */
    preload?: string[];
  } = {},
): Promise<ServerProcess> {
  const entry = script ?? transpiledServer();
  const child = spawn(
    process.execPath,
    [
      ...(preload.length > 0 ? ['--require', 'ts-node/register/transpile-only'] : []),
      ...preload.flatMap((module) => ['--require', module]),
      entry,
    ],
    {
      cwd: ROOT,
      // Tests load the service from one address: no rate limit and no per-client lock cap unless
      // a test sets them. Small pools: a server opens all of its connections as it starts, and
      // tests run several servers against one PostgreSQL.
      env: {
        ...process.env,
        PORT: '0',
        WORKERS: '1',
        INSPECT: '0',
        RATE_LIMIT_PER_MINUTE: '0',
        MAX_LOCKS_PER_CLIENT: '0',
        SESSIONS_PER_MINUTE: '0',
        PG_POOL_SIZE: '4',
        ...env,
        // The test API key (test/support/credentials.ts), beside any key the test configures.
        API_KEYS: [TEST_API_KEY_DIGEST, env.API_KEYS].filter(Boolean).join(','),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Server did not start within 120 s:\n${output}`));
    }, 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+:\d+) /.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[1],
        pid: child.pid!,
        output: () => output,
        kill: (signal = 'SIGKILL') => stop(child, signal, exited),
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Server exited (${signal ?? code}) before listening:\n${output}`));
    });
  });
}

async function stop(child: ChildProcess, signal: NodeJS.Signals, exited: Promise<void>) {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  await exited;
}
