import type { z } from 'zod';
import { securityDocs, type RouteSecurity } from './routeSecurity';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export type ContentType =
  | 'application/json'
  | 'application/problem+json'
  | 'text/plain'
  | 'text/html'
  | 'text/event-stream';

/** A response header worth telling clients about. */
export interface ResponseHeader {
  description: string;
  type: 'integer' | 'string';
}

export interface ApiResponse {
  description: string;
  contentType: ContentType;
  schema: z.ZodType;
  /** Response headers by name. */
  headers?: Record<string, ResponseHeader>;
}

/** Every status a route may answer with, and what it then sends. */
export type ApiResponses = Record<number, ApiResponse>;

/**
 * One route, declared once: its method and path, who may call it, the zod schemas of its path
 * parameters, query and body, and every response it may give. {@link ApiRouter} registers it
 * (validating requests with these schemas and typing the handler from them) and the OpenAPI
 * document is generated from the same object, so validation, handler and documentation cannot
 * disagree.
 */
export interface RouteDeclaration {
  method: HttpMethod;
  /** Express-style path (`/seats/:id`); every `:name` must be a key of `params`. */
  path: string;
  summary: string;
  /** Longer text for the documentation (Markdown). */
  description?: string;
  /** Groups in the documentation (`seats`, `operations`…). */
  tags?: string[];
  /**
   * Who may call it: `public`, or a level whose authentication middleware {@link ApiRouter} runs
   * first; the level's 401/403 problems are added to `responses` (see `routeSecurity.ts`).
   */
  security: RouteSecurity;
  params?: z.ZodObject;
  /** Query parameters, as the route validates them; undeclared parameters are ignored. */
  query?: z.ZodObject;
  /** The JSON body. */
  body?: z.ZodType;
  /**
   * Parses the body instead of `body.parse` when a route words its 400s itself (it must return
   * what `body` outputs and throw `HttpError`s); `body` still documents it.
   */
  parseBody?: (input: unknown) => unknown;
  responses: ApiResponses;
}

/** The names of an Express path's parameters: `'/events/:eventId/seats/:id'` → `'eventId' | 'id'`. */
export type PathParams<Path extends string> = Path extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParams<`/${Rest}`>
  : Path extends `${string}:${infer Name}`
    ? Name
    : never;

/** What a path with parameters requires of its declaration: a `params` schema with those keys. */
type ParamsFor<Path extends string> = [PathParams<Path>] extends [never]
  ? unknown
  : { params: { shape: Record<PathParams<Path>, z.ZodType> } };

/**
 * Declares a route (in the spirit of `@hono/zod-openapi`'s `createRoute`): checks that its path
 * parameters and `params` schema agree, and adds the problems its security level may answer with.
 *
 * @example
 * ```ts
 * export const getSeat = defineRoute({
 *   method: 'get',
 *   path: '/seats/:id',
 *   summary: 'One seat.',
 *   security: 'public',
 *   params: seatParamsSchema,
 *   responses: { 200: json('The seat.', seatResponseSchema), ...NO_SEAT },
 * });
 * ```
 */
export function defineRoute<const D extends RouteDeclaration>(
  declaration: D & ParamsFor<D['path']>,
): D {
  const named = [...declaration.path.matchAll(/:(\w+)/g)].map((m) => m[1]).sort();
  const declared = Object.keys(declaration.params?.shape ?? {}).sort();
  if (named.join() !== declared.join()) {
    throw new Error(
      `${declaration.method.toUpperCase()} ${declaration.path}: path parameters [${named.join()}] and params schema keys [${declared.join()}] differ.`,
    );
  }
  return {
    ...declaration,
    // The level's problems, unless the route words one of those statuses itself.
    responses: { ...securityDocs[declaration.security].responses, ...declaration.responses },
  };
}
