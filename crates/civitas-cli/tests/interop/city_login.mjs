// The city's login for the authorization code flow tests: a real OpenID Connect
// provider (npm oidc-provider 9.13.3, panva) on a loopback port, signing ID tokens with
// ES256, with two fixed test citizens and a tiny login form; and a browser that logs a
// citizen in through it.
//
//   node city_login.mjs serve --client-id ID --client-secret-file F --redirect-uri URL
//       prints `login http://127.0.0.1:PORT` and serves until killed.
//       Accounts (password "correct horse"): mei-ling (a full PID record),
//       no-birthdate (everything but a birthdate).
//   node city_login.mjs browse URL --account ID [--password P]
//       GETs URL and follows redirects with a cookie jar; at the provider's login
//       form submits the account; ends at the first address that is not the issuer's
//       or the provider's (the wallet's loopback redirect), which it GETs, and prints
//       `done STATUS URL` (URL without its query).
//   node city_login.mjs wallet OFFER_URI --account ID --holder-key-file F
//       an independent wallet: the OpenWallet Foundation's @openid4vc/openid4vci
//       0.4.6 (Openid4vciClient) takes an offer with the authorization_code grant,
//       pushes its authorization request (PAR, PKCE, scope), logs the citizen in as
//       `browse` does, checks the response's iss (RFC 9207), redeems the code and
//       obtains the credential with a jwt proof by the holder key (a private JWK);
//       prints one JSON line {ok, credential} | {ok: false, error, error_description}.
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const ACCOUNTS = {
  'mei-ling': {
    given_name: 'Mei-Ling',
    family_name: 'Chen',
    birthdate: '1958-03-14',
    nationality: 'TW',
    personal_number: 'A123456789',
    address: { street_address: '1 Shifu Road', locality: 'Taipei', postal_code: '110', country: 'TW' },
  },
  'no-birthdate': {
    given_name: 'Wei',
    family_name: 'Lin',
    personal_number: 'B223456789',
  },
};
const PASSWORD = 'correct horse';

async function serve() {
  const { default: Provider } = await import('oidc-provider');
  const clientId = arg('--client-id', 'civitas-issuer');
  const secret = readFileSync(arg('--client-secret-file'), 'utf8').trim();
  const redirectUri = arg('--redirect-uri');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'city-login-es256', use: 'sig', alg: 'ES256' };

  const server = http.createServer();
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const issuer = `http://127.0.0.1:${server.address().port}`;

  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: secret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    }],
    jwks: { keys: [jwk] },
    cookies: { keys: ['city-login-test-cookie-key'] },
    claims: {
      openid: ['sub'],
      profile: ['given_name', 'family_name', 'birthdate', 'nationality', 'personal_number'],
      address: ['address'],
    },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, id) {
      const claims = ACCOUNTS[id];
      if (!claims) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
    // The issuer is the city's own (first-party) client: consent is granted at once.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile address');
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();

  server.on('request', async (req, res) => {
    const url = new URL(req.url, issuer);
    const m = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
    if (!m) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(`<!doctype html><title>City login</title>
<form method="post" action="/interaction/${details.uid}/login">
<label>Account <input name="login"></label><label>Password <input name="password" type="password"></label>
<button>Log in</button></form>`);
      }
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      const account = form.get('login');
      if (!ACCOUNTS[account] || form.get('password') !== PASSWORD) {
        res.writeHead(401, { 'content-type': 'text/plain' });
        return res.end('wrong account or password');
      }
      await provider.interactionFinished(req, res, { login: { accountId: account } },
        { mergeWithLastSubmission: false });
    } catch (e) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`interaction failed: ${e.message}`);
    }
  });
  console.log(`login ${issuer}`);
}

async function browse() {
  const line = await browseTo(process.argv[3], arg('--account', 'mei-ling'), arg('--password', PASSWORD));
  console.log(line);
  if (!line.startsWith('done ')) process.exit(1);
}

// Follows `url` through the issuer and the provider's login to the first other
// origin (a wallet's redirect), which it GETs: `done STATUS URL` or `stuck …`.
async function browseTo(start, account, password) {
  let url = start;
  const jar = new Map(); // origin → Map(name → value)
  const cookies = (u) => [...(jar.get(new URL(u).origin) ?? new Map())].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (u, res) => {
    const origin = new URL(u).origin;
    const mine = jar.get(origin) ?? new Map();
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now())
        || attrs.some((a) => /^\s*max-age=0/i.test(a));
      if (expired || value === '') mine.delete(name); else mine.set(name, value);
    }
    jar.set(origin, mine);
  };
  const first = new URL(url).origin;
  let provider = null;
  let method = 'GET';
  let body;
  for (let hop = 0; hop < 20; hop += 1) {
    const origin = new URL(url).origin;
    if (origin !== first && provider && origin !== provider) {
      // The wallet's loopback redirect.
      const res = await fetch(url, { redirect: 'manual' });
      return `done ${res.status} ${url.split('?')[0]}`;
    }
    const headers = { cookie: cookies(url) };
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method, body, headers, redirect: 'manual' });
    keep(url, res);
    method = 'GET';
    body = undefined;
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location'), url).toString();
      if (origin === first && new URL(next).origin !== first) provider ??= new URL(next).origin;
      url = next;
      continue;
    }
    const text = await res.text();
    const form = text.match(/<form method="post" action="([^"]+)"/);
    if (res.status === 200 && form) {
      url = new URL(form[1], url).toString();
      method = 'POST';
      body = new URLSearchParams({ login: account, password }).toString();
      continue;
    }
    return `stuck ${res.status} ${url.split('?')[0]} ${text.slice(0, 300)}`;
  }
  return 'stuck too many redirects';
}

