import type { ApiResponses } from './defineRoute';
import { problemResponse } from './responses';

/**
 * Who may call a route. `public`: anyone. `caller`: a request that has proved who it acts for
 * (a guest session, a box office JWT, or an API key acting for a named user); the authentication
 * middleware {@link ApiRouter} is given for the level runs before the route and leaves the
 * {@link Caller} in `res.locals.caller`. `backend`: a trusted backend's API key only (creating and
 * running events). A new level is one more key here and in the middleware map given to `ApiRouter`
 * (`Authenticator` provides both).
 */
export type RouteSecurity = 'public' | 'caller' | 'backend';

/** What a security level adds to every route that declares it: its OpenAPI security requirement and its problems. */
export interface SecurityDocs {
  /** OpenAPI security requirement objects (any one suffices); empty for `public`. */
  requirement: Array<Record<string, string[]>>;
  responses: ApiResponses;
}

/** The OpenAPI security schemes the levels refer to. */
export const securitySchemes = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    description:
      'A guest session token (POST /sessions), a JWT of the box office, or an API key, as `Authorization: Bearer …`.',
  },
} as const;

export const securityDocs: Record<RouteSecurity, SecurityDocs> = {
  public: { requirement: [], responses: {} },
  caller: {
    requirement: [{ bearer: [] }],
    responses: {
      401: problemResponse(
        'UNAUTHENTICATED (no, malformed or unverifiable credential) or TOKEN_EXPIRED.',
        { 'WWW-Authenticate': { description: 'Bearer', type: 'string' } },
      ),
      403: problemResponse('FORBIDDEN: the body names another user than the credential’s.'),
      400: problemResponse(
        'INVALID_REQUEST: the body or query is not as described (with an API key: no userId naming the user acted for).',
      ),
    },
  },
  backend: {
    requirement: [{ bearer: [] }],
    responses: {
      401: problemResponse('UNAUTHENTICATED: no API key, or one this service does not know.', {
        'WWW-Authenticate': { description: 'Bearer', type: 'string' },
      }),
    },
  },
};
