//! ukdebug: leveled log messages (`uk_pr_log`, and the `uk_pr_err` ... `uk_pr_debug` macros of
//! `include/uk/print.h`), written in C (`c/print.c`) over nolibc's printf family.
//!
//! Rust pool crates call `uk_pr_write(level, msg, len)` with a message they formatted.

#![no_std]
