//! Boot test: a Rust panic prints its message and location and ends the guest with status 101.

#![no_std]
#![no_main]

use uk::prelude::*;

#[inline(never)]
fn checked_index(values: &[u32], index: usize) -> u32 {
    values[index]
}

#[no_mangle]
pub extern "C" fn main(argc: i32, _argv: *const *const u8) -> i32 {
    let values: Vec<u32> = (0..4).collect();
    uk::println!("about to panic");
    let index = 10 + argc as usize;
    let value = checked_index(&values, index);
    uk::println!("not reached {value}");
    0
}
