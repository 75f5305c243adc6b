import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import type { Problem } from './schemas';
import { sendJson } from './sendJson';

export type { Problem };

/**
 * Builds the problem for `status` and `code`. `type` is a stable URI reference per code
 * (`/problems/seat-locked`), so clients can switch on it or on `code`.
 */
export function problem(status: number, code: string, detail: string): Problem {
  return {
    type: `/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
  };
}

/** Sends a problem with `Content-Type: application/problem+json`. */
export function sendProblem(res: Response, body: Problem): void {
  res.statusCode = body.status;
  sendJson(res.req, res, body, 'application/problem+json');
}
