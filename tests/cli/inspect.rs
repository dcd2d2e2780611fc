//! Tests of `ferry inspect`.
