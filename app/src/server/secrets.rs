//! Hashing of high-entropy secrets (invitation tokens, API tokens, session
//! ids): a plain SHA-256 is enough for random values, and lets a secret be
//! found by its hash. Passwords use Argon2id instead (`password`).

use sha2::{Digest, Sha256};

/// The SHA-256 of `secret` (trimmed), as lower-case hex.
pub fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.trim().as_bytes()))
}
