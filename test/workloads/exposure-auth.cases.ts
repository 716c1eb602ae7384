import { Testing } from 'cdk8s';
import {
  ExposureVisibility,
  InferenceService,
  JwtClaimFormat,
  UnauthenticatedAction,
  type InferenceExposure,
  type InferenceServiceProps,
} from '../../lib';
import { findInstance } from '../../lib/catalog/accelerators';
import { placementOnPool } from '../../lib/workloads/placement';
import { schemaProblems } from '../helpers';

const g6e = placementOnPool('inference', [findInstance('g6e.xlarge')!], 1);
const prometheus = {
  serverAddress: 'https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/',
  awsRegion: 'us-east-1',
};
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0123abcd-4567-89ab-cdef-0123456789ab';
const POOL = 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123';
const group = { name: 'acme-ml-internet', vpcCidr: '10.0.0.0/16' };
const cognito = { userPoolArn: POOL, userPoolClientId: '1example23456789', userPoolDomain: 'acme-ml' };
const jwt = { issuer: 'https://idp.example.com', jwksEndpoint: 'https://idp.example.com/.well-known/jwks.json' };
const open: InferenceExposure = {
  visibility: ExposureVisibility.INTERNET,
  host: 'chat.ml.example.com',
  certificateArn: CERT,
};
const base = { name: 'chat', namespace: 'serving', image: 'vllm/vllm-openai:v0.11.0', placement: g6e, prometheus };

function ingress(props: Partial<InferenceServiceProps>) {
  const docs: any[] = Testing.synth(
    new InferenceService(Testing.app(), 'svc', { ...base, loadBalancerGroup: group, ...props }),
  );
  return { docs, ingress: docs.find((d) => d.kind === 'Ingress') };
}
const auth = (a: Record<string, string>) =>
  Object.fromEntries(Object.entries(a).filter(([k]) => /\/(auth-|jwt-)/.test(k)));

/**
 * The controller's names at the pinned v3.5.0 (docs/guide/ingress/annotations.md, Authentication and Token Validation;
 * the JSON keys of AuthIDPConfigCognito and JwtValidationConfig in pkg/ingress/config_types.go).
 */
const V350 = {
  annotations: [
    'auth-type',
    'auth-idp-cognito',
    'auth-idp-oidc',
    'auth-on-unauthenticated-request',
    'auth-scope',
    'auth-session-cookie',
    'auth-session-timeout',
    'jwt-validation',
  ].map((a) => `alb.ingress.kubernetes.io/${a}`),
  cognitoKeys: ['userPoolARN', 'userPoolClientID', 'userPoolDomain', 'authenticationRequestExtraParams'],
  jwtKeys: ['jwksEndpoint', 'issuer', 'additionalClaims'],
  claimFormats: ['single-string', 'string-array', 'space-separated-values'],
};

