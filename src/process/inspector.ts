import type { InspectionEvent } from 'xstate';

export interface SeatInspector {
  /** Give this to every seat actor (`createActor(machine, { inspect })`). */
  inspect: (event: InspectionEvent) => void;
  /** The page to open: it relays the seat actors to the Stately inspector. */
  url: string;
  stop(): void;
}

/**
 * Starts the Stately inspector relay (`@statelyai/inspect`) on `port` and connects to it. The
 * package is ESM-only and loaded here through `require()` (Node ≥ 20.19), only when inspection is
 * switched on, so it costs nothing otherwise.
 *
 * @example
 * ```ts
 * const inspector = startInspector(4242);
 * createApp({ inspect: inspector.inspect });
 * console.log(`Open ${inspector.url}`);
 * ```
 */
export function startInspector(port: number): SeatInspector {
  // Loaded here, and only with INSPECT=1, so that the package costs nothing otherwise; require()
  // keeps startInspector synchronous where an import() would not.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see the comment above
  const { createInspectorServer } = require('@statelyai/inspect/server') as {
    createInspectorServer: (options: { port: number; autoOpen: boolean }) => { stop(): void };
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see the comment above
  const { createWebSocketInspector } = require('@statelyai/inspect') as {
    createWebSocketInspector: (options: { url: string }) => {
      inspect: (event: InspectionEvent) => void;
      stop(): void;
    };
  };
  const server = createInspectorServer({ port, autoOpen: false });
  const inspector = createWebSocketInspector({ url: `ws://localhost:${port}` });
  return {
    inspect: inspector.inspect,
    url: `http://localhost:${port}`,
    stop() {
      inspector.stop();
      server.stop();
    },
  };
}
