/**
 * Runs tasks one at a time per key, in the order they arrive; tasks of different keys run freely.
 * The lock cap uses it so one user's lock requests are asked and taken one after the other in
 * this process (concurrent requests of one user could otherwise both pass a cap of one).
 *
 * @example
 * ```ts
 * const queue = new KeyedQueue();
 * await Promise.all([queue.run('alice', lockA1), queue.run('alice', lockA2)]); // A1, then A2
 * queue.busy('alice'); // false
 * ```
 */
export class KeyedQueue {
  /** The tail of each key's queue; a key with nothing queued or running has none. */
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` once every earlier task of `key` has settled; resolves or rejects as it does. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const turn = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = turn.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await turn;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Whether `key` has a task queued or running. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }
}
