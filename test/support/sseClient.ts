import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One parsed Server-Sent Event (comments are kept as `comment`). */
export interface ParsedSse {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/**
 * Splits SSE text into messages; a comment-only block becomes `{comment}`.
 *
 * @example
 * ```ts
 * parseSse('id: x-1\ndata: {}\n\n: heartbeat\n\n'); // [{id:'x-1', data:'{}'}, {comment:'heartbeat'}]
 * ```
 */
export function parseSse(text: string): ParsedSse[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const message: ParsedSse = {};
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, '');
        if (field === '') message.comment = value;
        else if (field === 'id' || field === 'event' || field === 'data') message[field] = value;
      }
      return message;
    });
}

/** An open `GET /seats/events` stream that collects what it receives. */
/**
 * The JSON object a message's `data` carries (a seat change, a resync); fails the test when the
 * data is missing or not a JSON object.
 *
 * @example
 * ```ts
 * expect(dataOf(await sse.waitFor((m) => m.event === 'resync')).reason).to.equal('too-old');
 * ```
 */
export function dataOf(message: ParsedSse): Record<string, unknown> {
  const data: unknown = JSON.parse(message.data ?? 'null');
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error(`expected a JSON object as the message's data, got ${message.data}`);
  }
  return data as Record<string, unknown>;
}

export interface SseConnection {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Every complete message so far. */
  messages(): ParsedSse[];
  /** Resolves when a message matching `match` has arrived; rejects after `ms` (a bound, not a timing check). */
  waitFor(match: (m: ParsedSse) => boolean, ms?: number): Promise<ParsedSse>;
  close(): void;
}

/**
 * Opens the event stream of the server at `address`.
 *
 * @example
 * ```ts
 * const sse = await openSse(server.address() as AddressInfo, { 'Last-Event-ID': id });
 * await sse.waitFor((m) => m.event === 'resync');
 * ```
 */
export function openSse(
  address: AddressInfo,
  headers: Record<string, string> = {},
  path = '/seats/events',
): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: address.port, path, headers }, (res) => {
      let text = '';
      const waiters: Array<() => void> = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        for (const wake of waiters.splice(0)) wake();
      });
      res.on('error', () => {});
      const messages = () => parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2));
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        messages,
        waitFor(match, ms = 2000) {
          return new Promise((done, fail) => {
            const timer = setTimeout(
              () => fail(new Error(`no matching event in ${ms} ms: ${text}`)),
              ms,
            );
            const check = () => {
              const found = messages().find(match);
              if (found) {
                clearTimeout(timer);
                done(found);
              } else waiters.push(check);
            };
            check();
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}
