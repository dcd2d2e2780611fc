//! Tests of `ferry demo`.
