//! Tests of `ferry targets`.
