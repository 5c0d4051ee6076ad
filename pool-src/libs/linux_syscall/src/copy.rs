//! Calls that move data between descriptors or at explicit offsets: `sendfile` (through a
//! buffer, between any two descriptors the process can read and write: files, pipes,
//! sockets, the console), `copy_file_range` (between files, each at its position or at an
//! offset of the caller's), `preadv`/`pwritev` (vectored, at an offset, not moving the file
//! position). In host mode (linuxu) a descriptor that is not the table's is the host's.

use crate::errno::*;
use crate::{files, host};
use alloc::vec;

/// `sendfile` moves at most this much per round through its buffer.
const CHUNK: usize = 64 * 1024;
/// Linux's cap on one transfer (`MAX_RW_COUNT`).
const MAX_TRANSFER: u64 = 0x7fff_f000;

/// `read`/`pread` on `fd`, the table's or (in host mode) the host's.
fn read(fd: i64, buffer: &mut [u8], offset: Option<i64>) -> i64 {
    let (pointer, len) = (buffer.as_mut_ptr() as u64, buffer.len() as u64);
    if host::attached() && !files::is_ours(fd) {
        return match offset {
            Some(at) => host::syscall(17, [fd as u64, pointer, len, at as u64, 0, 0]),
            None => host::syscall(0, [fd as u64, pointer, len, 0, 0, 0]),
        };
    }
    match offset {
        Some(at) => files::pread(fd, pointer, len, at),
        None => files::read(fd, pointer, len),
    }
}

/// `write`/`pwrite` on `fd`, the table's or (in host mode) the host's.
fn write(fd: i64, bytes: &[u8], offset: Option<i64>) -> i64 {
    let (pointer, len) = (bytes.as_ptr() as u64, bytes.len() as u64);
    if host::attached() && !files::is_ours(fd) {
        return match offset {
            Some(at) => host::syscall(18, [fd as u64, pointer, len, at as u64, 0, 0]),
            None => host::syscall(1, [fd as u64, pointer, len, 0, 0, 0]),
        };
    }
    match offset {
        Some(at) => files::pwrite(fd, pointer, len, at),
        None => files::write(fd, pointer, len),
    }
}

/// `sendfile(out_fd, in_fd, offset, count)`: reads from `in_fd` (at `*offset`, which is
/// advanced, when `offset` is not null; else at its position) and writes to `out_fd`, until
/// `count` bytes, the end of the input, or a short write.
pub fn sendfile(out_fd: i64, in_fd: i64, offset: u64, count: u64) -> i64 {
    let mut at = if offset == 0 {
        None
    } else {
        // SAFETY: the caller passed an `off_t *`.
        let start = unsafe { (offset as *const i64).read_unaligned() };
        if start < 0 {
            return -EINVAL;
        }
        Some(start)
    };
    let count = count.min(MAX_TRANSFER) as usize;
    let mut buffer = vec![0u8; CHUNK.min(count.max(1))];
    let mut done = 0usize;
    while done < count {
        let want = (count - done).min(buffer.len());
        let got = read(in_fd, &mut buffer[..want], at);
        if got < 0 {
            if done == 0 {
                return got;
            }
            break;
        }
        if got == 0 {
            break;
        }
        let mut sent = 0usize;
        let mut failure = -EAGAIN;
        while sent < got as usize {
            let n = write(out_fd, &buffer[sent..got as usize], None);
            if n <= 0 {
                failure = if n < 0 { n } else { failure };
                break;
            }
            sent += n as usize;
        }
        done += sent;
        if let Some(position) = at.as_mut() {
            *position += sent as i64;
        }
        if sent < got as usize {
            // The output took less (or failed): report what went through. Without an offset
            // the input's position has moved past bytes that were not written; put it back.
            if at.is_none() {
                let back = -((got as usize - sent) as i64);
                if host::attached() && !files::is_ours(in_fd) {
                    host::syscall(8, [in_fd as u64, back as u64, 1, 0, 0, 0]);
                } else {
                    files::lseek(in_fd, back, 1);
                }
            }
            if done == 0 {
                return failure;
            }
            break;
        }
    }
    if let Some(position) = at {
        // SAFETY: as above.
        unsafe { (offset as *mut i64).write_unaligned(position) };
    }
    done as i64
}

/// Reads the caller's `off_t` at `pointer` (None for a null pointer); EINVAL if negative.
fn user_offset(pointer: u64) -> Result<Option<i64>, i64> {
    if pointer == 0 {
        return Ok(None);
    }
    // SAFETY: the caller passed an `off_t *`.
    let value = unsafe { (pointer as *const i64).read_unaligned() };
    if value < 0 {
        return Err(EINVAL);
    }
    Ok(Some(value))
}

/// `copy_file_range(fd_in, off_in, fd_out, off_out, len, flags)`: copies up to `len` bytes
/// from one file to another (or the same one, at ranges that do not overlap), each at the
/// caller's offset (which is advanced) or at its position (which moves).
pub fn copy_file_range(
    fd_in: i64,
    off_in: u64,
    fd_out: i64,
    off_out: u64,
    len: u64,
    flags: u64,
) -> i64 {
    if flags != 0 {
        return -EINVAL;
    }
    let (mut at_in, mut at_out) = match (user_offset(off_in), user_offset(off_out)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return -e,
    };
    let len = len.min(MAX_TRANSFER) as usize;
    let mut buffer = vec![0u8; CHUNK.min(len.max(1))];
    let mut done = 0usize;
    while done < len {
        let want = (len - done).min(buffer.len());
        let got = read(fd_in, &mut buffer[..want], at_in);
        if got <= 0 {
            if done == 0 && got < 0 {
                return got;
            }
            break;
        }
        let put = write(fd_out, &buffer[..got as usize], at_out);
        if put < 0 {
            if done == 0 {
                return put;
            }
            break;
        }
        done += put as usize;
        at_in = at_in.map(|a| a + put);
        at_out = at_out.map(|a| a + put);
        if put < got {
            break;
        }
    }
    for (pointer, value) in [(off_in, at_in), (off_out, at_out)] {
        if let Some(value) = value {
            // SAFETY: as in `user_offset`.
            unsafe { (pointer as *mut i64).write_unaligned(value) };
        }
    }
    done as i64
}

/// `preadv`/`pwritev(fd, iov, count, offset)`: one positioned transfer per `struct iovec`,
/// stopping at a short one.
pub fn positioned_vector(fd: i64, iov: u64, count: u64, offset: i64, writing: bool) -> i64 {
    if count > 1024 || offset < 0 {
        return -EINVAL;
    }
    let mut total = 0i64;
    for i in 0..count {
        // SAFETY: the caller passed `count` iovecs.
        let (base, len) = unsafe {
            let entry = (iov + i * 16) as *const u64;
            (entry.read_unaligned(), entry.add(1).read_unaligned())
        };
        let at = offset + total;
        let n = if writing {
            files::pwrite(fd, base, len, at)
        } else {
            files::pread(fd, base, len, at)
        };
        if n < 0 {
            return if total == 0 { n } else { total };
        }
        total += n;
        if (n as u64) < len {
            break;
        }
    }
    total
}
