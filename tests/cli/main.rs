//! End-to-end tests of the `ferry` binary: one test binary, a module per verb.
//! Each test runs the real binary in a temporary directory with a controlled
//! environment (see `util`).

mod util;

mod bad_input;
mod browser;
mod check;
mod completions;
mod conventions;
mod damage;
mod dates;
mod demo;
mod diff;
mod emails;
mod errors;
mod import;
mod inspect;
mod jobs;
mod json;
mod keys;
mod leads;
mod learn;
mod map;
mod map_auto;
mod matching;
mod messy;
mod messy_kinds;
mod names;
mod options;
mod pack;
mod phones;
mod profile;
mod progress;
mod review;
mod run;
mod schema;
mod serve;
mod staged;
mod standalone;
mod targets;
