// An OpenID4VCI 1.0 issuer built on the OpenWallet Foundation's @openid4vc/openid4vci and
// @openid4vc/oauth2 0.4.6 (issuer metadata, offer, token with the pre-authorized code
// and tx_code, nonce, credential request and proof checks), signing SD-JWT VCs with
// @sd-jwt/sd-jwt-vc 0.19.0. Driven by crates/civitas-cli/tests/vci.rs; install with
// setup.sh beside this file.
//
//   node vci_issuer.mjs < config.json
//     config: {key: JWK (private, ES256), did: "did:jwk:…" (the key's DID, as Civitas
//              writes it), vct, configuration_id, claims: {…}, disclosable: [names],
//              tx_code: "123456",
//              misbehave?: "other-key" | "other-vct"}   (for the wallet's refusal tests)
//   The first stdout line: {"credential_issuer": URL, "offer_uri": "openid-credential-offer://…"}.
//   It serves on 127.0.0.1 (a free port) until killed; one line per request on stderr.
//
// The issuer is a did:jwk (`iss`, `kid` = did#0): the Civitas wallet checks the
// credential through its resolver and wants the issuer accredited for the type, so
// the test names this DID as a trusted root of the wallet (`--root`).

import * as http from 'node:http';
import * as crypto from 'node:crypto';
import { Openid4vciIssuer } from '@openid4vc/openid4vci';
import {
  Oauth2AuthorizationServer,
  Oauth2ServerErrorResponseError,
  preAuthorizedCodeGrantIdentifier,
  setGlobalConfig,
} from '@openid4vc/oauth2';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { digest, generateSalt } from '@sd-jwt/crypto-nodejs';

setGlobalConfig({ allowInsecureUrls: true });

const b64u = (buf) => Buffer.from(buf).toString('base64url');

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

const config = await readStdin();
const privateKey = crypto.createPrivateKey({ key: config.key, format: 'jwk' });
const publicJwk = crypto.createPublicKey(privateKey).export({ format: 'jwk' });
const kid = `${config.did}#0`;

function es256(data, key) {
  return b64u(crypto.sign('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }));
}

function nodeHash(alg) {
  return { 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' }[alg];
}

function verifyWithJwk(jwk, alg, compact) {
  const [h, p, s] = compact.split('.');
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  const hash = alg === 'EdDSA' ? null : 'sha256';
  return crypto.verify(hash, Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
}

const callbacks = {
  hash: (data, alg) => new Uint8Array(crypto.createHash(nodeHash(alg)).update(data).digest()),
  generateRandom: (n) => new Uint8Array(crypto.randomBytes(n)),
  clientAuthentication: () => {},
  signJwt: async (_signer, { header, payload }) => {
    const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
    return { jwt: `${input}.${es256(input, privateKey)}`, signerJwk: publicJwk };
  },
  // Proof JWTs: `jwk` in the header, or a did:jwk `kid` (this peer resolves no other
  // DID method: a did:webvh kid does not verify here).
  verifyJwt: async (signer, { header, compact }) => {
    let jwk = signer.publicJwk;
    if (!jwk && signer.method === 'did' && signer.didUrl?.startsWith('did:jwk:')) {
      jwk = JSON.parse(Buffer.from(signer.didUrl.slice(8).split('#')[0], 'base64url').toString('utf8'));
    }
    if (!jwk) return { verified: false };
    try {
      return verifyWithJwk(jwk, header.alg, compact) ? { verified: true, signerJwk: jwk } : { verified: false, signerJwk: jwk };
    } catch {
      return { verified: false };
    }
  },
};

const issuer = new Openid4vciIssuer({ callbacks });
const authorizationServer = new Oauth2AuthorizationServer({ callbacks });

const preAuthorizedCode = b64u(crypto.randomBytes(32));
let codeUsed = false;
const accessTokens = new Set();
const nonces = new Set();

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    handle(req, Buffer.concat(chunks).toString('utf8'))
      .then(([status, body]) => send(res, status, body))
      .catch((e) => {
        if (e instanceof Oauth2ServerErrorResponseError) {
          send(res, e.status ?? 400, e.errorResponse);
        } else {
          process.stderr.write(`vci_issuer: ${e?.stack ?? e}\n`);
          send(res, 500, { error: 'server_error', error_description: String(e?.message ?? e) });
        }
      });
  });
});

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

