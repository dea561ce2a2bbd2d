//! The symmetric primitives: AES-256-GCM (ring) with random 96-bit nonces, HKDF-SHA256
//! (ring), and Argon2id (RustCrypto `argon2`) for the passphrase.

use crate::{Error, Result};
use civitas_crypto::Rng;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::Zeroizing;

/// A 256-bit symmetric key, wiped on drop.
#[derive(Clone)]
pub(crate) struct Key(Zeroizing<[u8; 32]>);

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

impl Key {
    pub(crate) fn random(rng: &dyn Rng) -> Result<Self> {
        let mut k = Zeroizing::new([0u8; 32]);
        rng.fill(&mut *k)?;
        Ok(Key(k))
    }

    pub(crate) fn from_slice(bytes: &[u8]) -> Option<Self> {
        let mut k = Zeroizing::new([0u8; 32]);
        if bytes.len() != 32 {
            return None;
        }
        k.copy_from_slice(bytes);
        Some(Key(k))
    }

    pub(crate) fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn aead(&self) -> LessSafeKey {
        // A 32-byte key is always a valid AES-256 key.
        #[allow(clippy::expect_used)]
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &*self.0).expect("32-byte AES-256 key"))
    }

    /// `nonce || ciphertext || tag`. The nonce is random: a vault makes far fewer than
    /// 2^32 encryptions under one key, so a collision is negligible (NIST SP 800-38D
    /// §8.3).
    pub(crate) fn seal(&self, rng: &dyn Rng, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill(&mut nonce)?;
        let mut buf = Vec::with_capacity(NONCE_LEN + plaintext.len() + 16);
        buf.extend_from_slice(&nonce);
        let mut body = plaintext.to_vec();
        self.aead()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                &mut body,
            )
            .map_err(|_| Error::Corrupted("encryption failed".into()))?;
        buf.extend_from_slice(&body);
        Ok(buf)
    }

    /// Opens what [`Key::seal`] made; `None` when it does not authenticate.
    pub(crate) fn open(&self, aad: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        if sealed.len() < NONCE_LEN + 16 {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut body = Zeroizing::new(body.to_vec());
        let len = self
            .aead()
            .open_in_place(nonce, Aad::from(aad), &mut body)
            .ok()?
            .len();
        body.truncate(len);
        Some(body)
    }
}

struct Len(usize);

impl ring::hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// HKDF-SHA256 (RFC 5869): extract with `salt`, expand with `info`.
pub(crate) fn hkdf(salt: &[u8], ikm: &[u8], info: &[&[u8]], out: &mut [u8]) -> Result<()> {
    let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, salt).extract(ikm);
    prk.expand(info, Len(out.len()))
        .and_then(|okm| okm.fill(out))
        .map_err(|_| Error::Corrupted("HKDF output length".into()))
}

/// SHA-256.
pub(crate) fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for p in parts {
        ctx.update(p);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Argon2id parameters, stored in the vault header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes (time cost).
    pub t: u32,
    /// Lanes (parallelism).
    pub p: u32,
}

impl KdfParams {
    /// RFC 9106 §4, the second recommended option: 64 MiB, 3 passes, 4 lanes. The
    /// desktop default, and the starting point of [`KdfParams::calibrate`].
    pub const RFC9106_SECOND: KdfParams = KdfParams {
        m_kib: 64 * 1024,
        t: 3,
        p: 4,
    };

    /// The floor, OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane. Nothing
    /// weaker is accepted, on creation or on opening.
    pub const MINIMUM: KdfParams = KdfParams {
        m_kib: 19 * 1024,
        t: 2,
        p: 1,
    };

    /// Whether these parameters are at least the floor.
    pub fn is_acceptable(&self) -> bool {
        self.m_kib >= Self::MINIMUM.m_kib
            && self.t >= Self::MINIMUM.t
            && self.p >= Self::MINIMUM.p
            && self.p <= 64
            && self.m_kib <= 4 * 1024 * 1024
            && self.t <= 64
            && self.m_kib >= 8 * self.p
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.is_acceptable() {
            Ok(())
        } else {
            Err(Error::WeakKdf(self.to_string()))
        }
    }

