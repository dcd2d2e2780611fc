//! Tests of `ferry jobs`.
