/**
 * Headers that prove who a request acts for, given the user its body names (`undefined` when it
 * names none). Returns `{}` while the service trusts the body's `userId`; when writes need
 * `Authorization` (issue 11) this is the one place every test's client gets it from, e.g. an API
 * key the test apps are configured with, acting for the body's `userId`.
 *
 * @example
 * ```ts
 * const api = apiClient(url, { credentials: () => ({ authorization: `Bearer ${key}` }) });
 * ```
 */
export type Credentials = (
  userId: string | undefined,
) => Record<string, string> | Promise<Record<string, string>>;

/** The credentials every test client sends unless the test chooses others. */
export const testCredentials: Credentials = () => ({});
