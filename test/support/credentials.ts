import { createHash } from 'node:crypto';

/**
 * Headers that prove who a request acts for, given the user its body names (`undefined` when it
 * names none). This is the one place every test's client gets its credentials from.
 *
 * @example
 * ```ts
 * const api = apiClient(url, { credentials: () => ({ authorization: `Bearer ${token}` }) });
 * ```
 */
export type Credentials = (
  userId: string | undefined,
) => Record<string, string> | Promise<Record<string, string>>;

/**
 * The API key every test app accepts (`serve()` and `startServerProcess()` configure its digest):
 * a trusted backend's key, so a test's request acts for the `userId` its body (or `?userId=`)
 * names, as tests always have.
 */
export const TEST_API_KEY = 'sk_test_backend_key_of_the_test_suite';

/** The SHA-256 hex digest of {@link TEST_API_KEY}: what test apps have in `API_KEYS`. */
export const TEST_API_KEY_DIGEST = createHash('sha256').update(TEST_API_KEY).digest('hex');

/**
 * The headers of the test API key, for clients that are not the typed client (the checker's
 * `RecordingSeatClient`, `runRandomLoad`): they act for each request's `userId`.
 */
export const TEST_HEADERS: Readonly<Record<string, string>> = {
  authorization: `Bearer ${TEST_API_KEY}`,
};

/** The credentials every test client sends unless the test chooses others: the test API key. */
export const testCredentials: Credentials = () => ({ ...TEST_HEADERS });

/** A guest session as `POST /sessions` answers it, and the credentials that act as it. */
export interface GuestSessionCredentials {
  token: string;
  userId: string;
  expiresAt: string;
  /** `Authorization: Bearer <token>`, for `apiClient(url, { credentials })`. */
  credentials: Credentials;
}

/**
 * Starts a guest session on the service at `baseUrl` (`headers`, e.g. `X-Forwarded-For`, are
 * sent with it); throws unless it is created.
 *
 * @example
 * ```ts
 * const sam = await guestSession(server.url);
 * const asSam = apiClient(server.url, { credentials: sam.credentials });
 * ok(await asSam.lock('E5', sam.userId));
 * ```
 */
export async function guestSession(
  baseUrl: string,
  headers: Record<string, string> = {},
): Promise<GuestSessionCredentials> {
  const res = await fetch(`${baseUrl}/sessions`, { method: 'POST', headers });
  if (res.status !== 201) throw new Error(`POST /sessions: ${res.status} ${await res.text()}`);
  const session = (await res.json()) as { token: string; userId: string; expiresAt: string };
  return { ...session, credentials: () => ({ authorization: `Bearer ${session.token}` }) };
}
