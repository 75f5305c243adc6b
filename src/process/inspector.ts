import { createServer, type IncomingMessage } from 'node:http';
import type { InspectionEvent } from 'xstate';
import { WebSocket, WebSocketServer } from 'ws';
import { redactInspection } from './redactInspection';

export interface SeatInspector {
  /** Give this to every seat actor (`createActor(machine, { inspect })`). */
  inspect: (event: InspectionEvent) => void;
  /** The page to open: it relays the seat actors to the Stately inspector. */
  url: string;
  stop(): void;
}

/** The relay listens here only: what it shows is for the person at this machine. */
const LOOPBACK = '127.0.0.1';
/** Events kept for a browser that connects late (as `@statelyai/inspect`'s own relay keeps). */
const RECENT = 200;

/**
 * Starts the Stately inspector relay on `127.0.0.1:port`: a bridge page that embeds the Stately
 * inspector UI, and a WebSocket that sends it every seat actor's inspection events, as
 * `@statelyai/inspect`'s own relay does, but:
 *
 * - loopback only (that relay listens on every interface): to watch from elsewhere, tunnel it
 *   (`ssh -L 4242:127.0.0.1:4242 host`);
 * - a request must name this host in `Host` (`localhost`/`127.0.0.1`, so a DNS-rebinding page
 *   cannot reach it) and a browser's WebSocket must come from the bridge page's own origin;
 * - one way: nothing a connected client sends is relayed to the others;
 * - no `userId` or `lockId` leaves the process ({@link redactInspection}).
 *
 * Inspection events are turned into the inspector's messages by `@statelyai/inspect`
 * (`createInspector`, ESM-only, loaded through `require()` only when inspection is on).
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
  const { createInspector } = require('@statelyai/inspect') as {
    createInspector: (adapter: { send(event: unknown): void }) => {
      inspect: { next(event: InspectionEvent): void };
    };
  };
  const recent: string[] = [];
  const clients = new Set<WebSocket>();
  const server = createServer((req, res) => {
    if (!namesThisHost(req, port)) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('Forbidden');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(BRIDGE_PAGE);
  });
  const sockets = new WebSocketServer({
    server,
    maxPayload: 1024,
    verifyClient: ({ req, origin }: { req: IncomingMessage; origin?: string }) =>
      namesThisHost(req, port) && (origin === undefined || isOwnOrigin(origin, port)),
  });
  sockets.on('connection', (socket) => {
    for (const message of recent) socket.send(message);
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
    socket.on('error', () => clients.delete(socket));
  });
  server.listen(port, LOOPBACK);
  const inspector = createInspector({
    send(event) {
      const message = JSON.stringify(redactInspection(event));
      recent.push(message);
      if (recent.length > RECENT) recent.shift();
      for (const client of clients) if (client.readyState === WebSocket.OPEN) client.send(message);
    },
  });
  return {
    inspect: (event) => inspector.inspect.next(event),
    url: `http://${LOOPBACK}:${port}`,
    stop() {
      for (const client of clients) client.terminate();
      sockets.close();
      server.close();
    },
  };
}

/** `Host` is this relay on loopback: a page on another name (DNS rebinding) is refused. */
function namesThisHost(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host ?? '';
  return [`127.0.0.1:${port}`, `localhost:${port}`].includes(host.toLowerCase());
}

/** The bridge page's own origin (a browser's WebSocket always says where its page came from). */
function isOwnOrigin(origin: string, port: number): boolean {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`].includes(origin.toLowerCase());
}

/** Embeds the Stately inspector UI and passes it the relay's messages (same origin WebSocket). */
const BRIDGE_PAGE = `<!DOCTYPE html>
<html>
<head>
  <title>Stately Inspector</title>
  <style>* { margin: 0; padding: 0; } html, body { height: 100%; } iframe { width: 100%; height: 100%; border: none; }</style>
</head>
<body>
  <iframe id="inspector" src="https://stately.ai/inspect"></iframe>
  <script>
    const iframe = document.getElementById('inspector');
    const buffer = [];
    let connected = false;
    window.addEventListener('message', (e) => {
      if (e.data && e.data.type === '@statelyai.connected') {
        connected = true;
        for (const event of buffer.splice(0)) iframe.contentWindow.postMessage(event, '*');
      }
    });
    const ws = new WebSocket('ws://' + location.host);
    ws.onmessage = (event) => {
      const data = JSON.parse(event.data);
      if (connected) iframe.contentWindow.postMessage(data, '*');
      else buffer.push(data);
    };
  </script>
</body>
</html>`;
