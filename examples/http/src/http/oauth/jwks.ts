import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';

/** The issuer's keys cannot be had right now (issuer down, bad metadata): a server problem, not a bad token. */
export class KeySetUnavailableError extends Error {
  override name = 'KeySetUnavailableError';
}

export interface IssuerKeysOptions {
  issuer: string;
  /** Skips discovery when set (OAUTH_JWKS_URL). */
  jwksUrl?: string | undefined;
  /** After a failed discovery, requests are refused without asking the issuer again for this long. */
  retryAfterFailureMs?: number;
  /** An unknown `kid` refetches the key set at most this often (key rotation without hammering the issuer). */
  refetchCooldownMs?: number;
  /** How long a fetched key set is trusted before it is fetched again. */
  maxAgeMs?: number;
  /** Limit on each metadata or key-set request. */
  timeoutMs?: number;
}

/**
 * The signing keys of one issuer, for `jose.jwtVerify`. The key set's URL comes from the issuer's
 * metadata: RFC 8414 (`/.well-known/oauth-authorization-server`) first, then OpenID discovery.
 * The set is cached; a token signed with a key not in it triggers one refetch, rate-limited, so
 * a flood of made-up `kid`s costs the issuer nothing.
 */
export class IssuerKeys {
  private keySet: JWTVerifyGetKey | undefined;
  private discovery: Promise<JWTVerifyGetKey> | undefined;
  private failedAt = Number.NEGATIVE_INFINITY;
  private lastFailure: Error | undefined;
  private readonly options: Required<Omit<IssuerKeysOptions, 'jwksUrl'>> & { jwksUrl: string | undefined };

  constructor(options: IssuerKeysOptions) {
    this.options = {
      retryAfterFailureMs: 10_000,
      refetchCooldownMs: 30_000,
      maxAgeMs: 10 * 60_000,
      timeoutMs: 5_000,
      ...options,
      jwksUrl: options.jwksUrl,
    };
  }

  /** The `getKey` function `jose.jwtVerify` takes. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const keySet = this.keySet ?? (await this.discover());
    return keySet(header, token);
  };

  private discover(): Promise<JWTVerifyGetKey> {
    if (Date.now() - this.failedAt < this.options.retryAfterFailureMs) {
      return Promise.reject(new KeySetUnavailableError(`authorization server unavailable: ${this.lastFailure?.message ?? 'unknown'}`));
    }
    // Concurrent first requests share one discovery.
    this.discovery ??= this.findJwksUrl()
      .then((url) => {
        this.keySet = createRemoteJWKSet(new URL(url), {
          cooldownDuration: this.options.refetchCooldownMs,
          cacheMaxAge: this.options.maxAgeMs,
          timeoutDuration: this.options.timeoutMs,
        });
        return this.keySet;
      })
      .catch((error: unknown) => {
        this.failedAt = Date.now();
        this.lastFailure = error instanceof Error ? error : new Error(String(error));
        throw new KeySetUnavailableError(`authorization server unavailable: ${this.lastFailure.message}`);
      })
      .finally(() => {
        this.discovery = undefined;
      });
    return this.discovery;
  }

  private async findJwksUrl(): Promise<string> {
    if (this.options.jwksUrl !== undefined) return this.options.jwksUrl;
    const tried: string[] = [];
    for (const url of metadataUrls(this.options.issuer)) {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs), headers: { accept: 'application/json' } });
      if (!response.ok) {
        tried.push(`${url} (${response.status})`);
        continue;
      }
      const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      // RFC 8414 §3.3: metadata that names another issuer must not be used.
      if (metadata.issuer !== this.options.issuer) throw new Error(`${url} names issuer ${JSON.stringify(metadata.issuer)}, not ${this.options.issuer}`);
      if (typeof metadata.jwks_uri !== 'string') throw new Error(`${url} has no jwks_uri; set OAUTH_JWKS_URL`);
      return metadata.jwks_uri;
    }
    throw new Error(`no authorization server metadata at ${tried.join(', ')}`);
  }
}

/** RFC 8414 path-aware location, then OpenID discovery (path-inserted, then appended, as OIDC defines it). */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  const urls = [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}/.well-known/openid-configuration${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
  return [...new Set(urls)];
}
