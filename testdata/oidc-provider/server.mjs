// Test-only OpenID Provider for Vigil's Go tests (see internal/testenv/nodeop).
// It runs the certified oidc-provider library with in-memory storage, fresh keys and
// its development login form. Never expose it: any login name signs in.
//
// Input:  OP_PORT (or argv[2]) - TCP port on 127.0.0.1, 0 picks a free one.
//         OP_CONFIG - JSON {"clients": [...client metadata...], "users": {"alice": {...}}}.
//         OP_WATCH_STDIN=1 - exit when stdin closes, so a crashed parent leaves no orphan.
// Output: first stdout line "READY <issuer>"; anything else goes to stderr.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const fail = (msg) => { console.error(`server.mjs: ${msg}`); process.exit(2); };

let cfg;
try {
  cfg = JSON.parse(process.env.OP_CONFIG ?? '{}');
} catch (err) {
  fail(`OP_CONFIG is not valid JSON: ${err.message}`);
}
const clients = cfg.clients ?? [];
const users = cfg.users ?? {};
const port = Number(process.env.OP_PORT ?? process.argv[2] ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad port ${port}`);

// Fresh signing keys per run: one EC key for ES256 and one RSA key for RS256 clients.
const jwk = (type, opts, kid) => ({
  ...generateKeyPairSync(type, opts).privateKey.export({ format: 'jwk' }), kid, use: 'sig',
});
const jwks = {
  keys: [
    { ...jwk('ec', { namedCurve: 'P-256' }, 'es256'), alg: 'ES256' },
    { ...jwk('rsa', { modulusLength: 2048 }, 'rs256'), alg: 'RS256' },
  ],
};

// The account id is the login name; claims come from the users table, else derive from the name.
async function findAccount(_ctx, id) {
  const u = users[id] ?? {};
  return {
    accountId: id,
    async claims() {
      return {
        sub: id,
        email: u.email ?? `${id}@example.com`,
        email_verified: u.email_verified ?? true,
        name: u.name ?? id,
        groups: u.groups ?? [],
      };
    },
  };
}

const server = createServer();
server.listen(port, '127.0.0.1', async () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients,
    // Client defaults match what Vigil registers with real providers.
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
    jwks,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    // Put scope claims in the ID token too, not only at userinfo: Vigil reads the ID token.
    conformIdTokenClaims: false,
    pkce: { required: () => true }, // S256 is the only method oidc-provider v9 accepts.
    features: {
      devInteractions: { enabled: true }, // login form (any name) and consent form.
      rpInitiatedLogout: { enabled: true },
      backchannelLogout: { enabled: true },
    },
    // oidc-provider refuses outgoing requests (back-channel logout) to loopback
    // addresses; here the RPs are the test's own loopback servers, and nothing else.
    fetch(url, options) {
      const { hostname } = new URL(url);
      if (!['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) {
        return Promise.reject(new Error(`refusing non-loopback fetch to ${hostname}`));
      }
      return globalThis.fetch(url, { ...options, dispatcher: undefined });
    },
    // Fixed lifetimes, long enough for any test (and it quiets the defaults' notices).
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    // Errors as one line of text, so the Go helper's error messages stay readable.
    renderError(ctx, out) {
      ctx.type = 'text';
      ctx.body = `${out.error}: ${out.error_description ?? ''}\n`;
    },
  });
  provider.on('server_error', (_ctx, err) => console.error('server_error', err));
  provider.on('backchannel.error', (_ctx, err, client) => console.error('backchannel.error', client.clientId, err));
  // Static clients are validated lazily; check them now so a bad one fails startup.
  for (const c of clients) {
    try {
      if (!await provider.Client.find(String(c.client_id))) fail(`client ${c.client_id} not found`);
    } catch (err) {
      fail(`client ${c.client_id}: ${err.message}: ${err.error_description ?? ''}`);
    }
  }
  server.on('request', provider.callback());
  // The Go harness reads exactly this line; keep its format stable.
  process.stdout.write(`READY ${issuer}\n`);
});
server.on('error', (err) => fail(`listen: ${err.message}`));

if (process.env.OP_WATCH_STDIN === '1') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
