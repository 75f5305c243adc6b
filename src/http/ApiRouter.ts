import {
  Router,
  type ErrorRequestHandler,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { z } from 'zod';
import type { Backend, Caller } from '../auth/Caller';
import type { RouteDeclaration } from './defineRoute';
import type { LeanLane } from './LeanLane';
import type { RouteSecurity } from './routeSecurity';
import { parse } from './schemas';
import { sendJson } from './sendJson';

type Parsed<D, Part extends 'params' | 'query' | 'body'> = D extends {
  [K in Part]: infer S extends z.ZodType;
}
  ? z.output<S>
  : undefined;

/** What a handler gets: the request's parts, parsed by the declaration's schemas. */
export interface RouteInput<D extends RouteDeclaration> {
  params: Parsed<D, 'params'>;
  query: Parsed<D, 'query'>;
  body: Parsed<D, 'body'>;
  /** Who is asking, as the security level's middleware established it; none on public routes. */
  caller: D['security'] extends 'caller'
    ? Caller
    : D['security'] extends 'backend'
      ? Backend
      : undefined;
}

/** The JSON body of the route's 200 response, as its schema accepts it. */
export type SuccessBody<D extends RouteDeclaration> = D['responses'] extends {
  200: { contentType: 'application/json'; schema: infer S extends z.ZodType };
}
  ? z.input<S>
  : never;

/**
 * Handles a validated request. What it returns is sent as JSON with the status already set (200
 * unless the handler set another); a handler that writes the response itself (a stream, HTML,
 * text) returns nothing. Refusals are thrown as `HttpError`s for the error handler.
 */
export type RouteHandler<D extends RouteDeclaration> = (
  input: RouteInput<D>,
  res: Response,
  req: Request,
) => SuccessBody<D> | void | Promise<SuccessBody<D> | void>;

/** The authentication middleware of each non-public security level. */
export type Authenticators = Partial<Record<Exclude<RouteSecurity, 'public'>, RequestHandler>>;

/**
 * The one way a route joins the app: from its {@link RouteDeclaration}. It runs the security
 * level's authentication, then the route's own middleware (`before`, e.g. a rate limit), then
 * validates params, query and body with the declared schemas (400 `INVALID_REQUEST` problems),
 * then calls the typed handler. `routes` lists every declaration registered, in order: the
 * OpenAPI document is generated from it, so a route cannot be served undocumented.
 *
 * @example
 * ```ts
 * const api = new ApiRouter({ caller: authenticate });
 * api.route(getSeat, async ({ params }) => ({ seat: await service.get(params.id) }));
 * app.use(api.router);
 * ```
 */
export class ApiRouter {
  private readonly declared: RouteDeclaration[] = [];

  constructor(
    private readonly authenticators: Authenticators = {},
    /**
     * Answers what a handler throws, right where it was thrown (the app's error handler). Without
     * it the error is passed on with `next`, which makes Express match it against every route
     * registered after this one before the app's error handler gets it: on a hot on-sale, where
     * most answers are 409s, that walk was most of the cost of a refusal.
     */
    private readonly answerError?: ErrorRequestHandler,
    /**
     * Where the routes are registered: a router of their own by default (mount it with
     * `app.use(api.router)`), or the app's own (`app.router`), which spares every request a
     * nested router's dispatch; the routes then sit where they are declared among the app's.
     */
    readonly router: Router = Router(),
    /**
     * Where routes registered with `lean: true` are also served, outside Express (see
     * {@link LeanLane}); none by default.
     */
    private readonly lane?: LeanLane,
  ) {}

  /** Every route registered so far, in registration (= matching) order. */
  get routes(): readonly RouteDeclaration[] {
    return this.declared;
  }

  /**
   * Runs `hook` with the value of path parameter `name` before the handlers of every route that
   * has one (Express's `router.param`), on the lean lane too.
   */
  param(
    name: string,
    hook: (req: Request, res: Response, next: (err?: unknown) => void, value: string) => void,
  ): this {
    this.router.param(name, hook);
    this.lane?.param(name, hook);
    return this;
  }

  route<const D extends RouteDeclaration>(
    declaration: D,
    handler: RouteHandler<D>,
    {
      before = [],
      lean = false,
    }: {
      before?: RequestHandler[];
      /**
       * Also serve it on the lean lane (the hottest routes: seat reads and actions). Only for a
       * route whose middleware and handler use nothing of Express's request and response beyond
       * what the lane gives (see {@link LeanLane}).
       */
      lean?: boolean;
    } = {},
  ): this {
    const chain: RequestHandler[] = [];
    if (declaration.security !== 'public') {
      const authenticate = this.authenticators[declaration.security];
      if (!authenticate) {
        throw new Error(
          `${declaration.method.toUpperCase()} ${declaration.path} needs security '${declaration.security}', and no middleware was given for it.`,
        );
      }
      chain.push(authenticate);
    }
    const answerError = this.answerError;
    const handlers: RequestHandler[] = [
      ...chain,
      ...before,
      async (req, res, next) => {
        let body: SuccessBody<D> | void;
        try {
          body = await handler(this.inputOf(declaration, req, res), res, req);
        } catch (err) {
          if (!answerError) throw err;
          return answerError(err, req, res, next);
        }
        if (body !== undefined) sendJson(req, res, body, 'application/json');
      },
    ];
    this.router[declaration.method](declaration.path, ...handlers);
    // Every route, in order: the lane must know the routes Express serves before a lean one.
    this.lane?.add(declaration.method, declaration.path, lean ? handlers : undefined);
    this.declared.push(declaration);
    return this;
  }

  /** The request's parts, parsed by the declaration's schemas (400 problems when they do not fit). */
  private inputOf<const D extends RouteDeclaration>(
    declaration: D,
    req: Request,
    res: Response,
  ): RouteInput<D> {
    return {
      params: declaration.params && parse(declaration.params, req.params),
      query: declaration.query && parse(declaration.query, req.query),
      body: declaration.parseBody
        ? declaration.parseBody(req.body)
        : declaration.body && parse(declaration.body, req.body),
      caller:
        declaration.security === 'backend'
          ? (res.locals as { backend?: Backend }).backend
          : (res.locals as { caller?: Caller }).caller,
    } as RouteInput<D>;
  }
}
