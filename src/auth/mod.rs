//! Credentials: who is calling ([`credential`]: how each attempt is authorized, what a 401 means), Connect JWTs
//! for outgoing calls ([`connect_jwt`]), and the checks of incoming deliveries ([`verify`]).

pub mod connect_jwt;
pub mod credential;
#[cfg(feature = "lifecycle")]
pub mod oauth;
#[cfg(feature = "lifecycle")]
pub mod verify;

pub use credential::{check_token, Auth, Unauthorized};

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
