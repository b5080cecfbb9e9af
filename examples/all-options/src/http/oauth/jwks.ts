import { createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

type RemoteKeySet = ReturnType<typeof createRemoteJWKSet>;

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
  /** How much longer an old key set stays in use while it cannot be refetched (issuer down); then requests get 503. */
  maxStaleMs?: number;
  /** Limit on each metadata or key-set request. */
  timeoutMs?: number;
}

/**
 * The signing keys of one issuer, for `jose.jwtVerify`. The key set's URL comes from the issuer's
 * metadata: RFC 8414 (`/.well-known/oauth-authorization-server`) first, then OpenID discovery.
 * The set is cached; a token signed with a key not in it triggers one refetch, rate-limited, so
 * a flood of made-up `kid`s costs the issuer nothing.
 *
 * Every fetch of the key set happens here, never inside a token check, so an issuer that is slow,
 * down or answering errors cannot hold up or wrongly refuse every request: a key set past its age
 * keeps being used while a fresh one is fetched in the background (and, while the issuer cannot
 * be reached, for up to `maxStaleMs` more: a key it has since withdrawn must not be trusted for
 * ever); with no usable keys a request is told "unavailable" (503), and after a failed fetch the
 * issuer is not asked again for `retryAfterFailureMs`, so requests fail fast instead of each
 * waiting out the timeout.
 */
export class IssuerKeys {
  private keySet: RemoteKeySet | undefined;
  private discovery: Promise<RemoteKeySet> | undefined;
  private refreshing: Promise<void> | undefined;
  /** The local verifier for the key set last fetched (rebuilt only when that set changes). */
  private local: { jwks: JSONWebKeySet; getKey: JWTVerifyGetKey } | undefined;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private failedAt = Number.NEGATIVE_INFINITY;
  private lastFailure: Error | undefined;
  private readonly options: Required<Omit<IssuerKeysOptions, 'jwksUrl'>> & { jwksUrl: string | undefined };

  constructor(options: IssuerKeysOptions) {
    this.options = {
      retryAfterFailureMs: 10_000,
      refetchCooldownMs: 30_000,
      maxAgeMs: 10 * 60_000,
      maxStaleMs: 60 * 60_000,
      timeoutMs: 5_000,
      ...options,
      jwksUrl: options.jwksUrl,
    };
  }

  /** The `getKey` function `jose.jwtVerify` takes. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const remote = this.keySet ?? (await this.discover());
    if (!this.hasUsableKeys(remote)) await this.refresh(remote);
    else if (!remote.fresh) this.refresh(remote).catch(() => {});
    try {
      return await this.localKeys(remote)(header, token);
    } catch (error) {
      // A key the set does not have may have been published since: refetch, at most once per cooldown.
      if (!(error instanceof errors.JWKSNoMatchingKey) || remote.coolingDown || this.failedRecently()) throw error;
      await this.refresh(remote);
      return this.localKeys(remote)(header, token);
    }
  };

  /** Fetches the key set once for every caller waiting on it; fails fast for a while after a failure. */
  private refresh(remote: RemoteKeySet): Promise<void> {
    if (this.failedRecently()) return Promise.reject(this.unavailable());
    this.refreshing ??= remote
      .reload()
      .then(() => {
        this.fetchedAt = Date.now();
      })
      .catch((error: unknown) => {
        this.failedAt = Date.now();
        // jose reports a non-200 answer as a bare JOSEError: still the issuer's problem, not the token's.
        this.lastFailure = error instanceof Error ? error : new Error(String(error));
        throw this.unavailable();
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private hasUsableKeys(remote: RemoteKeySet): boolean {
    const { maxAgeMs, maxStaleMs } = this.options;
    return remote.jwks() !== undefined && Date.now() - this.fetchedAt < maxAgeMs + maxStaleMs;
  }

  private localKeys(remote: RemoteKeySet): JWTVerifyGetKey {
    const jwks = remote.jwks();
    if (jwks === undefined || !this.hasUsableKeys(remote)) throw this.unavailable();
    if (this.local?.jwks !== jwks) this.local = { jwks, getKey: createLocalJWKSet(jwks) };
    return this.local.getKey;
  }

  private failedRecently(): boolean {
    return Date.now() - this.failedAt < this.options.retryAfterFailureMs;
  }

  private unavailable(): KeySetUnavailableError {
    return new KeySetUnavailableError(`authorization server unavailable: ${this.lastFailure?.message ?? 'no key set yet'}`);
  }

  private discover(): Promise<RemoteKeySet> {
    if (this.failedRecently()) return Promise.reject(this.unavailable());
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
