import { Token } from 'aws-cdk-lib';
import type { Problem } from '../core/problems';

/**
 * What the load balancer does with a request that has no authenticated session (controller annotations.md v3.5.0,
 * auth-on-unauthenticated-request). `allow` is not offered: it would let unauthenticated requests through.
 */
export enum UnauthenticatedAction {
  /** Redirect to the identity provider's login page (browsers). */
  AUTHENTICATE = 'authenticate',
  /** Answer 401 Unauthorized (API clients, which cannot follow a login redirect). */
  DENY = 'deny',
}

/** An Amazon Cognito user pool that signs users in at the load balancer (browser flow with a session cookie). */
export interface CognitoAuth {
  /** `arn:<partition>:cognito-idp:<region>:<account>:userpool/<region>_<id>`. */
  readonly userPoolArn: string;
  /** The user pool's app client ID; the client needs a secret and the ALB's `/oauth2/idpresponse` callback URL. */
  readonly userPoolClientId: string;
  /** The Cognito domain's prefix (`my-domain`, not `https://my-domain.auth.<region>.amazoncognito.com`), or a custom domain. */
  readonly userPoolDomain: string;
}

/** The format of a JWT claim's value (ELB API reference, JwtValidationActionAdditionalClaim). */
export enum JwtClaimFormat {
  SINGLE_STRING = 'single-string',
  STRING_ARRAY = 'string-array',
  SPACE_SEPARATED_VALUES = 'space-separated-values',
}

/** A claim the load balancer requires in the token beyond `iss` and `exp`. */
export interface JwtClaim {
  readonly name: string;
  readonly format: JwtClaimFormat;
  /** 1..10 accepted values. */
  readonly values: string[];
}

/**
 * Bearer tokens verified at the load balancer (API and service-to-service clients: no login redirect, no session).
 * The ALB checks the RS256 signature against the issuer's JWKS, `iss` and `exp` (and `nbf`, `iat` when present), and
 * answers 401 otherwise (ELB user guide, "Verify JWTs using an Application Load Balancer").
 */
export interface JwtAuth {
  /** The expected `iss` claim (at most 256 characters). */
  readonly issuer: string;
  /** The issuer's JSON Web Key Set: an https URL reachable from the internet, at most 256 characters. */
  readonly jwksEndpoint: string;
  /** Up to 10 more claims to require, e.g. a `scope` or `aud`. @default - none */
  readonly additionalClaims?: JwtClaim[];
}

/**
 * Authentication at the load balancer, on the service's HTTPS listener rule: one of `cognito` (browser sign-in) or
 * `jwt` (bearer tokens). Needs `certificateArn`: the ALB authenticates on HTTPS listeners only.
 */
export interface ExposureAuth {
  /** Sign users in with a Cognito user pool. @default - not Cognito */
  readonly cognito?: CognitoAuth;
  /** Verify a bearer JWT on every request. @default - not JWT */
  readonly jwt?: JwtAuth;
  /** With `cognito`: redirect to sign in, or answer 401. @default UnauthenticatedAction.AUTHENTICATE */
  readonly onUnauthenticatedRequest?: UnauthenticatedAction;
  /** With `cognito`: the claims requested, space-separated. @default 'openid' */
  readonly scope?: string;
  /**
   * With `cognito`: the session's maximum length in seconds, 1..604800 (ELB user guide, "Authenticate users using an
   * Application Load Balancer": session timeout up to 7 days, the default). @default 604800
   * @asType integer
   */
  readonly sessionTimeoutSeconds?: number;
}

/** AuthenticateCognitoActionConfig.SessionTimeout: default 604800 s, 7 days (ELB API reference), also the most the user guide allows. */
export const MAX_AUTH_SESSION_SECONDS = 604800;
/** JwtValidationActionConfig: issuer and JWKS endpoint at most 256 characters, at most 10 additional claims (ELB API reference). */
const JWT_MAX_URL = 256;
const JWT_MAX_CLAIMS = 10;
/** Space-separated values and string arrays take at most 10 values (ELB user guide, "Verify JWTs"). */
const JWT_MAX_VALUES = 10;
const USER_POOL_ARN =
  /^arn:aws(-[a-z]+)*:cognito-idp:[a-z]{2}(-[a-z]+)+-\d:\d{12}:userpool\/[a-z]{2}(-[a-z]+)+-\d_[0-9a-zA-Z]+$/;
