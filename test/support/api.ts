import { expect } from 'chai';
import http from 'node:http';
import type { z } from 'zod';
import type { RouteDeclaration } from '../../src/http/defineRoute';
import type { SeatStateRuns } from '../../src/http/seatStateRuns';
import type {
  eventDetailsResponseSchema,
  eventListResponseSchema,
  eventResponseSchema,
} from '../../src/http/eventSchemas';
import type {
  healthSchema,
  LockResponse,
  Problem,
  Readiness,
  SeatEnvelope,
  SeatList,
  SeatResponse,
  SeatSummary,
} from '../../src/http/schemas';
import type { BookingEnvelope, HoldEnvelope } from '../../src/http/holdSchemas';
import { testCredentials, type Credentials } from './credentials';
import { expectDocumented } from './documented';

/** A response as tests see it, before its body is known to be an answer or a problem. */
export interface Received {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or `undefined` when the body is not JSON. */
  body: unknown;
}

/** A 2xx answer with the body the route documents. */
export interface Answer<T> extends Received {
  ok: true;
  body: T;
}

/**
 * A refusal: a 4xx/5xx RFC 9457 problem, or status 0 with code `NO_ANSWER` when the connection
 * failed (a killed server) and the client was told to report that rather than throw.
 */
export interface Refusal extends Received {
  ok: false;
  body: Problem;
}

export type Reply<T> = Answer<T> | Refusal;

/** What a raw request may carry: a JSON body, or text sent as it is (malformed JSON, arrays…). */
export interface SendOptions {
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** The user the request acts for when its body names none (`?userId=` routes). */
  actingFor?: string;
}

/** Where a hold request goes (`/events/:eventId` for an event's) and extra headers it sends. */
export interface HoldOptions {
  prefix?: string;
  headers?: Record<string, string>;
}

export interface ApiClientOptions {
  /** Headers proving who a request acts for; by default the one shared {@link testCredentials}. */
  credentials?: Credentials;
  /** When given, every response is checked against these declarations (status, type, schema). */
  routes?: readonly RouteDeclaration[];
  /** Each request on a connection of its own, so concurrent requests really race on the server. */
  freshConnections?: boolean;
  /** A failed connection becomes a status-0 `NO_ANSWER` refusal instead of an exception. */
  unreachableAsRefusal?: boolean;
}

/** The query of `GET /seats`; strings go through as they are, so tests can send bad values. */
export interface ListParams {
  state?: string;
  limit?: number | string;
  after?: string;
}

/** The query of `GET /events`. */
export interface EventListParams {
  state?: string;
  limit?: number | string;
  after?: string;
}

export type EventEnvelope = z.infer<typeof eventResponseSchema>;
export type EventDetailsEnvelope = z.infer<typeof eventDetailsResponseSchema>;
export type EventList = z.infer<typeof eventListResponseSchema>;

/**
 * The one typed client tests use to talk to the service, in-process or in another process. Every
 * request carries the headers `credentials` gives for the user its JSON body names (seat actions
 * send `{userId}`), so every test authenticates in one place; a test's own headers win.
 *
 * @example
 * ```ts
 * const api = apiClient(server.url);
 * const { lockId } = ok(await api.lock('A1', 'alice'));
 * expectProblem(await api.lock('A1', 'bob'), 409, 'SEAT_LOCKED');
 * ```
 */
