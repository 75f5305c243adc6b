import { request as httpRequest } from 'node:http';

/**
 * One JSON request on a connection of its own. node:cluster hands new connections to the workers
 * in turn, so successive calls reach every worker (a kept-alive connection would stay on one);
 * the tests and the bench use it to reach both workers of `WORKERS=2`.
 *
 * @example
 * ```ts
 * const { status, text } = await requestOnNewConnection(url, 'GET', '/metrics');
 * ```
 */
export function requestOnNewConnection(
  url: string,
  method: string,
  path: string,
  body?: object,
  /** More request headers (the bench's API key). */
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}${path}`,
      { method, agent: false, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      },
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}
