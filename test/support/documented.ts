import { expect } from 'chai';
import type { RouteDeclaration } from '../../src/http/defineRoute';
import type { Received } from './api';

export type { Received };

/** The documented route `method path` matches, by the route's Express pattern. */
export function routeFor(
  routes: readonly RouteDeclaration[],
  method: string,
  path: string,
): RouteDeclaration | undefined {
  const pathname = path.split('?')[0];
  return routes.find(
    (route) =>
      route.method === method.toLowerCase() &&
      new RegExp('^' + route.path.replace(/:\w+/g, '[^/]+') + '$').test(pathname),
  );
}

/** Every (route, status) a test has received and checked, for the coverage assertion. */
export const checked = new Set<string>();

/**
 * Asserts that `received` is what the API documents for `method path`: the status is listed,
 * the content type is the documented one, and the body parses with the documented zod schema.
 * Unknown paths must be the 404 `NOT_FOUND` problem.
 *
 * @example
 * ```ts
 * expectDocumented(app.routes, 'POST', '/seats/A1/lock', await call(...));
 * ```
 */
export function expectDocumented(
  routes: readonly RouteDeclaration[],
  method: string,
  path: string,
  received: Received,
): void {
  const route = routeFor(routes, method, path);
  const contentType = received.headers.get('content-type') ?? '';
  if (!route) {
    expect(received.status, `${method} ${path} is not a route`).to.equal(404);
    expect(contentType).to.match(/^application\/problem\+json/);
    expect((received.body as { code?: unknown } | undefined)?.code).to.equal('NOT_FOUND');
    return;
  }
  const documented = route.responses[received.status];
  expect(documented, `${method} ${route.path} does not document status ${received.status}`).to
    .exist;
  expect(contentType.startsWith(documented.contentType), `content type ${contentType}`).to.equal(
    true,
  );
  const value = documented.contentType.endsWith('json') ? received.body : received.text;
  const result = documented.schema.safeParse(value);
  expect(result.success, `${method} ${path} ${received.status}: ${result.error?.message}`).to.equal(
    true,
  );
  for (const header of Object.keys(documented.headers ?? {})) {
    expect(received.headers.get(header), `${header} header`).to.be.a('string');
  }
  checked.add(`${route.method} ${route.path} ${received.status}`);
}