export function apiClient(baseUrl: string, options: ApiClientOptions = {}) {
  const credentials = options.credentials ?? testCredentials;
  const agent = options.freshConnections ? false : new http.Agent({ keepAlive: true });

  async function send(method: string, path: string, sent: SendOptions = {}): Promise<Received> {
    const payload =
      sent.rawBody ?? (sent.body === undefined ? undefined : JSON.stringify(sent.body));
    // By lower-case name, so a test's own `Authorization` (`''`: none) replaces the credentials'.
    const headers: Record<string, string> = {
      ...lowerCased(
        await credentials(userIdOf(sent.body ?? (payload && parseJson(payload))) ?? sent.actingFor),
      ),
      ...lowerCased(sent.headers),
    };
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    let received: Received;
    try {
      received = await exchange(baseUrl + path, method, headers, payload, agent);
    } catch (err) {
      if (!options.unreachableAsRefusal) throw err;
      const code = (err as NodeJS.ErrnoException).code ?? 'NO_ANSWER';
      return noAnswer(code);
    }
    if (options.routes) expectDocumented(options.routes, method, path, received);
    return received;
  }

  /** `send` for a route whose 2xx body is `T` and whose refusals are problems. */
  const reply = async <T>(method: string, path: string, sent?: SendOptions): Promise<Reply<T>> =>
    asReply<T>(await send(method, path, sent));

  /** The seat routes under `prefix` (`''` for the default event, `/events/:eventId` for one). */
  const seatsAt = (prefix: string) => {
    /** A seat action as `userId`: `{userId, lockId?}` as the body, credentials for that user. */
    const act = <T>(action: string, seatId: string, userId: string, lockId?: string) =>
      reply<T>('POST', `${prefix}/seats/${seatId}/${action}`, {
        body: lockId === undefined ? { userId } : { userId, lockId },
      });
    return {
      list: (params: ListParams = {}) =>
        reply<SeatList>('GET', `${prefix}/seats${queryString(params)}`),
      get: (seatId: string) => reply<SeatEnvelope>('GET', `${prefix}/seats/${seatId}`),
      summary: () => reply<SeatSummary>('GET', `${prefix}/seats/summary`),
      /** Every seat's state as runs of seat indexes (`GET …/seats/states`). */
      states: () => reply<SeatStateRuns>('GET', `${prefix}/seats/states`),
      lock: (seatId: string, userId: string) => act<LockResponse>('lock', seatId, userId),
      confirm: (seatId: string, userId: string, lockId?: string) =>
        act<SeatResponse>('confirm', seatId, userId, lockId),
      release: (seatId: string, userId: string, lockId?: string) =>
        act<SeatResponse>('release', seatId, userId, lockId),
    };
  };

  return {
    baseUrl,
    /** Any request, as raw as a test needs (hostile bodies, odd methods, own headers). */
    send,
    /** Any request whose 2xx body is `T`. */
    reply,
    ...seatsAt(''),
    /** `POST /holds` with named seats, as `userId`. */
    hold: (userId: string, seats: string[], { prefix = '', headers }: HoldOptions = {}) =>
      reply<HoldEnvelope>('POST', `${prefix}/holds`, { body: { userId, seats }, headers }),
    /** `POST /holds` for best available: `count` adjacent seats, optionally in a category or section. */
    holdBest: (
      userId: string,
      query: { count: number; category?: string; section?: string },
      { prefix = '', headers }: HoldOptions = {},
    ) => reply<HoldEnvelope>('POST', `${prefix}/holds`, { body: { userId, ...query }, headers }),
    getHold: (holdId: string, userId: string, { prefix = '' }: HoldOptions = {}) =>
      reply<HoldEnvelope>('GET', `${prefix}/holds/${holdId}?userId=${encodeURIComponent(userId)}`, {
        actingFor: userId,
      }),
    addHoldSeats: (
      holdId: string,
      userId: string,
      seats: string[],
      { prefix = '' }: HoldOptions = {},
    ) =>
      reply<HoldEnvelope>('POST', `${prefix}/holds/${holdId}/seats`, { body: { userId, seats } }),
    removeHoldSeat: (
      holdId: string,
      seatId: string,
      userId: string,
      { prefix = '' }: HoldOptions = {},
    ) =>
      reply<HoldEnvelope>(
        'DELETE',
        `${prefix}/holds/${holdId}/seats/${seatId}?userId=${encodeURIComponent(userId)}`,
        { actingFor: userId },
      ),
    extendHold: (holdId: string, userId: string, { prefix = '' }: HoldOptions = {}) =>
      reply<HoldEnvelope>('POST', `${prefix}/holds/${holdId}/extend`, { body: { userId } }),
    confirmHold: (holdId: string, userId: string, { prefix = '', headers }: HoldOptions = {}) =>
      reply<BookingEnvelope>('POST', `${prefix}/holds/${holdId}/confirm`, {
        body: { userId },
        headers,
      }),
    releaseHold: (holdId: string, userId: string, { prefix = '' }: HoldOptions = {}) =>
      reply<HoldEnvelope>(
        'DELETE',
        `${prefix}/holds/${holdId}?userId=${encodeURIComponent(userId)}`,
        {
          actingFor: userId,
        },
      ),
    /** `GET /healthz`. */
    health: () => reply<z.infer<typeof healthSchema>>('GET', '/healthz'),
    /** `GET /readyz`: 200 or 503, each with a readiness body (the documented schema's). */
    readiness: async (): Promise<Received & { body: Readiness }> => {
      const received = await send('GET', '/readyz');
      return { ...received, body: received.body as Readiness };
    },
    /** The seat routes of event `eventId` (`/events/:eventId/seats/...`). */
    event: (eventId: string) => seatsAt(`/events/${eventId}`),
    /** `POST /events`; `headers` carry the backend's API key. */
    createEvent: (body: unknown, headers: Record<string, string> = {}) =>
      reply<EventEnvelope>('POST', '/events', { body, headers }),
    getEvent: (eventId: string) => reply<EventDetailsEnvelope>('GET', `/events/${eventId}`),
    listEvents: (params: EventListParams = {}) =>
      reply<EventList>('GET', `/events${queryString(params)}`),
    /** `POST /events/:eventId/{open,close,cancel}`; `headers` carry the backend's API key. */
    eventAction: (
      eventId: string,
      action: 'open' | 'close' | 'cancel',
      headers: Record<string, string> = {},
    ) => reply<EventEnvelope>('POST', `/events/${eventId}/${action}`, { headers }),
    /** Ends the client's idle keep-alive connections. */
    close: () => {
      if (agent) agent.destroy();
    },
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

/** The answer's body; fails the test with the problem when the request was refused. */
export function ok<T>(reply: Reply<T>): T {
  if (!reply.ok) {
    throw new Error(`expected a 2xx answer, got ${reply.status}: ${reply.text}`);
  }
  return reply.body;
}

/** The problem `code` of a refusal, `undefined` for an answer or a body that is no problem. */
export function codeOf(reply: Received): string | undefined {
  if (reply.status >= 200 && reply.status < 300) return undefined;
  const code = isObject(reply.body) ? reply.body.code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The problem of a refusal; fails the test unless it is an RFC 9457 problem with this status and
 * code, a `detail` sentence without a stack trace, and (when given) `mentions` in its detail.
 */
export function expectProblem(
  reply: Reply<unknown> | Received,
  status: number,
  code: string,
  mentions?: string,
): Problem {
  const body = reply.body as Partial<Problem> | undefined;
  expect(reply.status, reply.text).to.equal(status);
  expect(reply.headers.get('content-type')).to.match(/^application\/problem\+json/);
  expect(body).to.include({ status, code });
  expect(body?.type).to.be.a('string');
  expect(body?.title).to.be.a('string');
  expect(body?.detail)
    .to.be.a('string')
    .and.not.match(/at .*\.ts:\d+/);
  if (mentions !== undefined) expect(body?.detail).to.include(mentions);
  return body as Problem;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The `userId` a request body names (a raw JSON body too), so its credentials act for that user. */
export function userIdOf(body: unknown): string | undefined {
  const userId = isObject(body) ? body.userId : undefined;
  return typeof userId === 'string' ? userId : undefined;
}

function asReply<T>(received: Received): Reply<T> {
  if (received.status >= 200 && received.status < 300) {
    return { ...received, ok: true, body: received.body as T };
  }
  return { ...received, ok: false, body: received.body as Problem };
}

function noAnswer(code: string): Refusal {
  const detail = `No answer: the connection failed (${code}).`;
  return {
    ok: false,
    status: 0,
    headers: new Headers(),
    text: '',
    body: { type: '/problems/no-answer', title: 'No answer', status: 0, detail, code: 'NO_ANSWER' },
  };
}

function queryString(params: ListParams | EventListParams): string {
  const entries = Object.entries(params).filter(([, value]) => value !== undefined);
  return entries.length === 0
    ? ''
    : '?' + String(new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])));
}

/** One HTTP exchange with node:http (not fetch), so a test may choose a fresh connection. */
function exchange(
  url: string,
  method: string,
  headers: Record<string, string>,
  payload: string | undefined,
  agent: http.Agent | false,
): Promise<Received> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('error', reject);
      res.on('end', () => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) responseHeaders.set(name, String(value));
        }
        resolve({
          status: res.statusCode ?? 0,
          headers: responseHeaders,
          text,
          body: parseJson(text),
        });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `headers` with every name in lower case. */
function lowerCased(headers: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
}
