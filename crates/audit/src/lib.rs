//! Jixiao batch audit.
#![forbid(unsafe_code)]
