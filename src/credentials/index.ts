export { CredentialCipher, fingerprintOf } from './credential-cipher.js';
export { RunCredentials, scrubRunCredentials } from './run-credentials.js';
