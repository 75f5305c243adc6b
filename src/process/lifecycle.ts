export type LifecycleState = 'starting' | 'ready' | 'draining';

/**
 * Where the service is in its life: `starting` until it listens, `ready`, then `draining` once
 * shutdown begins. `/readyz` reads it; long-lived responses (server-sent events) watch `closing`
 * or register an {@link Lifecycle.onShutdown} hook to end themselves when the service drains.
 *
 * @example
 * ```ts
 * const { lifecycle } = createApp();
 * lifecycle.closing.addEventListener('abort', () => stream.end());
 * server.listen(0, () => lifecycle.ready());
 * ```
 */
export class Lifecycle {
  private current: LifecycleState = 'starting';
  private readonly controller = new AbortController();
  private readonly hooks: Array<() => void | Promise<void>> = [];

  /** Aborted when shutdown begins. */
  readonly closing: AbortSignal = this.controller.signal;

  get state(): LifecycleState {
    return this.current;
  }

  /** The service listens and may take traffic. */
  ready(): void {
    if (this.current === 'starting') this.current = 'ready';
  }

  /** Registers `hook`, run once when shutdown begins (close streams, flush buffers). */
  onShutdown(hook: () => void | Promise<void>): void {
    this.hooks.push(hook);
  }

  /** Starts draining: readiness goes false, `closing` aborts, hooks run (all awaited). */
  async drain(): Promise<void> {
    if (this.current === 'draining') return;
    this.current = 'draining';
    this.controller.abort();
    await Promise.allSettled(this.hooks.map(async (hook) => hook()));
  }
}
