import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';

/**
 * Development aid for a machine shared by several developers' worktrees: when the machine has the
 * marker file `/work/tools/serialize-tests`, full `npm test` runs (the whole glob) wait for each
 * other instead of all running at once, which on two cores makes every timing-sensitive test crawl.
 * Without the marker (a user's machine, CI) it does nothing. Single-file runs never wait.
 */
const MARKER = '/work/tools/serialize-tests';
const LOCK = '/tmp/seat-booking-full-test-run.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const fullRun = process.argv.some((arg) => arg.includes('**'));
if (fullRun && !process.env.CI && existsSync(MARKER)) {
  const sleep = new Int32Array(new SharedArrayBuffer(4));
  let told = false;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(`${LOCK}/pid`, String(process.pid));
      break;
    } catch {
      let holder = NaN;
      try {
        holder = Number(readFileSync(`${LOCK}/pid`, 'utf8'));
      } catch {
        // Being created or removed right now: look again shortly.
      }
      if (Number.isFinite(holder) && !alive(holder)) rmSync(LOCK, { recursive: true, force: true });
      if (!told) console.log(`(waiting for another full test run, pid ${holder}, to finish)`);
      told = true;
      Atomics.wait(sleep, 0, 0, 2000);
    }
  }
  process.on('exit', () => rmSync(LOCK, { recursive: true, force: true }));
}
