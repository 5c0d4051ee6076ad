//! Fuzzes the input readers and every phase after them: the bytes are linked as an object file,
//! as the only member of an archive linked whole, and as a member extracted on demand
//! ([`ukl::fuzz_targets::inputs`]). Any result is fine except a panic, an abort or a hang.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ukl::fuzz_targets::inputs(ukl_fuzz::work_dir(), data);
});
