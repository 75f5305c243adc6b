import type { IncomingMessage, ServerResponse } from 'node:http';
import etag from 'etag';
import type { Request, Response } from 'express';
import fresh from 'fresh';

type JsonType = 'application/json' | 'application/problem+json';

/**
 * Sends `body` as JSON with `Content-Type: <type>; charset=utf-8`: the same status, headers
 * (Content-Length) and bytes as Express's `res.json` and `res.send`, which it calls for GET and
 * HEAD (conditional requests, bodiless answers, the app's ETag) and anything unusual. For the
 * writes (lock, confirm, release, their 409s) it skips what `res.send` recomputes on every call:
 * the MIME lookups and the content-type parsing behind `res.type`, `res.set` and setting the
 * charset, and the ETag (a SHA-1 of the body): no client can make a request conditional on the
 * answer to a POST, so nothing would ever compare it. A response whose `send` is wrapped
 * (`Idempotency-Key` remembers answers) goes through it. A request of the lean lane (`LeanLane`,
 * outside Express: the app's default settings) is always answered here, a GET with its ETag.
 *
 * @example
 * ```ts
 * sendJson(req, res, { seat }, 'application/json');
 * ```
 */
export function sendJson(req: Request, res: Response, body: unknown, type: JsonType): void {
  // The lean lane's requests have no `app` (and their responses no `res.json`).
  const settings = req.app?.settings as Record<string, unknown> | undefined;
  if (settings === undefined) {
    if (req.method === 'GET') return sendFreshJson(req, res, JSON.stringify(body), type);
    return writeJson(res, JSON.stringify(body), type);
  }
  if (
    req.method === 'GET' ||
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
    Object.hasOwn(res, 'json')
  ) {
    if (type === 'application/json') res.json(body);
    else res.type(type).send(JSON.stringify(body));
    return;
  }
  writeJson(res, JSON.stringify(body), type);
}

function writeJson(res: ServerResponse, text: string, type: JsonType): void {
  res.setHeader('Content-Type', `${type}; charset=utf-8`);
  res.setHeader('Content-Length', String(Buffer.byteLength(text, 'utf8')));
  // A string, not a Buffer: Node then sends the head and the body in one write, not a writev.
  res.end(text, 'utf8');
}

/**
 * A GET's JSON as Express's `res.send` answers it with the app's default settings: the weak ETag
 * of the body (`etag`, as Express's default `etag fn`), and 304 without a body when the request's
 * `If-None-Match` (or `If-Modified-Since`) says the client has it (`fresh`, as `req.fresh`).
 */
function sendFreshJson(req: IncomingMessage, res: ServerResponse, text: string, type: JsonType) {
  const chunk = Buffer.from(text, 'utf8');
  res.setHeader('Content-Type', `${type}; charset=utf-8`);
  res.setHeader('Content-Length', String(chunk.length));
  const tag = etag(chunk, { weak: true });
  res.setHeader('ETag', tag);
  const status = res.statusCode;
  const lastModified = res.getHeader('Last-Modified');
  if (
    ((status >= 200 && status < 300) || status === 304) &&
    fresh(req.headers, {
      etag: tag,
      'last-modified': typeof lastModified === 'string' ? lastModified : undefined,
    })
  ) {
    res.statusCode = 304;
    res.removeHeader('Content-Type');
    res.removeHeader('Content-Length');
    res.removeHeader('Transfer-Encoding');
    res.end();
    return;
  }
  res.end(chunk);
}
