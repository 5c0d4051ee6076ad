//! System V IPC (message queues, semaphore sets, shared memory) in unmodified musl programs:
//! tests/apps/musl-sysv is built as a Linux executable and as kvm, xen and linuxu images, and
//! every image must print exactly what the Linux build prints and end with status 0. On kvm and
//! xen linux_ipc serves the calls (linked because the program brings in musl's msgget & co.);
//! a linuxu image is a Linux process, whose IPC the host kernel serves even with an initrd
//! (only file calls are trapped). The program removes every object it made, so the Linux runs
//! leave nothing in the host's kernel, and picks keys no object uses.

mod common;
use common::{app, assert_same_output, musl_gcc_with, musl_work_dir, run_linux, ukl_run};

use std::path::Path;

/// Builds the program with `flags` for Linux and runs it; its output, which must be complete.
fn linux_output(work: &Path, flags: &[&str]) -> String {
    let native = work.join("native");
    musl_gcc_with(&app("musl-sysv/main.c"), &native, None, flags);
    let out = run_linux(&native, work, &[]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.ends_with("== done\n"), "{text}");
    text
}

/// Builds the program with `flags` for `platform`, boots it (linuxu with an initrd, `root`)
/// and checks its output against Linux's.
fn matches_linux(work: &Path, platform: &str, flags: &[&str], root: &Path, expected: &str) {
    let image = work.join(format!("image.{platform}"));
    musl_gcc_with(&app("musl-sysv/main.c"), &image, Some(platform), flags);
    let initrd = (platform == "linuxu").then_some(root);
    let (out, text) = ukl_run(&image, platform, initrd, Some(root), &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{platform}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_output(&text, expected);
}

fn contains(image: &Path, name: &str) -> bool {
    let bytes = std::fs::read(image).unwrap();
    bytes.windows(name.len()).any(|w| w == name.as_bytes())
}

/// With threads: a waiting msgrcv, msgsnd or semop is woken by another thread's msgsnd,
/// msgrcv, semop or IPC_RMID (EIDRM), and semncnt/semzcnt count the waiters meanwhile.
#[test]
fn sysv_ipc_matches_linux_on_kvm_xen_and_linuxu() {
    let work = musl_work_dir("sysv");
    let root = work.join("root");
    std::fs::create_dir_all(&root).unwrap();
    let expected = linux_output(&work, &[]);
    for says in [
        "msgrcv type <= 2: 5 bytes, type 1, \"one-a\"\n",
        "msgrcv 4 bytes: -1 E2BIG\n",
        "semop +1 undo, out of range: -1 ERANGE\n",
        "semtimedop 50 ms: -1 EAGAIN\n",
        "semop interrupted: -1 EINTR\n",
        "SHM_DEST 1 key private 1 nattch 1\n",
        "msgrcv of a removed queue: -1 EIDRM\n",
        "semop woken by semop: 0\n",
        "msgsnd 0600 queue of root: -1 EACCES\n",
        "msgctl IPC_RMID: -1 EPERM\n",
    ] {
        assert!(
            expected.contains(says),
            "Linux printed no {says:?}:\n{expected}"
        );
    }
    for platform in ["kvm", "xen", "linuxu"] {
        matches_linux(&work, platform, &[], &root, &expected);
    }
    assert!(contains(&work.join("image.kvm"), "uk_linux_ipc_init"));
    assert!(contains(&work.join("image.xen"), "uk_linux_ipc_init"));
    // The host kernel serves a Linux process's IPC.
    assert!(!contains(&work.join("image.linuxu"), "uk_linux_ipc_init"));
    let _ = std::fs::remove_dir_all(&work);
}

/// Without a thread library nothing else can post or send: a wait ends only by semtimedop's
/// timeout (EAGAIN) or a signal handler (EINTR), as on Linux.
#[test]
fn single_threaded_waits_end_by_timeout_or_signal() {
    let work = musl_work_dir("sysv-single");
    let root = work.join("root");
    std::fs::create_dir_all(&root).unwrap();
    let flags = ["-DSINGLE_THREADED"];
    let expected = linux_output(&work, &flags);
    assert!(!expected.contains("== threads"), "{expected}");
    for platform in ["kvm", "xen"] {
        matches_linux(&work, platform, &flags, &root, &expected);
    }
    let image = work.join("image.kvm");
    assert!(contains(&image, "uk_linux_ipc_init"));
    assert!(
        !contains(&image, "uk_linux_thread_init"),
        "a thread library linked into a program without threads"
    );
    let _ = std::fs::remove_dir_all(&work);
}

/// linux_ipc is linked only into programs whose C library brings in a System V IPC call.
#[test]
fn linux_ipc_is_linked_only_when_the_program_uses_sysv_ipc() {
    let work = musl_work_dir("sysv-absent");
    let plain = work.join("plain.kvm");
    let map = work.join("plain.map");
    let map_flag = format!("-Wl,-Map={}", map.display());
    musl_gcc_with(&app("musl-abort/main.c"), &plain, Some("kvm"), &[&map_flag]);
    let map = std::fs::read_to_string(&map).unwrap();
    assert!(map.contains("linux_syscall-0.1.0.a("), "{map}");
    assert!(
        !map.contains("linux_ipc-") && !contains(&plain, "uk_linux_ipc_init"),
        "linux_ipc linked without System V IPC"
    );
    // One call is enough: a program that only attaches segments made elsewhere.
    let source = work.join("shmat.c");
    std::fs::write(
        &source,
        "#include <errno.h>\n#include <stdio.h>\n#include <sys/shm.h>\n\
         int main(void) {\n\
         \tvoid *p = shmat(12345, 0, 0);\n\
         \tprintf(\"shmat: %d %d\\n\", p == (void *)-1, errno == EINVAL);\n\
         \treturn 0;\n}\n",
    )
    .unwrap();
    let image = work.join("shmat.kvm");
    let map = work.join("shmat.map");
    let map_flag = format!("-Wl,-Map={}", map.display());
    musl_gcc_with(&source, &image, Some("kvm"), &[&map_flag]);
    let map = std::fs::read_to_string(&map).unwrap();
    assert!(map.contains("linux_ipc-0.1.0.a("), "{map}");
    assert!(contains(&image, "uk_linux_ipc_init"));
    let (out, text) = ukl_run(&image, "kvm", None, None, &[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("shmat: 1 1\n"), "{text}");
    let _ = std::fs::remove_dir_all(&work);
}
