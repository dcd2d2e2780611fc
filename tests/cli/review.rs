//! Tests of `ferry review`.
