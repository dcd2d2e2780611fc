//! Tests of `ferry run`.
