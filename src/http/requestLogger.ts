import type { ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { nanoid } from 'nanoid';
import type { Logger } from 'pino';

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

type Level = 'error' | 'warn' | 'info';

/**
 * One JSON log line per request, written with pino when the response is finished: request id (the
 * client's `X-Request-Id` when sane, else a fresh one, always echoed back), method, path, status,
 * time, seat id, user id and outcome code; 30 (info) for success, 40 (warn) for 4xx, 50 (error) for
 * 5xx or an aborted response. Bodies, headers, query strings and lock ids are never logged.
 *
 * Written here rather than with pino-http: pino-http builds a child logger and serializes the
 * request for every request, even when its line is below `LOG_LEVEL` and never written; that was
 * the largest single cost of a request (about a sixth of its CPU time). This does that work only
 * for a line that is written.
 *
 * @example
 * ```ts
 * app.use(requestLogger(createLogger('info')));
 * ```
 */
export function requestLogger(
  logger: Logger,
  /**
   * Also called when each response has finished (not for an aborted one), with its time in
   * seconds: the metrics' hook, so a request pays for one `finish` listener, not one per observer.
   */
  onFinished?: (req: Request, res: Response, seconds: number) => void,
): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : nanoid();
    res.setHeader('X-Request-Id', id);
    const started = performance.now();
    const done = (aborted: boolean) => {
      const status = res.statusCode;
      const level: Level = aborted || status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const { seatId, userId, code } = notesOf(res);
      const path = (req.originalUrl ?? req.url).split('?')[0].slice(0, 200);
      logger[level](
        {
          req: { id, method: req.method, path },
          seatId,
          userId,
          outcome: code ?? (status < 400 && !aborted ? 'OK' : undefined),
          res: { statusCode: status },
          responseTime: Math.round(performance.now() - started),
        },
        aborted ? 'request aborted' : 'request completed',
      );
    };
    // `on`, not `once`: each fires once per response, and `once` wraps every listener.
    res.on('finish', () => {
      onFinished?.(req, res, (performance.now() - started) / 1000);
      done(false);
    });
    res.on('close', () => {
      if (!res.writableFinished) done(true);
    });
    next();
  };
}
