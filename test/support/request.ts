/** What a request got back: the status and parsed JSON body, or `status: 0` when it failed. */
export interface Reply {
  status: number;
  body: Record<string, any>;
}

/**
 * Sends a JSON request and never throws: a refused connection or reset (a killed server) comes
 * back as `status: 0`, an outcome the caller does not know.
 *
 * @example
 * ```ts
 * const { status, body } = await request(url, 'POST', '/seats/A1/lock', { userId: 'u1' });
 * ```
 */
export async function request(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<Reply> {
  try {
    const response = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  } catch {
    return { status: 0, body: {} };
  }
}
