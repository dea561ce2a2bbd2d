// The npm peer: OpenWallet Foundation's @sd-jwt/sd-jwt-vc 0.19.0 over node:crypto.
// Driven by crates/civitas-cli/tests/interop.rs; install with setup.sh beside this file.
//
//   node sd_jwt_vc_peer.mjs issue-and-present < request.json
//     request: {claims, disclosable: [names], vct, iat, exp?, disclose: [names],
//               nonce, aud, kb_iat, alg?: "ES256"|"EdDSA", did_jwk_members?: "sorted"|"node"}
//     answer:  {issuer, credential, presentation, holder_jwk}
//   node sd_jwt_vc_peer.mjs verify < request.json
//     request: {presentations: [text], nonce, aud, at}
//     answer:  [{ok: true, payload, header, kb} | {ok: false, error}] (one per input)
//
// Issuer keys come from the did:jwk in `iss` (the only method this peer resolves); the
// holder key from `cnf.jwk`. Signatures are plain node:crypto (ES256 in IEEE P1363 form).

import * as crypto from 'node:crypto';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { digest, generateSalt } from '@sd-jwt/crypto-nodejs';

const b64u = (buf) => Buffer.from(buf).toString('base64url');

function nodeAlg(alg) {
  if (alg === 'ES256') return { gen: ['ec', { namedCurve: 'P-256' }], hash: 'sha256' };
  if (alg === 'EdDSA') return { gen: ['ed25519', {}], hash: null };
  throw new Error(`unsupported alg ${alg}`);
}

function algOfJwk(jwk) {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  throw new Error(`unsupported key ${JSON.stringify(jwk)}`);
}

function signer(privateKey, alg) {
  const { hash } = nodeAlg(alg);
  return (data) =>
    b64u(crypto.sign(hash, Buffer.from(data), { key: privateKey, dsaEncoding: 'ieee-p1363' }));
}

function verifierFor(jwk, expectedAlg) {
  const alg = algOfJwk(jwk);
  if (expectedAlg && expectedAlg !== alg) throw new Error(`alg ${expectedAlg} does not fit the key`);
  const { hash } = nodeAlg(alg);
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  return (data, sig) =>
    crypto.verify(hash, Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'));
}

function decodeJwtPart(text, index) {
  return JSON.parse(Buffer.from(text.split('.')[index], 'base64url').toString('utf8'));
}

function jwkOfDidJwk(did) {
  if (typeof did !== 'string' || !did.startsWith('did:jwk:')) {
    throw new Error(`this peer resolves only did:jwk, not ${did}`);
  }
  return JSON.parse(Buffer.from(did.slice('did:jwk:'.length).split('#')[0], 'base64url').toString('utf8'));
}

function sortedMembers(obj) {
  return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
}

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function issueAndPresent(req) {
  const alg = req.alg ?? 'ES256';
  const issuerKeys = crypto.generateKeyPairSync(...nodeAlg(alg).gen);
  const holderKeys = crypto.generateKeyPairSync(...nodeAlg(alg).gen);
  let issuerJwk = issuerKeys.publicKey.export({ format: 'jwk' });
  if ((req.did_jwk_members ?? 'sorted') === 'sorted') issuerJwk = sortedMembers(issuerJwk);
  const holderJwk = holderKeys.publicKey.export({ format: 'jwk' });
  const issuer = `did:jwk:${b64u(JSON.stringify(issuerJwk))}`;

  const sdjwt = new SDJwtVcInstance({
    signer: signer(issuerKeys.privateKey, alg),
    signAlg: alg,
    kbSigner: signer(holderKeys.privateKey, alg),
    kbSignAlg: alg,
    verifier: verifierFor(issuerJwk, alg),
    kbVerifier: verifierFor(holderJwk, alg),
    hasher: digest,
    hashAlg: 'sha-256',
    saltGenerator: generateSalt,
  });
  const payload = {
    iss: issuer,
    iat: req.iat,
    vct: req.vct,
    cnf: { jwk: holderJwk },
    ...req.claims,
  };
  if (req.exp !== undefined) payload.exp = req.exp;
  const credential = await sdjwt.issue(
    payload,
    { _sd: req.disclosable },
    { header: { typ: 'dc+sd-jwt', kid: `${issuer}#0` } },
  );
  const frame = Object.fromEntries(req.disclose.map((name) => [name, true]));
  const presentation = await sdjwt.present(credential, frame, {
    kb: { payload: { iat: req.kb_iat, aud: req.aud, nonce: req.nonce } },
  });
  return { issuer, credential, presentation, holder_jwk: holderJwk };
}

async function verifyOne(presentation, req) {
  const text = presentation.trim();
  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    hashAlg: 'sha-256',
    // The issuer's key: from the did:jwk in `iss` of the very token being checked.
    verifier: (data, sig) => {
      const header = decodeJwtPart(data, 0);
      const payload = decodeJwtPart(data, 1);
      return verifierFor(jwkOfDidJwk(payload.iss), header.alg)(data, sig);
    },
    kbVerifier: (data, sig, payload) => {
      const header = decodeJwtPart(data, 0);
      return verifierFor(payload.cnf.jwk, header.alg)(data, sig);
    },
  });
  const result = await sdjwt.verify(text, { keyBindingNonce: req.nonce, currentDate: req.at });
  if (result.kb && req.aud !== undefined && result.kb.payload.aud !== req.aud) {
    // The library leaves the audience to its caller.
    throw new Error(`KB-JWT aud ${result.kb.payload.aud} is not ${req.aud}`);
  }
  return { ok: true, payload: result.payload, header: result.header, kb: result.kb };
}

async function verify(req) {
  const out = [];
  for (const p of req.presentations) {
    try {
      out.push(await verifyOne(p, req));
    } catch (e) {
      out.push({ ok: false, error: String(e?.message ?? e) });
    }
  }
  return out;
}

const commands = { 'issue-and-present': issueAndPresent, verify };
const command = commands[process.argv[2]];
if (!command) {
  console.error(`usage: node sd_jwt_vc_peer.mjs ${Object.keys(commands).join('|')} < request.json`);
  process.exit(2);
}
process.stdout.write(JSON.stringify(await command(await readStdin())) + '\n');
