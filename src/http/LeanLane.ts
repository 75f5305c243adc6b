import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';

/** A route the lane serves: its method, its path's segments, and the middleware chain Express would run. */
interface LeanRoute {
  method: string;
  /** `['', 'seats', ':id', 'lock']` for `/seats/:id/lock`. */
  segments: string[];
  /**
   * The route's handlers, as registered with Express (authentication, `before`, the handler);
   * `undefined` for a route only Express serves (the lane must still know it: a request it matches
   * first is Express's).
   */
  handlers: RequestHandler[] | undefined;
  /** What `req.route` is for the metrics' `route` label (`{ path: '/seats/:id/lock' }`). */
  route: { path: string };
  /** The whole chain, built at the first request (parameter hooks may be added after the route). */
  chain?: RequestHandler[];
}

/** A parameter hook, as `router.param(name, hook)` takes it. */
type ParamHook = (
  req: Request,
  res: Response,
  next: (err?: unknown) => void,
  value: string,
) => void;

export interface LeanLaneOptions {
  /** The app's middleware every request meets before its route, in the app's order. */
  front: RequestHandler[];
  /**
   * The JSON body middleware and the test of whether it reads a request's body itself: a request
   * it would hand to `express.json` (another charset, chunked, compressed…) is left to Express.
   */
  body: { middleware: RequestHandler; readsItself: (req: IncomingMessage) => boolean };
  /** The app's error handler: what any middleware or handler of the chain passes on or throws. */
  answerError: ErrorRequestHandler;
  /**
   * `req.query` of a GET from its query string, as Express's `query parser fn` makes it. Read at
   * each request (as the settings below): a setting changed later applies to both paths.
   */
  parseQuery: (query: string) => unknown;
  /** `req.ip`, as Express's getter finds it (`proxy-addr` with the app's `trust proxy fn`). */
  clientAddress: (req: IncomingMessage) => string | undefined;
  /** What Express runs when no route answered: the app's 404. */
  notFound: RequestHandler;
  /** What Express's final handler does with an error nothing could answer (it logs it). */
  logUnanswered: (err: unknown) => void;
}

/**
 * Characters after which Express reads the URL with Node's `url.parse` (`parseurl`'s fallback: a
 * fragment, a backslash, white space), and the percent-encoding it decodes: left to Express.
 */
