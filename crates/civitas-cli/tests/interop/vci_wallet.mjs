// An OpenID4VCI 1.0 wallet built on the OpenWallet Foundation's @openid4vc/openid4vci
// 0.4.6 (Openid4vciClient): resolve the offer → issuer metadata → token with the
// pre-authorized code and tx_code → nonce → a jwt key proof → credential.
// Driven by crates/civitas-cli/tests/vci.rs; install with setup.sh beside this file.
//
//   node vci_wallet.mjs < request.json
//     request: {offer: "openid-credential-offer://…", tx_code: "123456",
//               holder_key?: JWK (private; default: a fresh ES256 key)}
//     answer (stdout, one line): {ok: true, credential, credential_configuration_id,
//               holder_jwk, credential_issuer}
//                              | {ok: false, error, error_description?}
//
// The proof is signed with the holder key and carries it as `jwk` (the binding method
// every issuer here supports). Signatures are plain node:crypto (ES256 in IEEE P1363).

import * as crypto from 'node:crypto';
import { Openid4vciClient } from '@openid4vc/openid4vci';
import { setGlobalConfig } from '@openid4vc/oauth2';

setGlobalConfig({ allowInsecureUrls: true });

const b64u = (buf) => Buffer.from(buf).toString('base64url');

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function nodeHash(alg) {
  return { 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' }[alg];
}

const request = await readStdin();
const privateKey = request.holder_key
  ? crypto.createPrivateKey({ key: request.holder_key, format: 'jwk' })
  : crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const publicJwk = crypto.createPublicKey(privateKey).export({ format: 'jwk' });

const client = new Openid4vciClient({
  callbacks: {
    hash: (data, alg) => new Uint8Array(crypto.createHash(nodeHash(alg)).update(data).digest()),
    generateRandom: (n) => new Uint8Array(crypto.randomBytes(n)),
    clientAuthentication: () => {},
    fetch: globalThis.fetch,
    signJwt: async (_signer, { header, payload }) => {
      const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
      const sig = crypto.sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return { jwt: `${input}.${b64u(sig)}`, signerJwk: publicJwk };
    },
  },
});

try {
  const credentialOffer = await client.resolveCredentialOffer(request.offer);
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer,
    issuerMetadata,
    txCode: request.tx_code,
  });
  const credentialConfigurationId = credentialOffer.credential_configuration_ids[0];
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
  process.stdout.write(
    `${JSON.stringify({
      ok: true,
      credential,
      credential_configuration_id: credentialConfigurationId,
      holder_jwk: publicJwk,
      credential_issuer: credentialOffer.credential_issuer,
    })}\n`,
  );
} catch (e) {
  const body =
    e?.errorResponse ??
    e?.response?.credentialErrorResponseResult?.data ??
    e?.credentialErrorResponseResult?.data ??
    e?.accessTokenErrorResponse;
  process.stdout.write(
    `${JSON.stringify({
      ok: false,
      error: body?.error ?? e?.name ?? 'error',
      error_description: body?.error_description ?? String(e?.message ?? e),
    })}\n`,
  );
  process.exitCode = 1;
}
