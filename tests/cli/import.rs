//! Tests of `ferry import`.
