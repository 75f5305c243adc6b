import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';

/** The content types read here; any other (another charset included) goes to `express.json`. */
const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8']);
/** The JSON text a strict parser accepts starts with an object or an array. */
const FIRST_CHARACTER = /^[ \t\n\r]*(.|$)/s;

/** An error of the kind body-parser passes on: a `status` and a `type` the error handler reads. */
function bodyError(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { status, statusCode: status, expose: true, type });
}

/**
 * `express.json({ limit })` with a lean path for what nearly every request sends: a body of
 * `Content-Type: application/json` (optionally `; charset=utf-8`), not compressed, of a declared
 * `Content-Length` within the limit. That is read, decoded (a byte order mark dropped) and parsed
 * here, with the same results and the same errors as body-parser's strict JSON parser: an empty
 * body is `{}`, anything but an object or array at the top is 400 `entity.parse.failed`, invalid
 * JSON the same, a body shorter than declared 400 `request.size.invalid`, a request aborted 400
 * `request.aborted`. Every other request (another charset, compressed, chunked, too large, no
 * body, a body already read) is handed to `express.json` itself, so its 413s and 415s are its own.
 *
 * Why: body-parser checks the type with type-is, parses the charset, reads through raw-body and
 * decodes through iconv-lite for every request: about 5 % of a lock's CPU time, twice what this
 * path costs.
 *
 * @example
 * ```ts
 * app.use(jsonBody(16 * 1024));
 * ```
 */
export function jsonBody(limit: number): RequestHandler {
  const general = express.json({ limit });
  return (req, res, next) => {
    if (!readsJsonItself(req, limit)) return general(req, res, next);
    const size = Number(req.headers['content-length']);
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      if (err) return next(err);
      if (received !== size) {
        return next(
          bodyError(400, 'request.size.invalid', 'request size did not match content length'),
        );
      }
      const text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received)).toString();
      try {
        req.body = parseStrict(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      } catch (parseError) {
        return next(bodyError(400, 'entity.parse.failed', (parseError as Error).message));
      }
      next();
    };
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    req.on('end', () => settle());
    // `close` follows `end` on every request: the error (its stack) is made only when it counts.
    req.on('error', (err) => settled || settle(bodyError(400, 'request.aborted', err.message)));
    req.on('close', () => settled || settle(bodyError(400, 'request.aborted', 'request aborted')));
  };
}

/**
 * Whether {@link jsonBody} reads this request's body itself: `application/json` (or `; charset=utf-8`),
 * not compressed nor chunked, of a declared length within `limit`, not read yet. Every other request
 * goes to `express.json`.
 *
 * @example
 * ```ts
 * readsJsonItself(req, 16 * 1024); // false for Content-Type: application/json; charset=latin1
 * ```
 */
export function readsJsonItself(req: IncomingMessage & { body?: unknown }, limit: number): boolean {
  const { headers } = req;
  const declared = headers['content-length'];
  return (
    req.body === undefined &&
    declared !== undefined &&
    headers['transfer-encoding'] === undefined &&
    headers['content-encoding'] === undefined &&
    JSON_TYPES.has(headers['content-type']?.toLowerCase() ?? '') &&
    Number(declared) <= limit &&
    !req.readableEnded
  );
}

/** body-parser's strict JSON: `{}` for an empty body, else an object or an array only. */
function parseStrict(text: string): unknown {
  if (text.length === 0) return {};
  const first = text[0] === '{' || text[0] === '[' ? text[0] : FIRST_CHARACTER.exec(text)![1];
  if (first !== '{' && first !== '[') {
    throw new SyntaxError(`Unexpected token '${first}': the body must be a JSON object or array`);
  }
  return JSON.parse(text);
}
