//! The architecture's page-protection calls for a process: `ukarch_page_protect` is the host's
//! `mprotect` (the table-served `mmap` of the system call layer takes its memory from this
//! process's heap mapping), and `ukarch_page_query` cannot see the host's page tables.

use crate::syscall::syscall6;

const MPROTECT: usize = 10;
const ENOSYS: i32 = -38;

/// `mprotect(address, len, prot)` on the host; `spares` (page tables on bare metal) is unused.
/// Returns 0 or a negative errno.
///
/// # Safety
/// The range is memory the caller owns.
#[no_mangle]
pub unsafe extern "C" fn ukarch_page_protect(
    address: u64,
    len: u64,
    prot: i32,
    _spares: *mut u64,
) -> i32 {
    // SAFETY: the caller owns the range; changing its protection touches nothing else.
    let result = unsafe {
        syscall6(
            MPROTECT,
            [address as usize, len as usize, prot as usize, 0, 0, 0],
        )
    };
    result as i32
}

/// Always -38 (ENOSYS): the host's page tables cannot be read from here.
#[no_mangle]
pub extern "C" fn ukarch_page_query(_address: u64) -> i32 {
    ENOSYS
}
