//! Encryption of stored ActivTrak API keys with AES-256-GCM.
//!
//! Each ciphertext is `nonce ‖ ciphertext+tag` with a random 96-bit nonce, is
//! bound to its monday account through the associated data (a row copied to
//! another account fails to decrypt), and is stored beside the id of the key
//! that sealed it, so that keys can rotate: the keyring holds one current key
//! and any number of previous ones.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use thiserror::Error;

const NONCE_LEN: usize = 12;

/// One AES-256 key and its id. `Debug` shows the id only.
#[derive(Clone)]
pub struct EncryptionKey {
    id: String,
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptionKey").field("id", &self.id).finish_non_exhaustive()
    }
}

impl EncryptionKey {
    /// Builds a key from 32 raw bytes; `None` for any other length. The id is
    /// the first 16 hex digits of the key's SHA-256, so the same key always
    /// gets the same id without a separate setting, and the id reveals
    /// nothing useful about the key.
    pub fn from_bytes(bytes: &[u8]) -> Option<EncryptionKey> {
        if bytes.len() != 32 {
            return None;
        }
        let cipher = Aes256Gcm::new_from_slice(bytes).ok()?;
        let digest = Sha256::digest(bytes);
        Some(EncryptionKey {
            id: hex::encode(&digest[..8]),
            cipher,
        })
    }

    /// 32 bytes from the operating system's random source.
    pub fn random_bytes() -> [u8; 32] {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        bytes
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

/// A sealed secret as stored: the id of the key that sealed it and
/// `nonce ‖ ciphertext+tag`.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealed").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("no configured encryption key has id {0}")]
    UnknownKey(String),
    #[error("the stored secret could not be decrypted (wrong key, wrong account, or damaged data)")]
    Undecryptable,
}

/// The current key, which seals, and older keys, which can still open rows
/// sealed before a rotation.
#[derive(Clone, Debug)]
pub struct Keyring {
    current: EncryptionKey,
    previous: Vec<EncryptionKey>,
}

impl Keyring {
    pub fn new(current: EncryptionKey, previous: Vec<EncryptionKey>) -> Keyring {
        Keyring { current, previous }
    }

    pub fn current_key_id(&self) -> &str {
        self.current.id()
    }

    /// Encrypts `secret` for `account_id` under the current key.
    pub fn seal(&self, account_id: i64, secret: &SecretString) -> Sealed {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = associated_data(account_id);
        // Encryption with a valid key and nonce length only fails for
        // plaintexts over 64 GiB, which an API key never is.
        let ciphertext = self
            .current
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret.expose_secret().as_bytes(),
                    aad: &aad,
                },
            )
            .unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&ciphertext);
        Sealed {
            key_id: self.current.id.clone(),
            bytes,
        }
    }

    /// Decrypts a row with the key its id names.
    pub fn open(&self, account_id: i64, sealed: &Sealed) -> Result<SecretString, CryptoError> {
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|key| key.id == sealed.key_id)
            .ok_or_else(|| CryptoError::UnknownKey(sealed.key_id.clone()))?;
        if sealed.bytes.len() <= NONCE_LEN {
            return Err(CryptoError::Undecryptable);
        }
        let (nonce, ciphertext) = sealed.bytes.split_at(NONCE_LEN);
        let aad = associated_data(account_id);
        let plaintext = key
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| CryptoError::Undecryptable)?;
        String::from_utf8(plaintext)
            .map(SecretString::from)
            .map_err(|_| CryptoError::Undecryptable)
    }
}

fn associated_data(account_id: i64) -> Vec<u8> {
    format!("activtrak-api-key:monday-account:{account_id}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> EncryptionKey {
        EncryptionKey::from_bytes(&[byte; 32]).unwrap()
    }

    fn secret(text: &str) -> SecretString {
        SecretString::from(text.to_owned())
    }

    #[test]
    fn round_trip() {
        let ring = Keyring::new(key(1), vec![]);
        let sealed = ring.seal(111, &secret("at-key-123"));
        assert_eq!(ring.open(111, &sealed).unwrap().expose_secret(), "at-key-123");
    }

    #[test]
    fn ciphertexts_differ_for_same_secret() {
        let ring = Keyring::new(key(1), vec![]);
        let first = ring.seal(111, &secret("same"));
        let second = ring.seal(111, &secret("same"));
        assert_ne!(first.bytes, second.bytes);
    }

    #[test]
    fn ciphertext_does_not_contain_plaintext() {
        let ring = Keyring::new(key(1), vec![]);
        let sealed = ring.seal(111, &secret("plain-visible-key"));
        let haystack = String::from_utf8_lossy(&sealed.bytes);
        assert!(!haystack.contains("plain-visible-key"));
    }

    #[test]
    fn other_account_cannot_open() {
        let ring = Keyring::new(key(1), vec![]);
        let sealed = ring.seal(111, &secret("at-key"));
        assert_eq!(ring.open(222, &sealed).unwrap_err(), CryptoError::Undecryptable);
    }

    #[test]
    fn tampered_bytes_are_rejected() {
        let ring = Keyring::new(key(1), vec![]);
        let mut sealed = ring.seal(111, &secret("at-key"));
        let last = sealed.bytes.len() - 1;
        sealed.bytes[last] ^= 0x01;
        assert_eq!(ring.open(111, &sealed).unwrap_err(), CryptoError::Undecryptable);
    }

    #[test]
    fn truncated_bytes_are_rejected() {
        let ring = Keyring::new(key(1), vec![]);
        let sealed = Sealed { key_id: ring.current_key_id().to_owned(), bytes: vec![0; 5] };
        assert_eq!(ring.open(111, &sealed).unwrap_err(), CryptoError::Undecryptable);
    }

    #[test]
    fn previous_key_still_opens() {
        let old = Keyring::new(key(1), vec![]);
        let sealed = old.seal(111, &secret("at-key"));
        let rotated = Keyring::new(key(2), vec![key(1)]);
        assert_eq!(rotated.open(111, &sealed).unwrap().expose_secret(), "at-key");
        assert_ne!(rotated.current_key_id(), sealed.key_id);
    }

    #[test]
    fn unknown_key_id_is_reported() {
        let old = Keyring::new(key(1), vec![]);
        let sealed = old.seal(111, &secret("at-key"));
        let other = Keyring::new(key(2), vec![]);
        assert!(matches!(other.open(111, &sealed), Err(CryptoError::UnknownKey(_))));
    }

    #[test]
    fn key_ids_are_stable_and_distinct() {
        assert_eq!(key(1).id(), key(1).id());
        assert_ne!(key(1).id(), key(2).id());
        assert!(EncryptionKey::from_bytes(&[0; 31]).is_none());
    }

    #[test]
    fn debug_hides_key_material() {
        let text = format!("{:?}", key(7));
        assert!(text.contains("EncryptionKey"));
        assert!(!text.contains("cipher"));
    }
}
