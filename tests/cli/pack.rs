//! Tests of `ferry pack`.
