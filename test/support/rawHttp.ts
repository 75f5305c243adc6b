import { connect, type Socket } from 'node:net';
import { userIdOf } from './api';
import { testCredentials } from './credentials';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What became of a request: a whole response, or an error code (`ECONNREFUSED`…). */
export type Outcome = { response: RawResponse } | { error: string };

/**
 * A hand-driven HTTP/1.1 connection: write any bytes, then read the one response (parsed with
 * its Content-Length, so a response cut short is reported as an error, never as a response).
 *
 * @example
 * ```ts
 * const conn = await rawConnection(port);
 * conn.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
 * const outcome = await conn.outcome;
 * ```
 */
export function rawConnection(
  port: number,
): Promise<{ socket: Socket; outcome: Promise<Outcome> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const outcome = new Promise<Outcome>((settle) => {
      socket.on('data', (chunk) => {
        data += String(chunk);
        const parsed = parse(data);
        if (parsed) settle({ response: parsed });
      });
      socket.on('error', (err: NodeJS.ErrnoException) =>
        settle({ error: err.code ?? err.message }),
      );
      socket.on('close', () =>
        settle(parse(data) ? { response: parse(data)! } : { error: data ? 'TRUNCATED' : 'CLOSED' }),
      );
    });
    socket.once('connect', () => resolve({ socket, outcome }));
    socket.once('error', (err) => reject(err));
  });
}

/**
 * The head of a request (request line, headers, blank line) whose JSON body is `payload`, with
 * the headers test/support/credentials.ts gives for the user the body names, as the test client
 * sends them; `close` adds `Connection: close`.
 *
 * @example
 * ```ts
 * socket.write((await requestHead('POST', '/seats/A1/lock', body)) + body.slice(0, 5));
 * ```
 */
export async function requestHead(
  method: string,
  path: string,
  payload = '',
  { close = false } = {},
): Promise<string> {
  const headers: Record<string, string> = {
    Host: 'test',
    ...(close ? { Connection: 'close' } : {}),
    ...(payload
      ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) }
      : {}),
    ...(await testCredentials(payload ? userIdOf(parseJson(payload)) : undefined)),
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join('')}\r\n`;
}

/** The bytes of a one-shot request (`Connection: close`), with a JSON body when given. */
export async function requestText(method: string, path: string, body?: unknown): Promise<string> {
  const payload = body === undefined ? '' : JSON.stringify(body);
  return (await requestHead(method, path, payload, { close: true })) + payload;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** One request on its own connection. */
export async function rawRequest(
  port: number,
  method: string,
  path: string,
  body?: unknown,
): Promise<Outcome> {
  const text = await requestText(method, path, body);
  let conn;
  try {
    conn = await rawConnection(port);
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? String(err) };
  }
  conn.socket.write(text);
  return conn.outcome;
}

function parse(data: string): RawResponse | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = data.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = data.slice(end + 4);
  const length = Number(headers['content-length'] ?? NaN);
  if (!(Buffer.byteLength(body) >= length)) return undefined;
  return { status: Number(statusLine.split(' ')[1]), headers, body: body.slice(0, length) };
}
