//! The JavaScript edge (wasm32 only): [`exports`] is the `#[wasm_bindgen]` surface, [`driver`] performs the
//! engine's actions, [`transport`] sends, [`convert`] carries values and errors across the boundary.

mod convert;
mod driver;
mod exports;
#[cfg(feature = "lifecycle")]
mod receiver;
mod transport;

#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