describe('authentication at the load balancer', () => {
  test("cognito on an internet service without CIDRs: the controller's annotations, defaults stated; any address reaches the ALB, the rule authenticates", () => {
    const { ingress: ing } = ingress({ expose: { ...open, auth: { cognito } } });
    const a = ing.metadata.annotations;
    expect(auth(a)).toEqual({
      'alb.ingress.kubernetes.io/auth-type': 'cognito',
      'alb.ingress.kubernetes.io/auth-idp-cognito':
        '{"userPoolARN":"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123","userPoolClientID":"1example23456789","userPoolDomain":"acme-ml"}',
      'alb.ingress.kubernetes.io/auth-on-unauthenticated-request': 'authenticate',
      'alb.ingress.kubernetes.io/auth-scope': 'openid',
      'alb.ingress.kubernetes.io/auth-session-timeout': '604800',
    });
    expect(a['alb.ingress.kubernetes.io/listen-ports']).toBe('[{"HTTPS":443}]');
    expect(a['alb.ingress.kubernetes.io/inbound-cidrs']).toBe('0.0.0.0/0');
    expect(Object.keys(a).filter((k) => k.includes('conditions'))).toEqual([]);
    // Every name and JSON key is one the pinned controller reads.
    for (const k of Object.keys(auth(a))) expect(V350.annotations).toContain(k);
    for (const k of Object.keys(JSON.parse(a['alb.ingress.kubernetes.io/auth-idp-cognito'])))
      expect(V350.cognitoKeys).toContain(k);
  });

  test('cognito for API clients: deny answers 401 instead of a login redirect; scope and session as given', () => {
    const { ingress: ing } = ingress({
      expose: {
        ...open,
        auth: {
          cognito,
          onUnauthenticatedRequest: UnauthenticatedAction.DENY,
          scope: 'openid email',
          sessionTimeoutSeconds: 3600,
        },
      },
    });
    expect(auth(ing.metadata.annotations)).toMatchObject({
      'alb.ingress.kubernetes.io/auth-on-unauthenticated-request': 'deny',
      'alb.ingress.kubernetes.io/auth-scope': 'openid email',
      'alb.ingress.kubernetes.io/auth-session-timeout': '3600',
    });
  });

  test('jwt: one jwt-validation annotation (issuer, JWKS, claims), no auth-type (the controller refuses both on a rule)', () => {
    const claims = [{ name: 'scope', format: JwtClaimFormat.SPACE_SEPARATED_VALUES, values: ['inference:invoke'] }];
    const { ingress: ing } = ingress({ expose: { ...open, auth: { jwt: { ...jwt, additionalClaims: claims } } } });
    const a = auth(ing.metadata.annotations);
    expect(a).toEqual({
      'alb.ingress.kubernetes.io/jwt-validation':
        '{"jwksEndpoint":"https://idp.example.com/.well-known/jwks.json","issuer":"https://idp.example.com","additionalClaims":[{"name":"scope","format":"space-separated-values","values":["inference:invoke"]}]}',
    });
    const parsed = JSON.parse(a['alb.ingress.kubernetes.io/jwt-validation']);
    for (const k of Object.keys(parsed)) expect(V350.jwtKeys).toContain(k);
    expect(V350.claimFormats).toContain(parsed.additionalClaims[0].format);
  });

  test("scale from zero: the interceptor's Ingress carries the service's auth; the Ingress passes the Kubernetes schema", () => {
    const { docs, ingress: ing } = ingress({ minReplicas: 0, expose: { ...open, auth: { jwt } } });
    expect(ing.metadata.namespace).toBe('keda');
    expect(ing.metadata.annotations['alb.ingress.kubernetes.io/jwt-validation']).toContain('idp.example.com');
    expect(schemaProblems(docs.filter((d) => ['Ingress', 'NetworkPolicy'].includes(d.kind)))).toEqual([]);
  });

  test('internet with auth and no CIDRs is accepted', () => {
    expect(
      InferenceService.check({ ...base, expose: { ...open, auth: { cognito } }, loadBalancerGroup: group }),
    ).toEqual([]);
  });

  test.each<[string, InferenceExposure, string[]]>([
    ['internet with neither auth nor CIDRs', open, ['expose.allowedCidrs']],
    [
      'auth without a certificate (the ALB authenticates on HTTPS listeners only)',
      { host: 'chat.ml.example.com', auth: { jwt } },
      ['expose.auth'],
    ],
    ['both cognito and jwt', { ...open, auth: { cognito, jwt } }, ['expose.auth']],
    ['neither cognito nor jwt', { ...open, auth: {} }, ['expose.auth', 'expose.allowedCidrs']],
    [
      'a user pool ARN of another shape, a full Cognito domain, a bad client ID',
      {
        ...open,
        auth: {
          cognito: {
            userPoolArn: 'arn:aws:cognito-idp:us-east-1:123456789012:identitypool/x',
            userPoolClientId: 'a b',
            userPoolDomain: 'https://acme-ml.auth.us-east-1.amazoncognito.com',
          },
        },
      },
      ['expose.auth.cognito.userPoolArn', 'expose.auth.cognito.userPoolClientId', 'expose.auth.cognito.userPoolDomain'],
    ],
    [
      'session settings with jwt',
      { ...open, auth: { jwt, onUnauthenticatedRequest: UnauthenticatedAction.DENY, sessionTimeoutSeconds: 60 } },
      ['expose.auth.onUnauthenticatedRequest', 'expose.auth.sessionTimeoutSeconds'],
    ],
    [
      'a session longer than 7 days, an unknown action',
      {
        ...open,
        auth: {
          cognito,
          sessionTimeoutSeconds: 604801,
          onUnauthenticatedRequest: 'allow' as UnauthenticatedAction,
        },
      },
      ['expose.auth.onUnauthenticatedRequest', 'expose.auth.sessionTimeoutSeconds'],
    ],
    [
      'a JWKS endpoint over http, 11 claims, a claim without values',
      {
        ...open,
        auth: {
          jwt: {
            issuer: 'https://idp.example.com',
            jwksEndpoint: 'http://idp.example.com/jwks',
            additionalClaims: Array.from({ length: 11 }, (_, i) => ({
              name: `c${i}`,
              format: JwtClaimFormat.STRING_ARRAY,
              values: i === 0 ? [] : ['x'],
            })),
          },
        },
      },
      [
        'expose.auth.jwt.jwksEndpoint',
        'expose.auth.jwt.additionalClaims',
        'expose.auth.jwt.additionalClaims[0].values',
      ],
    ],
  ])('refused: %s', (_, expose, fields) => {
    const problems = InferenceService.check({ ...base, expose, loadBalancerGroup: group });
    expect(problems.map((p) => p.field)).toEqual(fields);
    for (const p of problems) expect(p.message.length).toBeGreaterThan(10);
  });
});
