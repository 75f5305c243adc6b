import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that forwards to `target` and holds every chunk back by `delayMs` in
 * each direction (order kept), to make a database slow without touching it. `delayMs` may change
 * at any time; chunks already scheduled keep their time. `cut()` resets every open connection, as
 * a proxy or a failover does.
 *
 * @example
 * ```ts
 * const proxy = await LatencyProxy.start({ host: '127.0.0.1', port: 5432 });
 * proxy.delayMs = 300; // every query now takes at least 600 ms more
 * await proxy.close();
 * ```
 */
export class LatencyProxy {
  /** Added to each chunk, each way, in ms. */
  delayMs = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<LatencyProxy> {
    // The proxy exists once the server listens; connections only come after that.
    const made: { proxy?: LatencyProxy } = {};
    const server = net.createServer((client) => made.proxy!.accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    made.proxy = new LatencyProxy(server, (server.address() as net.AddressInfo).port);
    return made.proxy;
  }

  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  /** Resets every connection through the proxy (new ones are accepted). */
  cut(): void {
    for (const socket of this.sockets) socket.resetAndDestroy();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      // One side failing ends both, as a real connection would.
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    this.pipe(client, upstream);
    this.pipe(upstream, client);
  }

  /** Forwards `from` to `to`, each chunk `delayMs` late, in order (one queue, one timer). */
  private pipe(from: net.Socket, to: net.Socket): void {
    const queue: { due: number; chunk: Buffer | 'end' }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const drain = () => {
      timer = undefined;
      while (queue.length > 0 && queue[0].due <= Date.now()) {
        const { chunk } = queue.shift()!;
        if (chunk === 'end') to.end();
        else if (to.writable) to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(drain, queue[0].due - Date.now());
    };
    const push = (chunk: Buffer | 'end') => {
      queue.push({ due: Date.now() + this.delayMs, chunk });
      timer ??= setTimeout(drain, Math.max(0, queue[0].due - Date.now()));
    };
    from.on('data', (chunk: Buffer) => push(chunk));
    from.on('end', () => push('end'));
    from.on('close', () => {
      if (queue.length === 0) to.destroy();
      else push('end');
    });
  }
}
