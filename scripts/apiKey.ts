/**
 * `npm run api-key`: prints a fresh API key for a trusted backend, and the SHA-256 digest to add
 * to the service's `API_KEYS` (comma-separated with the others). Give the key to the backend; the
 * service keeps only the digest.
 */
import { newApiKey } from '../src/auth/ApiKeys';

const { key, digest } = newApiKey();
console.log(`API key (give it to the backend, keep it secret): ${key}`);
console.log(`Its digest (add it to API_KEYS):                  ${digest}`);
