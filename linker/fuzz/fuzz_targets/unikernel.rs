//! Fuzzes the whole `ukl link --plat kvm` path: the bytes are the application object, linked
//! with the repository's prebuilt pool into an image in a temporary directory
//! ([`ukl::fuzz_targets::unikernel`]). Any result is fine except a panic, an abort or a hang.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ukl::fuzz_targets::unikernel(ukl_fuzz::work_dir(), &ukl_fuzz::home(), data);
});