/** Cognito app client IDs: [\w+]+, 1..128 (Cognito API reference, UserPoolClientType ClientId). */
const CLIENT_ID = /^[\w+]{1,128}$/;
/** A Cognito prefix domain (CreateUserPoolDomain: ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$) or a custom DNS name. */
const COGNITO_DOMAIN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const HTTPS_URL = /^https:\/\/[^\s/?#]+(\/\S*)?$/;

/** Whether an exposure authenticates its requests (what lets an internet service go without `allowedCidrs`). */
export function authenticates(auth: ExposureAuth | undefined): boolean {
  return auth?.cognito !== undefined || auth?.jwt !== undefined;
}

/** The auth block's rules, under `at` (e.g. `inference[0].expose.auth`); `https` tells whether the service has a certificate. */
export function authProblems(a: ExposureAuth, https: boolean, at = 'expose.auth'): Problem[] {
  const out: Problem[] = [];
  const bad = (field: string, value: unknown, message: string) =>
    out.push({ field: field ? `${at}.${field}` : at, value, message });
  const known = (v: string | undefined): v is string => v !== undefined && !Token.isUnresolved(v);
  if ((a.cognito === undefined) === (a.jwt === undefined))
    bad('', Object.keys(a), 'must name exactly one of cognito (browser sign-in) or jwt (bearer tokens)');
  // The controller builds authenticate actions on HTTPS listeners only (annotations.md v3.5.0, Authentication: "HTTPS only").
  if (!https)
    bad('', undefined, 'needs expose.certificateArn: the load balancer authenticates on HTTPS listeners only');
  const c = a.cognito;
  if (c) {
    if (known(c.userPoolArn) && !USER_POOL_ARN.test(c.userPoolArn))
      bad(
        'cognito.userPoolArn',
        c.userPoolArn,
        'must be a Cognito user pool ARN: arn:<partition>:cognito-idp:<region>:<account>:userpool/<region>_<id>',
      );
    if (known(c.userPoolClientId) && !CLIENT_ID.test(c.userPoolClientId))
      bad('cognito.userPoolClientId', c.userPoolClientId, 'must be an app client ID: 1..128 letters, digits, _ or +');
    if (known(c.userPoolDomain) && !COGNITO_DOMAIN.test(c.userPoolDomain))
      bad(
        'cognito.userPoolDomain',
        c.userPoolDomain,
        'must be the Cognito domain prefix (my-domain, without https:// and .auth.<region>.amazoncognito.com) or a custom domain name',
      );
  } else {
    for (const f of ['onUnauthenticatedRequest', 'scope', 'sessionTimeoutSeconds'] as const)
      if (a[f] !== undefined)
        bad(
          f,
          a[f],
          'applies to cognito only: a JWT is verified on every request, without a session (401 when invalid)',
        );
  }
  if (
    a.onUnauthenticatedRequest !== undefined &&
    !Object.values(UnauthenticatedAction).includes(a.onUnauthenticatedRequest)
  )
    bad('onUnauthenticatedRequest', a.onUnauthenticatedRequest, 'must be one of authenticate, deny');
  const t = a.sessionTimeoutSeconds;
  if (t !== undefined && !Token.isUnresolved(t) && !(Number.isInteger(t) && t >= 1 && t <= MAX_AUTH_SESSION_SECONDS))
    bad('sessionTimeoutSeconds', t, `must be a whole number of seconds from 1 to ${MAX_AUTH_SESSION_SECONDS} (7 days)`);
  if (known(a.scope) && !/^\S+( \S+)*$/.test(a.scope))
    bad('scope', a.scope, "must be space-separated claim scopes, e.g. 'openid email'");
  const j = a.jwt;
  if (j) {
    if (known(j.issuer) && (j.issuer.length === 0 || j.issuer.length > JWT_MAX_URL))
      bad('jwt.issuer', j.issuer, `must be 1..${JWT_MAX_URL} characters (the token's iss claim)`);
    if (known(j.jwksEndpoint) && !(HTTPS_URL.test(j.jwksEndpoint) && j.jwksEndpoint.length <= JWT_MAX_URL))
      bad('jwt.jwksEndpoint', j.jwksEndpoint, `must be an https:// URL of at most ${JWT_MAX_URL} characters`);
    const claims = j.additionalClaims ?? [];
    if (claims.length > JWT_MAX_CLAIMS)
      bad('jwt.additionalClaims', claims.length, `names ${claims.length} claims; at most ${JWT_MAX_CLAIMS}`);
    claims.forEach((cl, i) => {
      if (!cl.name) bad(`jwt.additionalClaims[${i}].name`, cl.name, 'is required');
      if (!Object.values(JwtClaimFormat).includes(cl.format))
        bad(
          `jwt.additionalClaims[${i}].format`,
          cl.format,
          `must be one of ${Object.values(JwtClaimFormat).join(', ')}`,
        );
      const n = cl.values?.length ?? 0;
      const max = cl.format === JwtClaimFormat.SINGLE_STRING ? 1 : JWT_MAX_VALUES;
      if (n < 1 || n > max) bad(`jwt.additionalClaims[${i}].values`, cl.values, `must name 1..${max} values`);
    });
  }
  return out;
}

/** The Ingress annotations of the auth block (docs/guide/ingress/annotations.md at v3.5.0, Authentication and Token Validation). */
export function authAnnotations(a: ExposureAuth | undefined): Record<string, string> {
  const p = 'alb.ingress.kubernetes.io';
  if (a?.cognito) {
    const c = a.cognito;
    return {
      [`${p}/auth-type`]: 'cognito',
      [`${p}/auth-idp-cognito`]: JSON.stringify({
        userPoolARN: c.userPoolArn,
        userPoolClientID: c.userPoolClientId,
        userPoolDomain: c.userPoolDomain,
      }),
      [`${p}/auth-on-unauthenticated-request`]: a.onUnauthenticatedRequest ?? UnauthenticatedAction.AUTHENTICATE,
      [`${p}/auth-scope`]: a.scope ?? 'openid',
      [`${p}/auth-session-timeout`]: String(a.sessionTimeoutSeconds ?? MAX_AUTH_SESSION_SECONDS),
    };
  }
  if (a?.jwt) {
    const j = a.jwt;
    return {
      [`${p}/jwt-validation`]: JSON.stringify({
        jwksEndpoint: j.jwksEndpoint,
        issuer: j.issuer,
        ...(j.additionalClaims?.length
          ? { additionalClaims: j.additionalClaims.map((c) => ({ name: c.name, format: c.format, values: c.values })) }
          : {}),
      }),
    };
  }
  return {};
}

/** How the plan and outputs describe the auth: `cognito`, `jwt (<issuer>)` or `none`. */
export function authSummary(a: ExposureAuth | undefined): string {
  if (a?.cognito) return `cognito (${a.onUnauthenticatedRequest ?? UnauthenticatedAction.AUTHENTICATE})`;
  if (a?.jwt) return `jwt (${a.jwt.issuer})`;
  return 'none';
}
