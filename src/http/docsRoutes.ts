import { z } from 'zod';
import type { ApiRouter } from './ApiRouter';
import { defineRoute } from './defineRoute';
import { docsPage } from './docsPage';
import { openApiDocument } from './openApiDocument';
import { json } from './responses';
import { jsonObjectSchema } from './schemas';

export const openApiJson = defineRoute({
  method: 'get',
  path: '/openapi.json',
  summary: 'This API as an OpenAPI 3.1 document.',
  tags: ['documentation'],
  security: 'public',
  responses: { 200: json('The OpenAPI document.', jsonObjectSchema) },
});

export const docsHtml = defineRoute({
  method: 'get',
  path: '/docs',
  summary: 'This API as a readable HTML page.',
  tags: ['documentation'],
  security: 'public',
  responses: { 200: { description: 'The page.', contentType: 'text/html', schema: z.string() } },
});

/**
 * `/openapi.json` and `/docs`, generated once, at the first request, from every route `api` has
 * by then: register them with the others, before the app serves.
 *
 * @example
 * ```ts
 * docsRoutes(api);
 * ```
 */
export function docsRoutes(api: ApiRouter): void {
  let document: ReturnType<typeof openApiDocument> | undefined;
  let page: string | undefined;
  const generated = () => (document ??= openApiDocument(api.routes));
  api.route(openApiJson, (_input, res) => {
    res.json(generated());
  });
  api.route(docsHtml, (_input, res) => {
    res.type('html').send((page ??= docsPage(generated())));
  });
}
