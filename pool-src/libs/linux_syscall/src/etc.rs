//! The files under `/etc` that C libraries read to answer ordinary questions — who `root` and
//! `nobody` are (`getpwnam`, `getgrnam`: servers such as nginx look up their user at start-up)
//! and where `localhost` is (`getaddrinfo`) — made after the initrd is unpacked, each only if
//! the initrd did not bring its own.

use crate::vfs::{Data, Fs, Time};

const S_IFREG: u32 = 0o100_000;

const DEFAULTS: [(&str, &str); 3] = [
    (
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
    ),
    ("/etc/group", "root:x:0:\nnogroup:x:65534:\n"),
    (
        "/etc/hosts",
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
    ),
];

/// Adds the default files that `fs` lacks.
pub fn fill(fs: &mut Fs) {
    for (path, text) in DEFAULTS {
        if fs.get(path).is_none() {
            fs.create_parents(path, Time::default());
            if let Ok(data) = Data::from_bytes(text.as_bytes()) {
                let _ = fs.create_path(path, S_IFREG | 0o644, data, Time::default());
            }
        }
    }
}
