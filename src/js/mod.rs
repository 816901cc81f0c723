//! The JavaScript edge (wasm32 only), split by job. Each Rust file exports what JavaScript calls; the `.js` file
//! of the same job performs what the core decides (sends, waits, awaits the caller's functions) and decides
//! nothing: [`client`] and `call.js` (the client and each call), [`pages`] and `pages.js` (iterators),
//! `lifecycle` and `lifecycle.js` (sync, keep-alive), `receiver` and `receiver.js` (deliveries). [`values`] and
//! `values.js` carry values and errors across; `validators.js` is generated from the models
//! (`cargo run --bin codegen`); [`bindings`] declares every JavaScript function Rust calls.

mod bindings;
mod client;
#[cfg(feature = "lifecycle")]
mod lifecycle;
#[cfg(feature = "lifecycle")]
mod oauth;
mod pages;
#[cfg(feature = "lifecycle")]
mod receiver;
mod values;

#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
