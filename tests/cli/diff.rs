//! Tests of `ferry diff`.
