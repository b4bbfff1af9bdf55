//! Floor 0: identifiers — random bytes and UUIDs, hex, and the short fingerprint that names a
//! credential in logs without revealing it.

/// Lowercase hex.
#[must_use]
pub fn hex(b: &[u8]) -> String {
    use std::fmt::Write;
    b.iter().fold(String::with_capacity(b.len() * 2), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    })
}

/// Random bytes from the OS.
///
/// # Panics
/// When the OS has no randomness (never on supported systems).
#[must_use]
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    getrandom::fill(&mut v).expect("OS randomness");
    v
}

/// A random (v4) UUID string.
#[must_use]
pub fn uuid4() -> String {
    let mut b = random_bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// A short, non-reversible fingerprint of a credential for logs and the audit log: the first
/// 12 hex digits of its SHA-256. Credentials themselves are never logged.
#[must_use]
pub fn fingerprint(cred: &str) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(cred.as_bytes())[..6])
}
