// A real OpenID provider (panva/node-oidc-provider 9.13.3) on loopback for the rookery OIDC tests
// (crates/rookery-service/tests/oidc.rs). Started by the test: `node provider.mjs [port]`; it prints
// one JSON line {"issuer": ...} when it listens, and serves until its stdin closes.
//
// Clients (client_credentials, secret = "<id>-secret"):
//   alice, bob   scopes processes:read jobs:execute jobs:read:own
//   reader       scopes processes:read jobs:read:own (no jobs:execute)
//   kcadmin      no scopes, a Keycloak-style realm_access.roles ["rookery-admin"] claim
//   rookery      the resource server's own client, used for RFC 7662 introspection
//   coordinator  a federation coordinator: client_credentials and RFC 8693 token exchange
//   rookery-ui   the browser UI (tests/ui.rs): a public native client (no secret), authorization
//                code with PKCE S256 required, redirect http://127.0.0.1/ui/ on any port (RFC 8252
//                loopback), CORS at the token endpoint for loopback origins; the login and consent
//                pages are oidc-provider's devInteractions (any login and password)
// Token exchange (grant_type urn:ietf:params:oauth:grant-type:token-exchange, client
// `coordinator` only): the subject_token must be an RS256/ES256 at+jwt of this issuer for
// audience rookery-api; the new at+jwt keeps its sub, client_id and scope (narrowed by `scope`),
// has the audience asked for (`audience`, or a `resource` above; rookery-api by default) and
// names the coordinator in an `act` claim (RFC 8693 §4.1).
// Resource indicators (the `resource` token parameter):
//   urn:rookery:api     audience rookery-api, RS256 at+jwt (the default)
//   urn:rookery:es256   audience rookery-api, ES256 at+jwt
//   urn:rookery:opaque  audience rookery-api, an opaque token (checked by introspection)
//   urn:other:api       audience other-api (a wrong audience for rookery)
//   urn:keycloak:account audience account (Keycloak's default)
// Test-only endpoints (not part of the provider):
//   POST /test/rotate   replaces the signing keys by a new set with new kids
//   POST /test/sign     signs the JSON body's claims with the current RS256 key (expired tokens,
//                       foreign issuers); {"header": {...}, "claims": {...}}
import http from 'node:http';
import crypto from 'node:crypto';
import Provider, { errors } from 'oidc-provider';
import { SignJWT, importJWK, jwtVerify, createLocalJWKSet } from 'jose';

const port = Number(process.argv[2] || 0);
let generation = 0;

