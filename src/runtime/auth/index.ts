/**
 * Authentication for every server of the cluster, DC/OS style: RS256 JWTs sent as
 * `Authorization: token=<jwt>`, signed by the gateway's ACS (./acs), verified by each component
 * with the cluster's public key (./guard, ./tokens). See ./tokens for what revocation means.
 */
export {Acs, ACS_PREFIX, JWKS_PATH, LOGIN_PATH, PROVIDERS_PATH, type AcsDeps, type ServiceAccounts, type ServiceCredential} from './acs'
export {authenticate, componentGuard, iamError, isLoopback, normalizePath, serviceHeaders, unauthorized, type IamError} from './guard'
export {
  MAX_SECRET_VALUE_BYTES,
  mountSecrets,
  SECRET_PATH_PREFIX,
  secretPath,
  secretPathProblem,
  SecretStore,
  secretsError,
  type SecretsError,
} from './secrets'
export {LoginLimiter, type LoginLimits} from './login-limiter'
export {hashPassword, verifyPassword} from './passwords'
export {
  authorization,
  DEFAULT_TOKEN_LIFETIME_S,
  generateSigningKeys,
  signToken,
  TokenIssuer,
  tokenFromAuthorization,
  TokenVerifier,
  type SigningKeys,
  type VerifiedToken,
} from './tokens'
