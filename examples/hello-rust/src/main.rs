//! hello-rust: a `no_std` Rust application for ukl. It prints with `uk::println!`, builds a
//! `Vec` and `String`s with `format!`, shows its command line and the time since boot, and
//! checks that the heap is back where it started.

#![no_std]
#![no_main]

use uk::prelude::*;

/// Squares of 1..=count, collected in a `Vec`.
fn squares(count: u64) -> Vec<u64> {
    (1..=count).map(|n| n * n).collect()
}

#[no_mangle]
pub extern "C" fn main(argc: i32, argv: *const *const u8) -> i32 {
    let before = uk::memory::stats();
    uk::println!("Hello from Rust on ukl!");

    // SAFETY: the boot library passes argc strings that live as long as the image.
    for (index, arg) in unsafe { uk::args(argc, argv) }.enumerate() {
        uk::println!("argv[{index}] = {arg:?}");
    }

    {
        let values = squares(10);
        let sum: u64 = values.iter().sum();
        let words: Vec<String> = ["unikernels", "in", "Rust"]
            .iter()
            .map(|word| word.to_uppercase())
            .collect();
        let line = format!("{} squares sum to {sum}; {}", values.len(), words.join(" "));
        uk::println!("{line}");
        uk::println!("pi is about {:.5}, e is about {:e}", core::f64::consts::PI, 2.718281828);
        let boxed: Box<[u8]> = vec![7u8; 5000].into_boxed_slice();
        uk::println!("a boxed slice of {} bytes", boxed.len());
    }

    let after = uk::memory::stats();
    uk::println!(
        "heap: {} bytes in use before, {} after, peak {}",
        before.used_bytes,
        after.used_bytes,
        after.peak_used_bytes
    );
    uk::println!("{} ms since boot", uk::time::monotonic_ns() / 1_000_000);
    if after.used_bytes != before.used_bytes {
        uk::println!("memory leaked");
        return 1;
    }
    0
}
