import type { ErrorRequestHandler, RequestHandler } from 'express';
import { StoreUnavailableError } from '../store/StoreUnavailableError';
import { HttpError } from './HttpError';
import { problem, sendProblem, type Problem } from './problem';
import { note } from './requestLogger';

/** Errors thrown by Express's body parser carry a `type` and a 4xx `status`. */
interface BodyParserError {
  type?: string;
  status?: number;
}

/** Turns any error into a problem response; the one place that does. Never sends a stack trace. */
export function errorHandler(log: (err: unknown) => void = defaultLog): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    // Node's own header methods: the lean lane's responses have no Express prototype.
    if (err instanceof HttpError) {
      for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
    }
    if (err instanceof StoreUnavailableError) {
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
    }
    const body = toProblem(err, log);
    note(res, { code: body.code });
    sendProblem(res, body);
  };
}

/** The 404 problem for any route the app does not have. */
export const notFound: RequestHandler = (req, res) => {
  note(res, { code: 'NOT_FOUND' });
  sendProblem(
    res,
    problem(
      404,
      'NOT_FOUND',
      `There is no ${req.method} ${req.path.slice(0, 100)} on this service.`,
    ),
  );
};

function toProblem(err: unknown, log: (err: unknown) => void): Problem {
  if (err instanceof HttpError) {
    return { ...problem(err.status, err.code, err.detail), ...err.extensions };
  }
  if (err instanceof StoreUnavailableError) return unavailable(err);
  const { type, status } = (err ?? {}) as BodyParserError;
  if (type === 'entity.too.large') {
    return problem(413, 'PAYLOAD_TOO_LARGE', 'The request body is larger than 16 kB.');
  }
  if (type === 'entity.parse.failed') {
    return problem(
      400,
      'INVALID_REQUEST',
      'The request body is not valid JSON (an object is expected).',
    );
  }
  if (status === 415) {
    return problem(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Send the body as UTF-8 JSON (Content-Type: application/json).',
    );
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return problem(
      status,
      'INVALID_REQUEST',
      'The request could not be read; send a JSON object body.',
    );
  }
  log(err);
  return problem(500, 'INTERNAL_ERROR', 'Something went wrong on our side; please try again.');
}

function defaultLog(err: unknown): void {
  console.error(err);
}

/** What a client should know when the database could not answer: retry, and whether it happened. */
function unavailable({ reason, outcome, retryAfterSeconds }: StoreUnavailableError): Problem {
  const why = {
    unreachable: 'The seat database cannot be reached right now',
    timeout: 'The seat database did not answer in time',
    overloaded: 'Too many requests are waiting for the seat database',
  }[reason];
  const after = `try again in ${retryAfterSeconds} s`;
  const detail =
    outcome === 'not-applied'
      ? `${why}; nothing was changed: ${after}.`
      : `${why}; your request may or may not have been applied: read the seat, or ${after} (a lock, confirm or release repeated by the same user is answered as before).`;
  return { ...problem(503, 'STORE_UNAVAILABLE', detail), outcome };
}
