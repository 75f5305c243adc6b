import { Router } from 'express';
import { apiRoutes } from './apiRoutes';
import { docsPage } from './docsPage';
import { openApiDocument } from './openApiDocument';

/**
 * `/openapi.json` and `/docs`, both generated once from the route table.
 *
 * @example
 * ```ts
 * app.use(docsRoutes());
 * ```
 */
export function docsRoutes(): Router {
  const document = openApiDocument(apiRoutes);
  const page = docsPage(document);
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(page);
  });
  return router;
}
