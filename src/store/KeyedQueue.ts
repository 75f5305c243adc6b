/**
 * Runs tasks one at a time per key, in the order they arrive; tasks of different keys run freely.
 * The lock cap uses it so one user's lock requests are asked and taken one after the other in
 * this process (concurrent requests of one user could otherwise both pass a cap of one).
 *
 * A task of a key nobody is using starts at once, in the caller's turn, and costs no promise of
 * the queue's own: that is every lock request but a user's concurrent ones. Only a task that has
 * to wait gets a promise, resolved when the task before it has settled.
 *
 * @example
 * ```ts
 * const queue = new KeyedQueue();
 * await Promise.all([queue.run('alice', lockA1), queue.run('alice', lockA2)]); // A1, then A2
 * queue.busy('alice'); // false
 * ```
 */
export class KeyedQueue {
  /** For each key with a task running: the turns of the tasks waiting after it, in order. */
  private readonly waiting = new Map<string, Array<() => void>>();

  /** Runs `task` once every earlier task of `key` has settled; resolves or rejects as it does. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const queue = this.waiting.get(key);
    if (queue === undefined) this.waiting.set(key, []);
    else await new Promise<void>((turn) => queue.push(turn));
    try {
      return await task();
    } finally {
      // The key stays busy while a task waits: hand it the turn, or free the key.
      const next = this.waiting.get(key)!.shift();
      if (next) next();
      else this.waiting.delete(key);
    }
  }

  /** Whether `key` has a task queued or running. */
  busy(key: string): boolean {
    return this.waiting.has(key);
  }
}