async function wallet() {
  const crypto = await import('node:crypto');
  const { Openid4vciClient } = await import('@openid4vc/openid4vci');
  const { setGlobalConfig, clientAuthenticationNone } = await import('@openid4vc/oauth2');
  setGlobalConfig({ allowInsecureUrls: true });
  const b64u = (buf) => Buffer.from(buf).toString('base64url');
  const hashes = { 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' };
  const privateKey = crypto.createPrivateKey({
    key: JSON.parse(readFileSync(arg('--holder-key-file'), 'utf8')),
    format: 'jwk',
  });
  const publicJwk = crypto.createPublicKey(privateKey).export({ format: 'jwk' });
  const server = http.createServer();
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const redirectUri = `http://127.0.0.1:${server.address().port}/cb`;
  let redirected;
  server.on('request', (req, res) => {
    redirected = new URL(req.url, redirectUri).toString();
    res.end('ok');
  });
  const client = new Openid4vciClient({
    callbacks: {
      hash: (data, alg) => new Uint8Array(crypto.createHash(hashes[alg]).update(data).digest()),
      generateRandom: (n) => new Uint8Array(crypto.randomBytes(n)),
      // A public client (RFC 6749 §2.1): client_id in the body, no secret.
      clientAuthentication: clientAuthenticationNone({ clientId: 'owf-wallet' }),
      fetch: globalThis.fetch,
      signJwt: async (_signer, { header, payload }) => {
        const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
        const sig = crypto.sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
        return { jwt: `${input}.${b64u(sig)}`, signerJwk: publicJwk };
      },
    },
  });
  try {
    const credentialOffer = await client.resolveCredentialOffer(process.argv[3]);
    const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
    const credentialConfigurationId = credentialOffer.credential_configuration_ids[0];
    const { authorizationRequestUrl, pkce } = await client.createAuthorizationRequestUrlFromOffer({
      credentialOffer,
      issuerMetadata,
      clientId: 'owf-wallet',
      redirectUri,
      scope: credentialConfigurationId,
    });
    const line = await browseTo(authorizationRequestUrl, arg('--account', 'mei-ling'), PASSWORD);
    if (!line.startsWith('done ') || !redirected) throw new Error(`the login did not come back: ${line}`);
    const authorizationResponse = client.parseAndVerifyAuthorizationResponseRedirectUrl({
      url: redirected,
      authorizationServerMetadata: issuerMetadata.authorizationServers[0],
    });
    if (authorizationResponse.error) {
      throw Object.assign(new Error('authorization refused'), { errorResponse: authorizationResponse });
    }
    const { accessTokenResponse } = await client.retrieveAuthorizationCodeAccessTokenFromOffer({
      credentialOffer,
      issuerMetadata,
      authorizationCode: authorizationResponse.code,
      pkceCodeVerifier: pkce?.codeVerifier,
      redirectUri,
    });
    const { c_nonce } = await client.requestNonce({ issuerMetadata });
    const { jwt } = await client.createCredentialRequestJwtProof({
      issuerMetadata,
      credentialConfigurationId,
      nonce: c_nonce,
      signer: { method: 'jwk', publicJwk, alg: 'ES256' },
    });
    const response = await client.retrieveCredentials({
      issuerMetadata,
      accessToken: accessTokenResponse.access_token,
      credentialConfigurationId,
      proofs: { jwt: [jwt] },
    });
    const body = response.credentialResponse;
    const first = body.credentials?.[0] ?? body.credential;
    const credential = typeof first === 'string' ? first : first?.credential;
    console.log(JSON.stringify({ ok: true, credential, pkce: pkce?.codeChallengeMethod }));
  } catch (e) {
    const body = e?.errorResponse ?? e?.response?.credentialErrorResponseResult?.data
      ?? e?.credentialErrorResponseResult?.data ?? e?.accessTokenErrorResponse;
    console.log(JSON.stringify({
      ok: false,
      error: body?.error ?? e?.name ?? 'error',
      error_description: body?.error_description ?? String(e?.message ?? e),
    }));
    process.exitCode = 1;
  }
  server.close();
}

const mode = process.argv[2];
if (mode === 'serve') await serve();
else if (mode === 'browse') await browse();
else if (mode === 'wallet') await wallet();
else {
  console.error('usage: city_login.mjs serve|browse|wallet …');
  process.exit(2);
}
