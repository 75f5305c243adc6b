import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { aptInstall } from '../aptInstall';
import { freePort } from '../freePort';

const run = promisify(execFile);

export interface DisposableServerOptions {
  /**
   * `false` trades the last few commits of a crash for speed (the shared fallback server, which no
   * test crashes); a server a test crashes keeps it on (the default), so acknowledged writes stay.
   */
  synchronousCommit?: boolean;
}

/**
 * A throwaway PostgreSQL cluster in a temporary directory on a free port, owned by this process:
 * the tests' fallback server when none answers, and the server a fault test may crash and start
 * again (never the machine's shared cluster). Durability is off (`fsync=off`): a crash of this
 * server is survived because `synchronous_commit` stays on and the OS keeps the written files; only
 * a power loss would lose commits, and no test pulls the plug on the machine.
 *
 * As root it runs as user `nobody` (postgres refuses to run as root). It is stopped and deleted
 * when the process exits.
 *
 * @example
 * ```ts
 * const server = await DisposableServer.start();
 * await server.crash(); // pg_ctl stop -m immediate: every connection dies, no checkpoint
 * await server.resume(); // the same port and data directory, after crash recovery
 * await server.destroy();
 * ```
 */
export class DisposableServer {
  private running = true;
  private readonly onExit = () => this.destroySync();

  private constructor(
    /** initdb/pg_ctl's directory. */
    private readonly bin: string,
    /** The temporary directory: data directory, socket and log. */
    readonly dir: string,
    readonly port: number,
    /** What the server runs as (`nobody` under root). */
    readonly user: string,
    private readonly options: DisposableServerOptions,
  ) {
    process.once('exit', this.onExit);
  }

  /** Superuser connection string to its `postgres` database. */
  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Where its binaries come from, in words for logs. */
  get description(): string {
    return `initdb/pg_ctl from ${this.bin}, run as ${this.user}, in ${this.dir}`;
  }

  /** Creates a cluster and starts it; rejects with the tools' output when that cannot be done. */
  static async start(options: DisposableServerOptions = {}): Promise<DisposableServer> {
    const bin = findPostgresBin();
    if (!bin) {
      throw new Error(
        'no initdb/pg_ctl found, and apt-get could not install them (install PostgreSQL, e.g. apt-get install postgresql, or set PG_BIN)',
      );
    }
    const asRoot = process.getuid?.() === 0;
    const dir = mkdtempSync(join(tmpdir(), 'seats-pg-'));
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'nobody']).toString());
      const gid = Number(execFileSync('id', ['-g', 'nobody']).toString());
      chownSync(dir, uid, gid);
    }
    const server = new DisposableServer(
      bin,
      dir,
      await freePort(),
      asRoot ? 'nobody' : userInfo().username,
      options,
    );
    try {
      await server.exec('initdb', [
        '-D',
        server.data,
        '-U',
        'postgres',
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--no-locale',
        '--no-sync',
      ]);
      await server.resume();
      return server;
    } catch (err) {
      server.destroySync();
      const stderr = (err as { stderr?: string }).stderr;
      throw new Error(`${(err as Error).message}${stderr ? `\n${stderr}` : ''}`, { cause: err });
    }
  }

  /** Starts the cluster again on the same port and data directory (crash recovery included). */
  async resume(): Promise<void> {
    const settings = [
      `-p ${this.port}`,
      `-k ${this.dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c full_page_writes=off',
      `-c synchronous_commit=${this.options.synchronousCommit === false ? 'off' : 'on'}`,
      // Enough for several service instances with their pools, the tests' own clients and killers.
      '-c max_connections=200',
    ].join(' ');
    const args = ['-D', this.data, '-l', this.log, '-o', settings, '-w', '-t', '60', 'start'];
    await this.exec('pg_ctl', args);
    this.running = true;
  }

  /**
   * Kills the server the way a crash does (`pg_ctl stop -m immediate`: every backend is told to
   * quit at once, no shutdown checkpoint), and resolves once it is down. `resume()` starts it again.
   */
  async crash(): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
    this.running = false;
  }

  /** Whether it is up (as far as this object has started and stopped it). */
  get isRunning(): boolean {
    return this.running;
  }

  /** Stops it and deletes its directory. */
  async destroy(): Promise<void> {
    this.destroySync();
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  private get log(): string {
    return join(this.dir, 'log');
  }

  private runAs(): string[] {
    return process.getuid?.() === 0 ? ['runuser', '-u', 'nobody', '--'] : [];
  }

  private exec(tool: string, args: string[]) {
    const [command, ...prefix] = [...this.runAs(), join(this.bin, tool)];
    return run(command, [...prefix, ...args], { cwd: this.dir });
  }

  private destroySync(): void {
    process.removeListener('exit', this.onExit);
    const [command, ...prefix] = [...this.runAs(), join(this.bin, 'pg_ctl')];
    if (existsSync(this.data)) {
      spawnSync(command, [...prefix, '-D', this.data, '-m', 'immediate', 'stop'], {
        cwd: this.dir,
      });
    }
    this.running = false;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Where initdb and pg_ctl are: `PG_BIN` when set, else the newest of Debian's
 * /usr/lib/postgresql/<v>/bin, else the PATH's; on a machine with none of them, Debian's
 * `postgresql` is installed first when we are root (its own cluster is not used).
 */
function findPostgresBin(): string | undefined {
  if (process.env.PG_BIN) return findInstalledBin();
  return findInstalledBin() ?? (aptInstall(['postgresql']) ? findInstalledBin() : undefined);
}

function findInstalledBin(): string | undefined {
  if (process.env.PG_BIN) {
    return existsSync(join(process.env.PG_BIN, 'initdb')) ? process.env.PG_BIN : undefined;
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(root, versions[0], 'bin');
  }
  const found = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const initdb = found.stdout.trim();
  return found.status === 0 && initdb ? join(initdb, '..') : undefined;
}
