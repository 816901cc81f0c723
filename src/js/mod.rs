//! The JavaScript edge (wasm32 only): the exports, the driver that performs the engine's actions, and the
//! transport.

mod exports;
