//! Content hashing for `--build-id` (SHA-256 of the image, truncated to 20 bytes).

use sha2::{Digest, Sha256};

pub fn digest(bytes: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(bytes);
    hasher.finalize().into()
}
