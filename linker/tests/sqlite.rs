//! A third real C program, the largest: SQLite (its amalgamation, from the sources of the
//! libsqlite3-sys crate) with a driver, built by examples/sqlite's Makefile once for Linux and,
//! with only the linker swapped, for kvm, xen and linuxu. Each unikernel keeps its database in
//! the RAM filesystem (linuxu: through the system call table, from an empty initrd) and must
//! print exactly what the Linux build prints.

mod common;
use common::{assert_same_output, make_example, musl_work_dir, run_linux, ukl_run};

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
    let empty = work.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    for platform in ["kvm", "xen", "linuxu"] {
        let image = work.join(format!("sqlite-demo.{platform}"));
        make_example(
            "sqlite",
            &work,
            &format!("sqlite-demo.{platform}"),
            Some(platform),
        );
        let (out, text) = ukl_run(&image, platform, Some(&empty), Some(&empty), &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{platform}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_same_output(&text, &expected);
    }
    // Nothing was written on the host: the linuxu image's files were the table's.
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);
    let _ = std::fs::remove_dir_all(&work);
}
