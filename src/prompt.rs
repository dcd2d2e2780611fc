//! Prompters for the interactive parts: dialoguer on a terminal, plain line
//! answers otherwise (piped stdin or an answers file).
//! (written with the mapping session)
