//! Credentials on the wire: Connect JWTs for outgoing calls, and the checks of incoming deliveries.

pub mod connect_jwt;
#[cfg(feature = "lifecycle")]
pub mod oauth;
#[cfg(feature = "lifecycle")]
pub mod verify;

/// The HMAC of `data` with `key` (`SimpleHmac`: one small implementation for SHA-256, -384 and -512).
pub(crate) fn mac<D>(key: &[u8], data: &[u8]) -> hmac::SimpleHmac<D>
where
    D: sha2::Digest + hmac::digest::common::BlockSizeUser,
{
    use hmac::{KeyInit, Mac};
    let mut mac =
        <hmac::SimpleHmac<D> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!("any key length"));
    mac.update(data);
    mac
}
