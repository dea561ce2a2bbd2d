//! The vault header: the Argon2id parameters and salt, and the data key wrapped under
//! the key derived from the passphrase (AES-256-GCM, bound to the vault id), with a
//! checksum; stored in the vault file's `header` table.

use crate::seal::{KdfParams, Key, sha256};
use crate::{Error, Result};
use civitas_crypto::Rng;
use rusqlite::{Connection, OptionalExtension, params};

pub(crate) const MAGIC: &str = "civitas-wallet-vault";
pub(crate) const FORMAT: u32 = 1;

/// The vault header: everything needed to turn the passphrase into the data key.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub(crate) vault_id: [u8; 16],
    pub(crate) kdf: KdfParams,
    salt: Vec<u8>,
    wrapped_key: Vec<u8>,
}

impl Header {
    pub(crate) fn kdf_json(&self) -> String {
        serde_json::to_string(&self.kdf).unwrap_or_default()
    }

    /// Binds the wrapped key to this vault and these KDF inputs: a header with other
    /// parameters (a downgrade) cannot unwrap it.
    pub(crate) fn wrap_aad(vault_id: &[u8], kdf_json: &str, salt: &[u8]) -> Vec<u8> {
        let mut aad = b"civitas-vault-v1 data key\0".to_vec();
        aad.extend_from_slice(vault_id);
        aad.extend_from_slice(kdf_json.as_bytes());
        aad.push(0);
        aad.extend_from_slice(salt);
        aad
    }

    /// An unkeyed checksum that tells a damaged header from a wrong passphrase.
    pub(crate) fn checksum(
        vault_id: &[u8],
        kdf_json: &str,
        salt: &[u8],
        wrapped: &[u8],
    ) -> [u8; 32] {
        sha256(&[
            MAGIC.as_bytes(),
            &FORMAT.to_be_bytes(),
            vault_id,
            kdf_json.as_bytes(),
            &[0],
            salt,
            wrapped,
        ])
    }

    pub(crate) fn wrap(
        vault_id: [u8; 16],
        kdf: KdfParams,
        passphrase: &[u8],
        data_key: &Key,
        rng: &dyn Rng,
    ) -> Result<Header> {
        let mut salt = vec![0u8; 16];
        rng.fill(&mut salt)?;
        let kek = kdf.derive(passphrase, &salt)?;
        let kdf_json = serde_json::to_string(&kdf).unwrap_or_default();
        let wrapped_key = kek.seal(
            rng,
            &Self::wrap_aad(&vault_id, &kdf_json, &salt),
            data_key.as_bytes(),
        )?;
        Ok(Header {
            vault_id,
            kdf,
            salt,
            wrapped_key,
        })
    }

    pub(crate) fn unwrap_key(&self, passphrase: &[u8]) -> Result<Option<Key>> {
        let kek = self.kdf.derive(passphrase, &self.salt)?;
        let aad = Self::wrap_aad(&self.vault_id, &self.kdf_json(), &self.salt);
        Ok(kek
            .open(&aad, &self.wrapped_key)
            .and_then(|k| Key::from_slice(&k)))
    }

    pub(crate) fn write(&self, conn: &Connection) -> Result<()> {
        let kdf_json = self.kdf_json();
        let checksum = Self::checksum(&self.vault_id, &kdf_json, &self.salt, &self.wrapped_key);
        conn.execute(
            "INSERT OR REPLACE INTO header(one, magic, format, vault_id, kdf, salt, wrapped_key, checksum)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                MAGIC,
                FORMAT,
                &self.vault_id[..],
                kdf_json,
                self.salt,
                self.wrapped_key,
                &checksum[..]
            ],
        )?;
        Ok(())
    }

    pub(crate) fn read(conn: &Connection, file: &str) -> Result<Header> {
        let row = conn
            .query_row(
                "SELECT magic, format, vault_id, kdf, salt, wrapped_key, checksum FROM header WHERE one = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, Vec<u8>>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Vec<u8>>(4)?,
                        r.get::<_, Vec<u8>>(5)?,
                        r.get::<_, Vec<u8>>(6)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| match Error::from(e) {
                Error::Storage(_) => Error::NotAVault(file.to_string()),
                other => other,
            })?;
        let (magic, format, vault_id, kdf_json, salt, wrapped_key, checksum) =
            row.ok_or_else(|| Error::Corrupted("the vault header is missing".into()))?;
        if magic != MAGIC {
            return Err(Error::NotAVault(file.to_string()));
        }
        if format != i64::from(FORMAT) {
            return Err(Error::UnsupportedFormat(
                u32::try_from(format).unwrap_or(u32::MAX),
            ));
        }
        if Header::checksum(&vault_id, &kdf_json, &salt, &wrapped_key)[..] != checksum[..] {
            return Err(Error::Corrupted(
                "the vault header fails its checksum (damaged on disk)".into(),
            ));
        }
        let vault_id: [u8; 16] = vault_id
            .try_into()
            .map_err(|_| Error::Corrupted("the vault id has the wrong length".into()))?;
        let kdf: KdfParams = serde_json::from_str(&kdf_json)
            .map_err(|_| Error::Corrupted("the KDF parameters are unreadable".into()))?;
        kdf.check()?;
        Ok(Header {
            vault_id,
            kdf,
            salt,
            wrapped_key,
        })
    }
}