function keyset() {
  generation += 1;
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return [
    { ...rsa, kid: `rsa-${generation}-${crypto.randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' },
    { ...ec, kid: `ec-${generation}-${crypto.randomBytes(4).toString('hex')}`, alg: 'ES256', use: 'sig' },
  ];
}

const api = ['processes:read', 'jobs:execute', 'jobs:read:own'];
const resources = {
  'urn:rookery:api': { audience: 'rookery-api', alg: 'RS256', format: 'jwt' },
  'urn:rookery:es256': { audience: 'rookery-api', alg: 'ES256', format: 'jwt' },
  'urn:rookery:opaque': { audience: 'rookery-api', format: 'opaque' },
  'urn:other:api': { audience: 'other-api', alg: 'RS256', format: 'jwt' },
  'urn:keycloak:account': { audience: 'account', alg: 'RS256', format: 'jwt' },
};

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

function client(id, scope, grants = ['client_credentials']) {
  return {
    client_id: id,
    client_secret: `${id}-secret`,
    grant_types: grants,
    redirect_uris: [],
    response_types: [],
    scope,
  };
}

function makeProvider(issuer, keys) {
  const provider = new Provider(issuer, {
    clients: [
      client('alice', api.join(' ')),
      client('bob', api.join(' ')),
      client('reader', 'processes:read jobs:read:own'),
      client('kcadmin', 'openid'),
      client('rookery', 'openid'),
      client('coordinator', 'openid', ['client_credentials', TOKEN_EXCHANGE]),
      {
        client_id: 'rookery-ui',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/ui/'],
        scope: `openid ${api.join(' ')}`,
      },
    ],
    pkce: { required: () => true },
    clientBasedCORS: (ctx, origin, c) => c.clientId === 'rookery-ui' && /^http:\/\/127\.0\.0\.1:\d+$/.test(origin),
    jwks: { keys },
    scopes: ['openid', 'offline_access', ...api],
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'urn:rookery:api',
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, indicator) => {
          const r = resources[indicator];
          if (!r) throw new errors.InvalidTarget();
          const info = { scope: api.join(' '), audience: r.audience, accessTokenTTL: 600, accessTokenFormat: r.format };
          if (r.format === 'jwt') info.jwt = { sign: { alg: r.alg } };
          return info;
        },
      },
    },
    extraTokenClaims: (ctx, token) => (token.clientId === 'kcadmin'
      ? { realm_access: { roles: ['rookery-admin', 'offline_access'] }, preferred_username: 'kc-admin' }
      : undefined),
  });
  provider.registerGrantType(TOKEN_EXCHANGE, (ctx) => tokenExchange(ctx, issuer, keys), [
    'subject_token', 'subject_token_type', 'requested_token_type', 'audience', 'resource', 'scope',
    'actor_token', 'actor_token_type',
  ]);
  return provider;
}

// The public half of a private JWK.
function publicJwk(k) {
  const { d, p, q, dp, dq, qi, ...pub } = k;
  return pub;
}

// RFC 8693 token exchange (impersonation with an `act` claim naming the client).
async function tokenExchange(ctx, issuer, keys) {
  const p = ctx.oidc.params;
  const invalid = (m) => new errors.InvalidRequest(m);
  if (!p.subject_token) throw invalid('subject_token is required');
  if (p.subject_token_type !== ACCESS_TOKEN) throw invalid(`subject_token_type must be ${ACCESS_TOKEN}`);
  if (p.requested_token_type && p.requested_token_type !== ACCESS_TOKEN) {
    throw invalid(`requested_token_type must be ${ACCESS_TOKEN}`);
  }
  let subject;
  try {
    ({ payload: subject } = await jwtVerify(p.subject_token, createLocalJWKSet({ keys: keys.map(publicJwk) }), {
      issuer, audience: 'rookery-api', typ: 'at+jwt',
    }));
  } catch (e) {
    throw new errors.InvalidGrant(`subject_token: ${e.message}`);
  }
  let audience = 'rookery-api';
  if (p.audience) audience = p.audience;
  else if (p.resource) {
    if (!resources[p.resource]) throw new errors.InvalidTarget();
    audience = resources[p.resource].audience;
  }
  const had = String(subject.scope || '').split(' ').filter(Boolean);
  const scope = p.scope ? String(p.scope).split(' ').filter((s) => had.includes(s)).join(' ') : had.join(' ');
  const now = Math.floor(Date.now() / 1000);
  const jwk = keys[0];
  const claims = { scope, client_id: subject.client_id, act: { sub: ctx.oidc.client.clientId }, jti: crypto.randomUUID() };
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: jwk.kid })
    .setIssuer(issuer)
    .setSubject(String(subject.sub))
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(await importJWK(jwk, 'RS256'));
  ctx.body = { access_token: token, issued_token_type: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 600, scope };
}

let current;
let currentKeys;
const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/test/rotate') {
    currentKeys = keyset();
    current = makeProvider(server.issuer, currentKeys);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kids: currentKeys.map((k) => k.kid) }));
    return;
  }
  if (req.method === 'POST' && req.url === '/test/sign') {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', async () => {
      try {
        const { header = {}, claims = {} } = JSON.parse(body);
        const jwk = currentKeys[0];
        const key = await importJWK(jwk, 'RS256');
        const jwt = await new SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: jwk.kid, ...header })
          .sign(key);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(jwt);
      } catch (e) {
        res.writeHead(400);
        res.end(String(e));
      }
    });
    return;
  }
  current.callback()(req, res);
});

server.listen(port, '127.0.0.1', () => {
  server.issuer = `http://127.0.0.1:${server.address().port}`;
  currentKeys = keyset();
  current = makeProvider(server.issuer, currentKeys);
  process.stdout.write(`${JSON.stringify({ issuer: server.issuer })}\n`);
});

// Output the test no longer reads must not crash us.
process.stdout.on('error', () => {});

// The test holds our stdin: when it ends (test finished or killed), stop.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
