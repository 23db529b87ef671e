// Test-only relying party on openid-client (v6), an OpenID-certified RP
// library, for Vigil's interop tests (internal/testenv/nodeclient). It runs
// the authorization code flow with PKCE (S256), state and nonce against the
// OP under test and lets the library validate the ID token.
//
// Environment:
//   RP_PORT          - port to listen on at 127.0.0.1 (chosen by the caller,
//                      so that the redirect URI can be registered first)
//   RP_ISSUER        - the OP's issuer URL; plain http only for loopback hosts
//   RP_CLIENT_ID     - client_id
//   RP_CLIENT_SECRET - client_secret (client_secret_basic); empty: public client
//   RP_SCOPES        - space-separated scopes, default "openid email profile"
//   RP_WATCH_STDIN=1 - exit when stdin closes, so a crashed parent leaves no orphan
// Output: first stdout line "READY <base url>"; diagnostics go to stderr.
// Routes: GET /login redirects to the OP; GET /callback answers JSON
// {"ok":true,"id_token_validated":true,"id_token_claims":{...},"userinfo":{...}}
// or {"ok":false,"error":"...","message":"..."}.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';

const fail = (msg) => { console.error(`rp.mjs: ${msg}`); process.exit(2); };

const env = process.env;
const port = Number.parseInt(env.RP_PORT ?? '', 10);
if (!Number.isInteger(port) || port < 1 || port > 65535) fail('RP_PORT must be a port number');
let issuer;
try { issuer = new URL(env.RP_ISSUER ?? ''); } catch { fail('RP_ISSUER must be a URL'); }
const clientId = env.RP_CLIENT_ID ?? '';
if (clientId === '') fail('RP_CLIENT_ID is required');
const clientSecret = env.RP_CLIENT_SECRET ?? '';
const scope = env.RP_SCOPES || 'openid email profile';
if (!scope.split(' ').includes('openid')) fail('RP_SCOPES must include openid');

// Plain http is allowed only for a loopback issuer; anything else keeps the
// library's HTTPS-only rule.
const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && loopback)) {
  fail(`issuer ${issuer.href} must be https (http only on loopback)`);
}
const base = `http://127.0.0.1:${port}`;
const redirectURI = `${base}/callback`;

let config;
try {
  config = await client.discovery(
    issuer,
    clientId,
    { redirect_uris: [redirectURI] },
    clientSecret === '' ? client.None() : client.ClientSecretBasic(clientSecret),
    issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined,
  );
} catch (err) {
  fail(`discovery at ${issuer.href}: ${err?.message ?? err}`);
}

// One pending login per browser, keyed by a random cookie; single use.
const pending = new Map();
const maxPending = 1000;
const cookieName = 'vigil_rp_login';

const sendJSON = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
};

const readCookie = (req) => {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === cookieName) return v.join('=');
  }
  return '';
};

async function login(res) {
  if (pending.size >= maxPending) return sendJSON(res, 503, { ok: false, error: 'too_many_pending_logins' });
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const id = randomBytes(24).toString('base64url');
  pending.set(id, { codeVerifier, state, nonce });
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectURI,
    scope,
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  });
  res.writeHead(302, {
    location: url.href,
    'set-cookie': `${cookieName}=${id}; Path=/; HttpOnly; SameSite=Lax`,
    'cache-control': 'no-store',
  });
  res.end();
}

async function callback(req, res) {
  const id = readCookie(req);
  const p = pending.get(id);
  if (!p) return sendJSON(res, 400, { ok: false, error: 'no_pending_login', message: 'no login in progress for this browser' });
  pending.delete(id);
  try {
    const tokens = await client.authorizationCodeGrant(config, new URL(req.url, base), {
      pkceCodeVerifier: p.codeVerifier,
      expectedState: p.state,
      expectedNonce: p.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('no ID token claims after validation');
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    sendJSON(res, 200, {
      ok: true,
      id_token_validated: true,
      id_token_claims: claims,
      userinfo,
      token_type: tokens.token_type,
      scope: tokens.scope ?? '',
    });
  } catch (err) {
    // Error codes and messages only: never tokens or secrets.
    const cause = typeof err?.cause?.message === 'string' ? `: ${err.cause.message}` : '';
    sendJSON(res, 400, {
      ok: false,
      error: err?.error ?? err?.code ?? err?.name ?? 'error',
      message: String(err?.error_description ?? err?.message ?? err) + cause,
    });
  }
}

const server = createServer((req, res) => {
  const path = new URL(req.url, base).pathname;
  const handle = req.method !== 'GET' ? sendJSON(res, 405, { ok: false, error: 'method_not_allowed' })
    : path === '/login' ? login(res)
    : path === '/callback' ? callback(req, res)
    : sendJSON(res, 404, { ok: false, error: 'not_found' });
  Promise.resolve(handle).catch((err) => {
    console.error(`rp.mjs: ${req.method} ${path}: ${err?.message ?? err}`);
    if (!res.headersSent) sendJSON(res, 500, { ok: false, error: 'internal' });
  });
});

server.on('error', (err) => fail(`listen: ${err.message}`));
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`READY ${base}\n`);
});

if (env.RP_WATCH_STDIN === '1') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
