//! Password hashing with Argon2id, kept off the async threads: every hash runs
//! in `spawn_blocking` behind a semaphore, so a burst of sign-ins queues up
//! instead of starving the threads that answer authorization checks.

use argon2::{
    password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString},
    Algorithm, Argon2, Params, Version,
};
use secrecy::{ExposeSecret, SecretString};
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

use crate::error::AppError;

/// Shortest accepted password (NIST SP 800-63B asks for at least 8).
pub const MIN_PASSWORD_LEN: usize = 10;
/// Longest accepted password: bounds the work one request can cause.
pub const MAX_PASSWORD_LEN: usize = 512;

/// Refuses passwords that are too short or too long, with a reason.
pub fn check_strength(password: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(format!("a password needs at least {MIN_PASSWORD_LEN} characters"));
    }
    if len > MAX_PASSWORD_LEN {
        return Err(format!("a password has at most {MAX_PASSWORD_LEN} characters"));
    }
    Ok(())
}

/// Argon2id with OWASP's recommended parameters: 19 MiB, 2 iterations, 1 lane.
/// <https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html>
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes and verifies passwords on the blocking pool, a few at a time.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher").field("available", &self.permits.available_permits()).finish()
    }
}

impl PasswordHasher {
    /// At most `max_concurrent` hashes run at once.
    pub fn new(max_concurrent: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(max_concurrent.max(1))) }
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for `password`.
    pub async fn hash(&self, password: SecretString) -> Result<String, AppError> {
        self.run(move || {
            let salt = SaltString::generate(&mut rand::rngs::OsRng);
            argon2()
                .hash_password(password.expose_secret().as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|e| format!("hashing failed: {e}"))
        })
        .await
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown user,
    /// no password set) a dummy hash is still checked, so the answer takes as
    /// long and reveals nothing.
    pub async fn verify(&self, password: SecretString, stored: Option<String>) -> Result<bool, AppError> {
        self.run(move || {
            let known = stored.is_some();
            let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
            let parsed = PasswordHash::new(&stored).map_err(|e| format!("stored hash is unreadable: {e}"))?;
            let matches = argon2().verify_password(password.expose_secret().as_bytes(), &parsed).is_ok();
            Ok(known && matches)
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, String> + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self.permits.acquire().await.map_err(|e| internal(&e.to_string()))?;
        match tokio::task::spawn_blocking(work).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(message)) => Err(internal(&message)),
            Err(join) => Err(internal(&join.to_string())),
        }
    }
}

fn internal(message: &str) -> AppError {
    crate::server::http::internal_error("password hashing", message)
}

/// A hash of a random password, made once, to verify against for unknown users.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        argon2()
            .hash_password(generate_password().expose_secret().as_bytes(), &salt)
            .expect("hashing a random password works")
            .to_string()
    })
}

/// A random 20-character password from an unambiguous alphabet.
pub fn generate_password() -> SecretString {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let password: String = (0..20).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    SecretString::from(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_owasp_parameters() {
        let hasher = PasswordHasher::new(1);
        let hash = hasher.hash(SecretString::from("correct horse battery")).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(hasher.verify(SecretString::from("correct horse battery"), Some(hash.clone())).await.unwrap());
        assert!(!hasher.verify(SecretString::from("wrong horse battery"), Some(hash)).await.unwrap());
        assert!(!hasher.verify(SecretString::from("anything at all"), None).await.unwrap());
    }

    #[test]
    fn strength_rules() {
        assert!(check_strength("short").is_err());
        assert!(check_strength(&"x".repeat(513)).is_err());
        assert!(check_strength("long enough pass").is_ok());
        assert_eq!(generate_password().expose_secret().len(), 20);
    }
}