    /// Derives the 32-byte key-encryption key from `passphrase` and `salt`.
    pub(crate) fn derive(&self, passphrase: &[u8], salt: &[u8]) -> Result<Key> {
        self.check()?;
        let params = argon2::Params::new(self.m_kib, self.t, self.p, Some(32))
            .map_err(|e| Error::WeakKdf(format!("{self} ({e})")))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(passphrase, salt, &mut *out)
            .map_err(|e| Error::WeakKdf(format!("{self} ({e})")))?;
        Ok(Key(out))
    }

    /// Starting from RFC 9106's second recommendation, the strongest parameters whose
    /// derivation takes at most `budget_ms` on this machine: more passes while the
    /// budget allows; if even the starting point is too slow (a weak device), less
    /// memory and fewer passes, never below [`KdfParams::MINIMUM`]. Returns the
    /// parameters and the measured time of one derivation with them (ms).
    pub fn calibrate(budget_ms: u64) -> Result<(KdfParams, u64)> {
        let salt = [0u8; 16];
        let time = |p: &KdfParams| -> Result<u64> {
            let start = std::time::Instant::now();
            p.derive(b"calibration", &salt)?;
            Ok(u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX))
        };
        let mut params = Self::RFC9106_SECOND;
        // The first run pays for starting the lane threads; then the slower of two
        // runs, so a quiet moment does not set a budget a busy one would miss.
        time(&params)?;
        let mut ms = time(&params)?.max(time(&params)?);
        if ms <= budget_ms {
            // RFC 9106 §4: memory fixed, the most passes that fit the time budget.
            // Each pass costs about the same: scale the passes to the budget (keeping
            // a 20% margin for a busier machine: the lanes need every core), measure,
            // and correct, a few times.
            let target = budget_ms * 8 / 10;
            for _ in 0..4 {
                let per_pass = (ms as f64 / f64::from(params.t)).max(0.1);
                let fit = (target as f64 / per_pass).floor();
                let t = if fit >= 64.0 { 64 } else { fit as u32 }.max(Self::RFC9106_SECOND.t);
                if t == params.t {
                    break;
                }
                let previous = (params, ms);
                params.t = t;
                ms = time(&params)?.max(time(&params)?);
                if ms > budget_ms {
                    (params, ms) = previous;
                    break;
                }
            }
            return Ok((params, ms));
        }
        for candidate in [
            KdfParams {
                m_kib: 64 * 1024,
                t: 2,
                p: 4,
            },
            KdfParams {
                m_kib: 46 * 1024,
                t: 2,
                p: 2,
            },
            KdfParams {
                m_kib: 32 * 1024,
                t: 2,
                p: 1,
            },
            Self::MINIMUM,
        ] {
            params = candidate;
            ms = time(&params)?;
            if ms <= budget_ms {
                break;
            }
        }
        Ok((params, ms))
    }
}

impl fmt::Display for KdfParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Argon2id m={} MiB, t={}, p={}",
            self.m_kib / 1024,
            self.t,
            self.p
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use civitas_crypto::SeededRng;

    #[test]
    fn seal_binds_aad() {
        let rng = SeededRng::new(1);
        let k = Key::random(&rng).unwrap();
        let s = k.seal(&rng, b"a", b"hello").unwrap();
        assert_eq!(&**k.open(b"a", &s).unwrap(), b"hello");
        assert!(k.open(b"b", &s).is_none());
        let mut t = s.clone();
        t[14] ^= 1;
        assert!(k.open(b"a", &t).is_none());
        assert!(k.open(b"a", &s[..20]).is_none());
    }

    #[test]
    fn floor_is_enforced() {
        assert!(KdfParams::MINIMUM.is_acceptable());
        assert!(KdfParams::RFC9106_SECOND.is_acceptable());
        let weak = KdfParams {
            m_kib: 8 * 1024,
            t: 2,
            p: 1,
        };
        assert!(matches!(
            weak.derive(b"x", &[0; 16]),
            Err(Error::WeakKdf(_))
        ));
    }
}
