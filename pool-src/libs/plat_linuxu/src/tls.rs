//! Thread-local storage for the one thread: the image's `PT_TLS` template (found through the
//! auxiliary vector's `AT_PHDR`/`AT_PHNUM`) is copied into a fresh mapping and `%fs` is pointed
//! at it with `arch_prctl(ARCH_SET_FS)`, so `__thread` variables work as in any static Linux
//! program.
//!
//! x86_64 static TLS is variant II: the block ends at the thread pointer, offsets are negative,
//! and `%fs:0` holds the thread pointer itself. The block's offset below the pointer is the one
//! the linker used: `align_up(template + memsz, align) - template`.

use crate::syscall::{self, ARCH_PRCTL, MMAP};

const AT_NULL: u64 = 0;
const AT_PHDR: u64 = 3;
const AT_PHNUM: u64 = 5;
const PT_TLS: u32 = 7;
const ARCH_SET_FS: usize = 0x1002;

const PROT_READ_WRITE: usize = 0x1 | 0x2;
const MAP_PRIVATE_ANONYMOUS: usize = 0x02 | 0x20;

/// An ELF64 program header.
#[repr(C)]
struct ProgramHeader {
    p_type: u32,
    p_flags: u32,
    p_offset: u64,
    p_vaddr: u64,
    p_paddr: u64,
    p_filesz: u64,
    p_memsz: u64,
    p_align: u64,
}

/// Why TLS could not be set up.
pub struct TlsError;

/// Sets up the TLS block if the image has a `PT_TLS` segment.
///
/// # Safety
/// `auxv` is the process's auxiliary vector (pairs ending with `AT_NULL`), and the program
/// headers it points to are mapped (the link script loads them with the first segment).
pub unsafe fn init(auxv: *const u64) -> Result<(), TlsError> {
    let (mut phdr, mut phnum) = (0u64, 0u64);
    let mut entry = auxv;
    loop {
        // SAFETY: the vector is a list of (key, value) pairs ending with AT_NULL.
        let (key, value) = unsafe { (entry.read(), entry.add(1).read()) };
        match key {
            AT_NULL => break,
            AT_PHDR => phdr = value,
            AT_PHNUM => phnum = value,
            _ => {}
        }
        // SAFETY: not past AT_NULL yet.
        entry = unsafe { entry.add(2) };
    }
    if phdr == 0 {
        return Ok(());
    }
    // SAFETY: the kernel points AT_PHDR at `phnum` mapped program headers.
    let headers =
        unsafe { core::slice::from_raw_parts(phdr as *const ProgramHeader, phnum as usize) };
    // The link script always declares PT_TLS; it is empty when nothing uses TLS.
    let Some(tls) = headers.iter().find(|h| h.p_type == PT_TLS && h.p_memsz > 0) else {
        return Ok(());
    };
    // The linker's offset uses the segment's alignment; the pointer may be aligned further.
    let offset = (tls.p_vaddr + tls.p_memsz).next_multiple_of(tls.p_align.max(1)) - tls.p_vaddr;
    let align = tls.p_align.max(16);
    // The block, the thread pointer's own word, and slack to align the pointer.
    let bytes = offset + 8 + align;
    // SAFETY: a fresh anonymous mapping chosen by the kernel.
    let base = unsafe {
        syscall::syscall6(
            MMAP,
            [
                0,
                bytes as usize,
                PROT_READ_WRITE,
                MAP_PRIVATE_ANONYMOUS,
                usize::MAX,
                0,
            ],
        )
    };
    if syscall::is_error(base) {
        return Err(TlsError);
    }
    let pointer = (base as u64 + offset).next_multiple_of(align);
    let block = (pointer - offset) as *mut u8;
    // SAFETY: the template is `p_filesz` mapped bytes of the image; the block lies inside the
    // new (zero-filled) mapping, so `.tbss` is zero already; the pointer's word follows it.
    unsafe {
        core::ptr::copy_nonoverlapping(tls.p_vaddr as *const u8, block, tls.p_filesz as usize);
        (pointer as *mut u64).write(pointer);
    }
    // SAFETY: points %fs at the block just prepared; nothing used %fs before.
    let result =
        unsafe { syscall::syscall6(ARCH_PRCTL, [ARCH_SET_FS, pointer as usize, 0, 0, 0, 0]) };
    if result != 0 {
        return Err(TlsError);
    }
    Ok(())
}
