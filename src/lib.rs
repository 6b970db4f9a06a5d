//! bordersim: a Monte Carlo simulator of border-crossing trade disruption.
//!
//! See `ARCHITECTURE.md` for a map of the code and `docs/model.md` for the
//! model. The library does no terminal output; the `bordersim` binary wraps
//! it.

pub mod dist;
pub mod engine;
pub mod error;
pub mod inputs;
mod normal;
pub mod output;
pub mod paired;
pub mod plots;
pub mod report;
pub mod rng;
pub mod run;
pub mod sampling;
pub mod scenario;
pub mod sensitivity;
pub mod stats;
pub mod uq;
