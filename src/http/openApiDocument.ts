import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
} from '@asteasolutions/zod-to-openapi';
import type { RouteDeclaration } from './defineRoute';
import { securityDocs, securitySchemes } from './routeSecurity';

/**
 * An Express path as OpenAPI writes it.
 *
 * @example
 * ```ts
 * openApiPath('/seats/:id/lock'); // '/seats/{id}/lock'
 * ```
 */
export function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}

/**
 * Generates the OpenAPI 3.1 document from the route declarations the app registered: the same zod
 * schemas that validate requests (and, in tests, responses), so the document cannot drift from
 * the code.
 *
 * @example
 * ```ts
 * const doc = openApiDocument(api.routes);
 * doc.paths['/seats/{id}/lock'].post.responses['409'];
 * ```
 */
export function openApiDocument(routes: readonly RouteDeclaration[]) {
  const registry = new OpenAPIRegistry();
  const secured = routes.some((route) => route.security !== 'public');
  if (secured) {
    for (const [name, scheme] of Object.entries(securitySchemes)) {
      registry.registerComponent('securitySchemes', name, scheme);
    }
  }
  for (const route of routes) {
    const responses: Record<string, ResponseConfig> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
        content: { [response.contentType]: { schema: response.schema } },
        ...(response.headers && {
          headers: Object.fromEntries(
            Object.entries(response.headers).map(([name, { description, type }]) => [
              name,
              { description, schema: { type } },
            ]),
          ),
        }),
      };
    }
    const requirement = securityDocs[route.security].requirement;
    registry.registerPath({
      method: route.method,
      path: openApiPath(route.path),
      summary: route.summary,
      description: route.description,
      tags: route.tags,
      ...(requirement.length > 0 && { security: requirement }),
      request: {
        params: route.params,
        query: route.query,
        body: route.body && {
          required: true,
          content: { 'application/json': { schema: route.body } },
        },
      },
      responses,
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Seat booking service',
      version: '0.1.0',
      description:
        'Every seat is a state machine: available → locked → booked. A refused request is a 409 ' +
        'problem (RFC 9457) with a machine-readable `code` and a sentence in `detail`.',
    },
  });
}
