//! The lifecycle around the five operations: declarative sync and keep-alive ([`sync`]), the JQL subset
//! ([`jql`]), and receiving deliveries ([`deliveries`]).

pub mod claim;
pub mod deliveries;
pub mod jql;
pub mod sync;
#[cfg(test)]
mod tests;
