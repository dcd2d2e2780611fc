//! Tests of `ferry profile`.
