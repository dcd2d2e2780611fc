//! Tests of `ferry matching`.
