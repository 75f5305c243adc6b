import type { KeyObject } from 'node:crypto';

/** The JWT algorithms a box office's public key may sign with. */
export type PublicKeyAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

/**
 * The one JWT algorithm a public key is accepted for, by the key's type: RSA → RS256, EC on
 * P-256 → ES256, Ed25519 → EdDSA. Pinning the algorithm to the key (never taking it from the
 * token's header alone) is what stops a token signed with HS256 and the public key as its
 * "secret" from being accepted. Throws for any other key.
 *
 * @example
 * ```ts
 * jwtAlgorithmOf(createPublicKey(pem)); // 'RS256'
 * ```
 */
export function jwtAlgorithmOf(key: KeyObject): PublicKeyAlgorithm {
  if (key.type !== 'public') throw new Error('it is not a public key.');
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'RS256';
    case 'ec':
      if (key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
      throw new Error('only the P-256 curve (ES256) is accepted for EC keys.');
    case 'ed25519':
      return 'EdDSA';
    default:
      throw new Error(`a ${key.asymmetricKeyType ?? 'secret'} key is not accepted.`);
  }
}
