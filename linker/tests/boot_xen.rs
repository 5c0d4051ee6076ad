//! Boot tests for the xen platform on real Xen: Debian's xen-hypervisor-4.17-amd64 (fetched by
//! scripts/fetch-xen, unpacked, never installed) runs under QEMU (TCG, q35 with an IOMMU) and
//! boots the image as a PVH dom0, exactly as `ukl run --plat xen` does. The tests check the
//! application's console as Xen shows it, the exit status read from the console, Xen's own
//! account of how the domain ended, and the xl configuration `ukl link` writes.

mod common;
use common::*;

use std::path::Path;
use std::process::{Command, Output};

/// Makes sure the hypervisor is there (scripts/setup fetches it; this covers a bare checkout).
fn ensure_xen() {
    if ukl::run::xen_hypervisor().is_ok() {
        return;
    }
    let output = Command::new(home().join("scripts/fetch-xen"))
        .output()
        .expect("scripts/fetch-xen runs");
    assert!(
        output.status.success() && ukl::run::xen_hypervisor().is_ok(),
        "scripts/fetch-xen failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn link(object: &Path, platforms: &str, output: &Path) -> Output {
    ukl_link(&[object], platforms, output, &[])
}

struct Boot {
    stdout: String,
    stderr: String,
    status: i32,
}

impl Boot {
    fn describe(&self) -> String {
        format!(
            "status {}\nstdout:\n{}\nstderr:\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// `ukl run` with Xen's own lines shown on stderr; `--plat xen` is given unless the image's
/// `.xen` extension should choose the platform.
fn boot_on_xen(image: &Path, args: &[&str], explicit_platform: bool) -> Boot {
    ensure_xen();
    let mut command = ukl();
    command.arg("run");
    if explicit_platform {
        command.args(["--plat", "xen"]);
    }
    command
        .args(["--hypervisor-log", "--timeout", "240"])
        .arg(image);
    if !args.is_empty() {
        command.arg("--").args(args);
    }
    let output = command.output().expect("ukl run starts");
    Boot {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        status: output.status.code().unwrap_or(-1),
    }
}

#[test]
fn hello_c_runs_as_dom0_and_exits_zero() {
    let dir = work_dir("xen", "hello");
    let object = dir.join("hello.o");
    compile_c(&home().join("examples/hello-c/main.c"), &object, &[]);
    let image = dir.join("hello.xen");
    link(&object, "xen", &image);
    let run = boot_on_xen(&image, &["first", "two words"], true);
    assert_eq!(run.status, 0, "{}", run.describe());
    for line in [
        "Hello, world!",
        "ints: -42 42 beef 00007 3   | 1234567890123",
        "floats: 3.141593 -2.500 6.022141e+23 0.0001 1e-05",
        "argc = 3",
        "argv[1] = \"first\"",
        "argv[2] = \"two words\"",
        "malloc/free of 4 blocks: ok",
    ] {
        assert!(
            run.stdout.lines().any(|l| l == line),
            "missing line `{line}`:\n{}",
            run.describe()
        );
    }
    // Only the guest's console reaches stdout; Xen's lines go to stderr.
    assert!(!run.stdout.contains("(XEN)"), "{}", run.describe());
    assert!(
        run.stderr.contains("(XEN) Xen version 4.17"),
        "{}",
        run.describe()
    );
    // Xen's account: the PVH dom0 was built from the image and asked for a reboot.
    assert!(
        run.stderr
            .contains("(XEN) Hardware Dom0 shutdown: rebooting machine"),
        "{}",
        run.describe()
    );
}

#[test]
fn nonzero_status_and_clocks_on_xen() {
    let dir = work_dir("xen", "status");
    let object = dir.join("platform_info.o");
    compile_c(&home().join("tests/apps/platform_info.c"), &object, &[]);
    let image = dir.join("info.xen");
    link(&object, "xen", &image);
    // No --plat: `info.xen` names its platform. A comma survives QEMU's module list.
    let run = boot_on_xen(&image, &["a,b"], false);
    assert_eq!(run.status, 3, "{}", run.describe());
    for line in [
        "monotonic clock advances: yes",
        "wall clock after 2024: yes",
        "argv[1] = \"a,b\"",
        "exiting with 3",
    ] {
        assert!(
            run.stdout.contains(line),
            "missing `{line}`:\n{}",
            run.describe()
        );
    }
    assert!(
        run.stderr.contains("(XEN) Hardware Dom0 crashed"),
        "{}",
        run.describe()
    );
}

#[test]
fn link_writes_an_xl_configuration() {
    let dir = work_dir("xen", "xl");
    let object = dir.join("hello.o");
    compile_c(&home().join("examples/hello-c/main.c"), &object, &[]);
    let image = dir.join("hello.xen");
    link(&object, "xen", &image);
    let config = std::fs::read_to_string(dir.join("hello.xl")).expect("hello.xl is written");
    let absolute = std::path::absolute(&image).unwrap();
    for line in [
        "type = \"pvh\"".to_string(),
        format!("kernel = \"{}\"", absolute.display()),
        "memory = 32".to_string(),
        "name = \"hello\"".to_string(),
        "cmdline = \"\"".to_string(),
    ] {
        assert!(
            config.lines().any(|l| l == line),
            "missing `{line}` in:\n{config}"
        );
    }
    // The image carries the PVH entry note and names its guest OS to Xen.
    let notes = Command::new("readelf")
        .arg("-n")
        .arg(&image)
        .output()
        .expect("readelf runs");
    let notes = String::from_utf8_lossy(&notes.stdout);
    assert!(
        notes.contains("0x00000012"),
        "no PHYS32_ENTRY note:\n{notes}"
    );
}

#[test]
fn one_link_writes_kvm_and_xen_images() {
    let dir = work_dir("xen", "both");
    let object = dir.join("hello.o");
    compile_c(&home().join("examples/hello-c/main.c"), &object, &[]);
    link(&object, "kvm,xen", &dir.join("hello"));
    for file in ["hello.kvm", "hello.xen", "hello.xl"] {
        assert!(dir.join(file).is_file(), "{file} was not written");
    }
    let kvm = std::fs::read(dir.join("hello.kvm")).unwrap();
    let xen = std::fs::read(dir.join("hello.xen")).unwrap();
    assert_ne!(kvm, xen, "the two platforms link different libraries");
}

#[test]
fn hello_rust_runs_on_xen() {
    let dir = work_dir("xen", "hello-rust");
    let object = dir.join("hello.o");
    compile_rust(&home().join("examples/hello-rust/src/main.rs"), &object);
    let image = dir.join("hello.xen");
    link(&object, "xen", &image);
    let run = boot_on_xen(&image, &["x"], true);
    assert_eq!(run.status, 0, "{}", run.describe());
    for line in [
        "Hello from Rust on ukl!",
        "10 squares sum to 385; UNIKERNELS IN RUST",
        "a boxed slice of 5000 bytes",
    ] {
        assert!(
            run.stdout.contains(line),
            "missing `{line}`:\n{}",
            run.describe()
        );
    }
}
