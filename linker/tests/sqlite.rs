//! A third real C program, the largest: SQLite (its amalgamation, from the sources of the
//! libsqlite3-sys crate) with a driver, built by examples/sqlite's Makefile once for Linux and,
//! with only the linker swapped, for kvm, xen and linuxu. Each unikernel keeps its database in
//! the RAM filesystem (linuxu: through the system call table, from an empty initrd) and must
//! print exactly what the Linux build prints.

mod common;
use common::{example_matches_linux_everywhere, make_example, musl_work_dir, run_linux};

#[test]
fn sqlite_matches_linux_on_kvm_xen_and_linuxu() {
    let work = musl_work_dir("sqlite");
    make_example("sqlite", &work, "sqlite-demo", None);
    let run_dir = work.join("run");
    std::fs::create_dir_all(&run_dir).unwrap();
    let native = run_linux(&work.join("sqlite-demo"), &run_dir, &[]);
    let expected = String::from_utf8_lossy(&native.stdout).into_owned();
    assert!(native.status.success(), "{native:?}");
    assert!(
        expected.contains("integrity_check=ok") && expected.ends_with("done\n"),
        "{expected}"
    );
    // The database lives in the RAM filesystem (linuxu: the table's, from an empty initrd).
    let empty_initrd = work.join("initrd");
    std::fs::create_dir_all(&empty_initrd).unwrap();
    example_matches_linux_everywhere("sqlite", &work, &empty_initrd, &[], &expected);
    let _ = std::fs::remove_dir_all(&work);
}
