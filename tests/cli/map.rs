//! Tests of `ferry map`.
