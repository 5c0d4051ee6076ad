//! A JavaScript runtime as a unikernel: QuickJS's `qjs` (the quickjs-ng sources in the
//! rquickjs-sys crate) built by examples/quickjs's Makefile once for Linux and, with only the
//! linker swapped, for kvm, xen and linuxu. Each runs examples/quickjs/rootfs/test.js (classes,
//! generators, BigInt, regular expressions, typed arrays, promises, a timer, files through
//! `qjs:std` and `qjs:os`) from an initrd and must print exactly what the Linux build prints.

mod common;
use common::{example_matches_linux_everywhere, home, make_example, musl_work_dir, run_linux};

#[test]
fn quickjs_matches_linux_on_kvm_xen_and_linuxu() {
    let work = musl_work_dir("quickjs");
    let rootfs = home().join("examples/quickjs/rootfs");
    make_example("quickjs", &work, "qjs", None);
    // The script makes and removes a scratch directory where it runs: a copy of the rootfs.
    let run_dir = work.join("run");
    std::fs::create_dir_all(&run_dir).unwrap();
    std::fs::copy(rootfs.join("test.js"), run_dir.join("test.js")).unwrap();
    let native = run_linux(&work.join("qjs"), &run_dir, &["--module", "test.js"]);
    let expected = String::from_utf8_lossy(&native.stdout).into_owned();
    assert!(native.status.success(), "{native:?}");
    assert!(expected.contains("timer fired after 20 ms"), "{expected}");
    example_matches_linux_everywhere(
        "quickjs",
        &work,
        &rootfs,
        &["--module", "test.js"],
        &expected,
    );
    let _ = std::fs::remove_dir_all(&work);
}