const UNUSUAL_URL = /[#\\\s\u00a0\ufeff]/;

/**
 * The hottest API routes (a seat, a page of seats, lock, confirm, release) served without Express's
 * per-request set-up, with the very middleware and handlers Express runs for them, in the same
 * order; a GET's answer carries the ETag Express would give it, and is a 304 when Express's would be
 * (`sendJson`).
 *
 * Why: Express gives every request its own prototypes (`Object.setPrototypeOf` on the request and
 * the response, for `res.json`, `req.ip`…). V8 then treats both objects as new shapes, and every
 * property read of Node's own HTTP code on them turns slow. `npm run bench:floor` (the same lock
 * handler, 50 connections): 41 µs of CPU a request on Node's bare server, 108 µs with the two
 * `setPrototypeOf` calls alone, 189 µs inside Express; a lock of the service cost 211 µs. This lane
 * leaves the prototypes alone and gives the middleware only what it reads: `req.params`, `req.ip`
 * (Express's `trust proxy` rules, via the same `proxy-addr`), `req.query` (Express's parser),
 * `req.route` and `req.baseUrl` (the metrics' label), `req.path` (the 404's), `res.locals`. The
 * middleware it runs uses Node's own response methods (`setHeader`, `appendHeader`, `statusCode`),
 * which work on either.
 *
 * Every API route is added in Express's order, lean or not, and matched as Express matches
 * (letter case aside), so a request goes to the route Express would pick (`/seats/summary` and
 * `/seats/SUMMARY` are Express's, not seat `summary`). Anything the lane is not sure to serve
 * exactly as Express would goes to Express untouched: another method (HEAD included), a path that
 * is not literally the declared one (a trailing slash, other letter case, percent-encoding), a URL
 * Express would read with `url.parse` (a `#`, a backslash, white space), a POST's query string, a
 * GET with a body, a POST body `jsonBody` would not read itself. Express's settings (query parser,
 * `trust proxy`, `env`) are read at each request; `sendJson` answers with Express's default ETag
 * and JSON settings, which the app never changes. A test sends
 * the same requests to an app with and without the lane and compares every answer, log line and
 * metric (`leanLane.test.ts`).
 *
 * @example
 * ```ts
 * const lane = new LeanLane({ front, body, answerError, trust: app.get('trust proxy fn'), trustsProxy: false });
 * lane.add('post', '/seats/:id/lock', [authenticate, handler]);
 * const handle = app.handle.bind(app);
 * app.handle = (req, res, done) => lane.handle(req, res) || handle(req, res, done);
 * ```
 */
export class LeanLane {
  private readonly routes: LeanRoute[] = [];
  private readonly params = new Map<string, ParamHook>();

  constructor(private readonly options: LeanLaneOptions) {}

  /**
   * Serves `method path` with `handlers` (after the app's front middleware and the body's), or,
   * without them, records that Express serves it. Every API route is added, in Express's order:
   * a request goes to the first route that matches it, as in Express.
   */
  add(method: string, path: string, handlers?: RequestHandler[]): void {
    this.routes.push({
      method: method.toUpperCase(),
      segments: path.split('/'),
      handlers,
      route: { path },
    });
  }

  /** A hook for every route with parameter `:name`, as `router.param(name, hook)` is for Express. */
  param(name: string, hook: ParamHook): void {
    this.params.set(name, hook);
    for (const route of this.routes) route.chain = undefined;
  }

  /**
   * Serves the request if it is one of the lane's routes and returns `true`; else touches nothing
   * and returns `false` (Express serves it).
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url;
    const method = req.method;
    if (url === undefined || (method !== 'POST' && method !== 'GET')) return false;
    if (UNUSUAL_URL.test(url)) return false;
    const mark = url.indexOf('?');
    const path = mark === -1 ? url : url.slice(0, mark);
    // Express decodes parameters, and matches with or without a trailing slash: a path that is
    // not literally a declared one is left to it. A POST's query too.
    if (path.includes('%') || (mark !== -1 && method === 'POST')) return false;
    const segments = path.split('/');
    // The route Express picks: the first whose pattern matches, letter case aside. The lane
    // serves it only if it is one of its own and matches as declared, letter case included.
    let found: LeanRoute | undefined;
    let fitted: Fit | undefined;
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== segments.length) continue;
      fitted = fit(route.segments, segments);
      if (fitted) {
        found = route;
        break;
      }
    }
    const handlers = found?.handlers;
    if (!found || !handlers || !fitted?.exact) return false;
    const { params } = fitted;
    const { headers } = req;
    if (method === 'POST' ? !this.options.body.readsItself(req) : hasBody(headers)) return false;
    const r = req as unknown as Request & { route: unknown; baseUrl: string; ip: string };
    r.params = params;
    if (method === 'GET') {
      const query = mark === -1 ? '' : url.slice(mark + 1);
      r.query = this.options.parseQuery(query) as Request['query'];
      // What body-parser leaves on a request without a body.
      r.body = undefined;
    }
    r.baseUrl = '';
    r.originalUrl = url;
    // Express's getter (the app's 404 names it); the lane has already cut the query off.
    (r as { path: string }).path = path;
    r.ip = this.options.clientAddress(req) as string;
    (res as unknown as Response).locals = Object.create(null) as Response['locals'];
    const chain = (found.chain ??= this.chainOf(found, handlers));
    this.run(r, res as unknown as Response, chain);
    return true;
  }

  private chainOf(route: LeanRoute, handlers: RequestHandler[]): RequestHandler[] {
    const hooks: RequestHandler[] = [];
    for (const segment of route.segments) {
      const hook = segment.startsWith(':') ? this.params.get(segment.slice(1)) : undefined;
      if (hook) {
        const name = segment.slice(1);
        hooks.push((req, res, next) => hook(req, res, next, String(req.params[name])));
      }
    }
    // Express names the route only once the app's middleware has passed the request on: an
    // unreadable body is counted `unmatched` by the metrics, on both paths.
    const enter: RequestHandler = (req, _res, next) => {
      (req as { route?: unknown }).route = route.route;
      next();
    };
    // A GET without a body skips the body parser, as body-parser itself does.
    const body = route.method === 'POST' ? [this.options.body.middleware] : [];
    return [...this.options.front, ...body, enter, ...hooks, ...handlers];
  }

  /**
   * Runs the chain as Express's router does: each layer's throw or rejection goes to `next(err)`,
   * a falsy `err` is no error. Past the route's last handler (or `next('route')`, which the lane's
   * routes never call: there is no later lean route to try) comes what Express would run next for
   * an API path: the app's 404.
   */
  private run(req: Request, res: Response, chain: RequestHandler[]): void {
    let index = 0;
    const next = (err?: unknown): void => {
      if (err === 'route' || err === 'router') index = chain.length;
      else if (err) return this.fail(err, req, res);
      let layer = chain[index++];
      if (layer === undefined) {
        if (index !== chain.length + 1) return; // the 404 has run
        layer = this.options.notFound;
      }
      try {
        const result: unknown = layer(req, res, next);
        if (result instanceof Promise) {
          result.then(undefined, (error: unknown) => next(error ?? new Error('Rejected promise')));
        }
      } catch (error) {
        next(error);
      }
    };
    next();
  }

  /**
   * The app's error handler; past it (it passes on an error that came after the answer started),
   * what Express's final handler does: log it and close the connection.
   */
  private fail(err: unknown, req: Request, res: Response): void {
    const last = () => {
      this.options.logUnanswered(err);
      if (res.headersSent) req.socket.destroy();
      else {
        res.statusCode = 500;
        res.end();
      }
    };
    try {
      this.options.answerError(err, req, res, last);
    } catch {
      last();
    }
  }
}

/** Whether a request has a body, as body-parser tells (`type-is`'s `hasBody`). */
function hasBody(headers: IncomingMessage['headers']): boolean {
  return headers['transfer-encoding'] !== undefined || headers['content-length'] !== undefined;
}

/** How a path fits a route's pattern: its parameters, and whether it is the path as declared. */
interface Fit {
  params: Record<string, string>;
  /** Every literal segment in the declared letter case (Express ignores the case; the lane does not). */
  exact: boolean;
}

/** How `segments` fit the pattern as Express matches it (letter case aside, parameters non-empty). */
function fit(pattern: string[], segments: string[]): Fit | undefined {
  let params: Record<string, string> | undefined;
  let exact = true;
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i];
    const actual = segments[i];
    if (expected.charCodeAt(0) === 58 /* : */) {
      if (actual.length === 0) return undefined;
      (params ??= {})[expected.slice(1)] = actual;
    } else if (expected !== actual) {
      if (expected.toLowerCase() !== actual.toLowerCase()) return undefined;
      exact = false;
    }
  }
  return { params: params ?? {}, exact };
}
