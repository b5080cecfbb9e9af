import type { AuthInfo } from '@modelcontextprotocol/server';
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { KeySetUnavailableError } from './jwks.js';

/**
 * Asymmetric signatures only: `none` and the HMAC family (HS256 …) are refused, so a token cannot
 * be forged with a public key used as a shared secret.
 */
export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Clock skew tolerated on `exp` and `nbf`. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** The token is not acceptable here; `message` says why in words safe for a log and a client (never the token). */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

export interface TokenVerifierOptions {
  issuer: string;
  /** This server's resource URL: the token's `aud` must contain it (RFC 8707), so tokens meant for other servers are refused. */
  audience: string;
  getKey: JWTVerifyGetKey;
  resourceMetadataUrl: string;
}

export type TokenVerifier = (token: string) => Promise<AuthInfo>;

/** Verifies a JWT access token (RFC 9068) and returns what the SDK and tools need to know about the caller. */
export function createTokenVerifier({ issuer, audience, getKey, resourceMetadataUrl }: TokenVerifierOptions): TokenVerifier {
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        issuer,
        audience,
        algorithms: ALLOWED_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      throw toVerificationError(error);
    }
    return {
      token,
      clientId: stringClaim(payload.client_id) ?? stringClaim(payload.azp) ?? '',
      scopes: scopesOf(payload),
      ...(payload.exp !== undefined && { expiresAt: payload.exp }),
      resource: new URL(audience),
      resourceMetadataUrl,
      extra: { subject: payload.sub },
    };
  };
}

/** `scope` is a space-separated string (RFC 9068); some servers send an `scp` array instead. */
function scopesOf(payload: JWTPayload): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter((scope) => scope !== '');
  if (Array.isArray(payload.scp)) return payload.scp.filter((scope): scope is string => typeof scope === 'string');
  return [];
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function toVerificationError(error: unknown): Error {
  if (error instanceof KeySetUnavailableError) return error;
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return new KeySetUnavailableError(`key set unavailable: ${error.code}`);
  if (error instanceof errors.JWTExpired) return new InvalidTokenError('the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) return new InvalidTokenError(claimProblem(error.claim));
  if (error instanceof errors.JOSEAlgNotAllowed) return new InvalidTokenError('the token is signed with an algorithm this server does not accept');
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new InvalidTokenError('the token is signed with a key the authorization server does not publish');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return new InvalidTokenError('the token signature is invalid');
  if (error instanceof errors.JOSEError) return new InvalidTokenError('the token is not a valid JWT access token');
  // A fetch that failed outright (issuer unreachable while refetching keys).
  if (error instanceof TypeError) return new KeySetUnavailableError(`key set unavailable: ${error.message}`);
  return error instanceof Error ? error : new Error(String(error));
}

function claimProblem(claim: string): string {
  switch (claim) {
    case 'aud':
      return 'the token is not meant for this server (audience)';
    case 'iss':
      return 'the token comes from another issuer';
    case 'nbf':
      return 'the token is not valid yet';
    case 'exp':
      return 'the token has no expiry';
    default:
      return `the token's ${claim} claim is invalid`;
  }
}
