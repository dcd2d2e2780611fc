//! Tests of `ferry check`.
