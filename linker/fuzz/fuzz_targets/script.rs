//! Fuzzes the link script parser, and the layout phases with every script that parses: a small
//! object with code, data, a relocation, bss and TLS is linked with it
//! ([`ukl::fuzz_targets::script`]). Any result is fine except a panic, an abort or a hang.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ukl::fuzz_targets::script(ukl_fuzz::work_dir(), data);
});
