//! Everything that leaves the process: tables, JSON, the manifest, the
//! terminal summary, and atomic file staging. Exporters return bytes; only
//! [`atomic`] touches the file system.

pub mod atomic;
pub mod format;
pub mod json;
pub mod manifest;
pub mod paired;
pub mod sensitivity;
pub mod tables;
pub mod terminal;
