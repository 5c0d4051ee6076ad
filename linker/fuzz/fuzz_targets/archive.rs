//! Fuzzes the archive reader and member extraction: the bytes are an ar archive linked with a
//! small object that calls `helper`, on demand and whole ([`ukl::fuzz_targets::archive`]). Any
//! result is fine except a panic, an abort or a hang.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ukl::fuzz_targets::archive(ukl_fuzz::work_dir(), data);
});
