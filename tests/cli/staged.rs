//! Tests of `ferry staged`.
