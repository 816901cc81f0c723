//! Credentials on the wire: Connect JWTs for outgoing calls.

pub mod connect_jwt;
