import type { Request, Response } from 'express';

/**
 * Sends `body` as JSON with `Content-Type: <type>; charset=utf-8`: the same status, headers
 * (Content-Length) and bytes as Express's `res.json` and `res.send`, which it calls for GET and
 * HEAD (conditional requests, bodiless answers, the app's ETag) and anything unusual. For the
 * writes (lock, confirm, release, their 409s) it skips what `res.send` recomputes on every call:
 * the MIME lookups and the content-type parsing behind `res.type`, `res.set` and setting the
 * charset, and the ETag (a SHA-1 of the body): no client can make a request conditional on the
 * answer to a POST, so nothing would ever compare it. A response whose `send` is wrapped
 * (`Idempotency-Key` remembers answers) goes through it. A request of the lean lane (`LeanLane`:
 * a POST, outside Express) is always written here.
 *
 * @example
 * ```ts
 * sendJson(req, res, { seat }, 'application/json');
 * ```
 */
export function sendJson(
  req: Request,
  res: Response,
  body: unknown,
  type: 'application/json' | 'application/problem+json',
): void {
  // The lean lane's requests have no `app` (and their responses no `res.json`): never unusual.
  const settings = req.app?.settings as Record<string, unknown> | undefined;
  if (
    settings !== undefined &&
    (req.method === 'GET' ||
      req.method === 'HEAD' ||
      settings['json replacer'] !== undefined ||
      settings['json spaces'] !== undefined ||
      settings['json escape'] ||
      res.getHeader('Content-Type') !== undefined ||
      res.statusCode === 204 ||
      res.statusCode === 205 ||
      res.statusCode === 304 ||
      res.getHeader('ETag') !== undefined ||
      res.getHeader('Transfer-Encoding') !== undefined ||
      // Someone wraps this response's send (Idempotency-Key remembers what it sends): use it.
      Object.hasOwn(res, 'send') ||
      Object.hasOwn(res, 'json'))
  ) {
    if (type === 'application/json') res.json(body);
    else res.type(type).send(JSON.stringify(body));
    return;
  }
  const text = JSON.stringify(body);
  res.setHeader('Content-Type', `${type}; charset=utf-8`);
  res.setHeader('Content-Length', String(Buffer.byteLength(text, 'utf8')));
  // A string, not a Buffer: Node then sends the head and the body in one write, not a writev.
  res.end(text, 'utf8');
}
