// A `#![no_std]`, `#![no_main]` Rust program (an object from rustc, `main` called by musl's
// crt1.o) linked with the sysroot's libcore and libcompiler_builtins rlibs as archives (the
// linker must skip their lib.rmeta member) and musl's libc.a. The sysroot's objects are PIC
// and full of plain R_X86_64_GOTPCREL; float and integer formatting, slice sorting and
// iterators pull in a good part of core.
// compile: rustc --edition=2021 --emit=obj -C panic=abort -O -C relocation-model=static --crate-type=bin
// inputs: rust-no-std.o {rlib:core} {rlib:compiler_builtins}
// exit: 3
// stdout: rust: argc=1 sorted=[1, 2, 3, 5, 8] sum=19 pi~3.142 hex=0xbeef big=340282366920938463463374607431768211455
#![no_std]
#![no_main]

use core::fmt::Write;

extern "C" {
    fn write(fd: i32, buffer: *const u8, length: usize) -> isize;
    fn abort() -> !;
}

struct Buffer {
    bytes: [u8; 512],
    length: usize,
}

impl Write for Buffer {
    fn write_str(&mut self, text: &str) -> core::fmt::Result {
        let end = self.length + text.len();
        if end > self.bytes.len() {
            return Err(core::fmt::Error);
        }
        self.bytes[self.length..end].copy_from_slice(text.as_bytes());
        self.length = end;
        Ok(())
    }
}

#[no_mangle]
pub extern "C" fn main(argc: i32, _argv: *const *const u8) -> i32 {
    let mut values = [5u32, 3, 8, 1, 2];
    values.sort_unstable();
    let sum: u32 = values.iter().sum();
    let pi = core::hint::black_box(3.14159265f64);
    let big = core::hint::black_box(u128::MAX);
    let mut buffer = Buffer { bytes: [0; 512], length: 0 };
    let _ = writeln!(
        buffer,
        "rust: argc={argc} sorted={values:?} sum={sum} pi~{pi:.3} hex={:#x} big={big}",
        0xbeef
    );
    unsafe { write(1, buffer.bytes.as_ptr(), buffer.length) };
    3
}

/// The sysroot's core was built with unwinding, so its .eh_frame refers to this personality
/// routine; with panic=abort it is never called.
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    unsafe { abort() }
}
