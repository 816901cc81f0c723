//! Writes the JavaScript validators generated from the model tables:
//! `cargo run --quiet --bin codegen > src/js/validators.js`.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    print!("{}", jira_webhooks::codegen::validators_js());
}

/// The generator runs on the host only.
#[cfg(target_arch = "wasm32")]
fn main() {}