server.listen(0, '127.0.0.1', async () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const credentialIssuer = issuer.createCredentialIssuerMetadata({
    credential_issuer: base,
    credential_endpoint: `${base}/credential`,
    nonce_endpoint: `${base}/nonce`,
    display: [{ name: 'npm OpenID4VCI issuer', locale: 'en-US' }],
    credential_configurations_supported: {
      [config.configuration_id]: {
        format: 'dc+sd-jwt',
        vct: config.vct,
        cryptographic_binding_methods_supported: ['jwk'],
        credential_signing_alg_values_supported: ['ES256'],
        proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256', 'EdDSA'] } },
      },
    },
  });
  const authorizationServerMetadata = authorizationServer.createAuthorizationServerMetadata({
    issuer: base,
    token_endpoint: `${base}/token`,
    'pre-authorized_grant_anonymous_access_supported': true,
  });
  state.base = base;
  state.metadata = {
    originalDraftVersion: 'V1',
    credentialIssuer,
    authorizationServers: [authorizationServerMetadata],
    knownCredentialConfigurations: credentialIssuer.credential_configurations_supported,
  };
  const { credentialOffer } = await issuer.createCredentialOffer({
    issuerMetadata: state.metadata,
    credentialConfigurationIds: [config.configuration_id],
    grants: {
      [preAuthorizedCodeGrantIdentifier]: {
        'pre-authorized_code': preAuthorizedCode,
        tx_code: { input_mode: 'numeric', length: config.tx_code.length, description: 'The PIN the clerk gave you' },
      },
    },
  });
  process.stdout.write(`${JSON.stringify({ credential_issuer: base, offer_uri: credentialOffer })}\n`);
});

const state = {};

async function handle(req, body) {
  const url = new URL(req.url, state.base);
  process.stderr.write(`vci_issuer: ${req.method} ${url.pathname}\n`);
  const requestLike = { method: req.method, url: `${state.base}${url.pathname}`, headers: new Headers(req.headers) };
  if (req.method === 'GET' && url.pathname === '/.well-known/openid-credential-issuer') {
    return [200, state.metadata.credentialIssuer];
  }
  if (req.method === 'GET' && url.pathname === '/.well-known/oauth-authorization-server') {
    return [200, state.metadata.authorizationServers[0]];
  }
  if (req.method === 'POST' && url.pathname === '/token') {
    const form = Object.fromEntries(new URLSearchParams(body));
    const parsed = authorizationServer.parseAccessTokenRequest({ request: requestLike, accessTokenRequest: form });
    if (parsed.grant.grantType !== preAuthorizedCodeGrantIdentifier) {
      return [400, { error: 'unsupported_grant_type' }];
    }
    if (codeUsed) return [400, { error: 'invalid_grant', error_description: 'the pre-authorized code was used' }];
    await authorizationServer.verifyPreAuthorizedCodeAccessTokenRequest({
      authorizationServerMetadata: state.metadata.authorizationServers[0],
      grant: parsed.grant,
      accessTokenRequest: parsed.accessTokenRequest,
      request: requestLike,
      expectedPreAuthorizedCode: preAuthorizedCode,
      expectedTxCode: config.tx_code,
    });
    codeUsed = true;
    const response = await authorizationServer.createAccessTokenResponse({
      authorizationServer: state.base,
      audience: state.base,
      expiresInSeconds: 300,
      subject: 'pre-authorized',
      signer: { method: 'jwk', publicJwk, alg: 'ES256' },
    });
    accessTokens.add(response.access_token);
    return [200, response];
  }
  if (req.method === 'POST' && url.pathname === '/nonce') {
    const cNonce = b64u(crypto.randomBytes(16));
    nonces.add(cNonce);
    return [200, issuer.createNonceResponse({ cNonce, cNonceExpiresIn: 300 })];
  }
  if (req.method === 'POST' && url.pathname === '/credential') {
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!accessTokens.has(token)) return [401, { error: 'invalid_token' }];
    const credentialRequest = issuer.parseCredentialRequest({
      issuerMetadata: state.metadata,
      credentialRequest: JSON.parse(body),
    });
    const jwt = credentialRequest.proofs?.jwt?.[0];
    if (!jwt) return [400, { error: 'invalid_proof', error_description: 'no jwt proof' }];
    const nonce = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')).nonce;
    if (!nonces.has(nonce)) return [400, { error: 'invalid_nonce' }];
    nonces.delete(nonce);
    const { signer } = await issuer.verifyCredentialRequestJwtProof({
      issuerMetadata: state.metadata,
      jwt,
      expectedNonce: nonce,
    });
    let holderJwk = signer.publicJwk;
    if (config.misbehave === 'other-key') {
      holderJwk = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    }
    const sdjwt = new SDJwtVcInstance({
      signer: (data) => es256(data, privateKey),
      signAlg: 'ES256',
      hasher: digest,
      hashAlg: 'sha-256',
      saltGenerator: generateSalt,
    });
    const vct = config.misbehave === 'other-vct' ? 'https://example.invalid/other-type' : config.vct;
    const credential = await sdjwt.issue(
      { iss: config.did, iat: Math.floor(Date.now() / 1000) - 5, vct, cnf: { jwk: holderJwk }, ...config.claims },
      { _sd: config.disclosable ?? [] },
      { header: { typ: 'dc+sd-jwt', kid } },
    );
    return [200, issuer.createCredentialResponse({ credentialRequest, credentials: [{ credential }] })];
  }
  return [404, { error: 'invalid_request', error_description: 'no such endpoint' }];
}
