import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Installs Debian `packages` with apt-get when we are root and apt is there (a fresh machine or
 * container); returns whether it ran and succeeded. What a test needs from the system (Chromium,
 * PostgreSQL's initdb) is installed by the project's own test setup, only ever from the
 * distribution: never a binary downloaded by a tool of its own.
 *
 * @example
 * ```ts
 * if (!existsSync('/usr/bin/chromium')) aptInstall(['chromium']);
 * ```
 */
export function aptInstall(packages: string[]): boolean {
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    console.log(`      (installing ${packages.join(', ')} with apt-get for the tests…)`);
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 300_000 });
    execFileSync('apt-get', ['install', '-y', '-qq', ...packages], {
      stdio: 'ignore',
      env,
      timeout: 600_000,
    });
    return true;
  } catch {
    return false;
  }
}
