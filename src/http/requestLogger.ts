import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler, Response } from 'express';
import { nanoid } from 'nanoid';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

/** A request id a client may choose: short, and nothing that could forge a log line. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** What a handler learned about a request, for its log line (never a body, never a lockId). */
export interface RequestNotes {
  seatId?: string;
  userId?: string;
  /** `OK`, or the problem's code (`SEAT_LOCKED`, `RATE_LIMITED`…). */
  code?: string;
}

/**
 * Records facts about the request for its log line.
 *
 * @example
 * ```ts
 * note(res, { seatId: req.params.id, userId });
 * ```
 */
export function note(res: Response, facts: RequestNotes): void {
  Object.assign(notesOf(res), facts);
}

function notesOf(res: ServerResponse): RequestNotes {
  const locals = (res as Response).locals as { notes?: RequestNotes };
  return (locals.notes ??= {});
}

/**
 * One JSON log line per request (pino-http): request id (the client's `X-Request-Id` when sane,
 * else a fresh one, always echoed back), method, route, status, time, seat id, user id and outcome
 * code. Bodies, headers and lock ids are never logged.
 *
 * @example
 * ```ts
 * app.use(requestLogger(createLogger('info')));
 * ```
 */
export function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : nanoid();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      // The path only: a query string is the client's and may carry anything.
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?')[0].slice(0, 200),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customProps(_req, res) {
      const { seatId, userId, code } = notesOf(res);
      if (res.writableFinished || res.headersSent) {
        return { seatId, userId, outcome: code ?? (res.statusCode < 400 ? 'OK' : undefined) };
      }
      return {};
    },
    customLogLevel(_req, res, err) {
      if (err || res.statusCode >= 500) return 'error';
      return res.statusCode >= 400 ? 'warn' : 'info';
    },
  }) as unknown as RequestHandler;
}
