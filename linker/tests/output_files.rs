//! What `ukl link` and `ukl ld` write: an output that is also an input (the same path, another
//! path, a hard link, a `-T` script, an archive found by `-l`, another platform's image or the
//! xen configuration of a link for several platforms) is refused with exit status 1 before
//! anything is written, and the input keeps its bytes; an output is written through a private
//! temporary and renamed into place, so a symlink planted at the output path is replaced, not
//! written through, and nothing is left behind.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A hello application object for `ukl link`, and the directory it is in.
fn hello(name: &str) -> (PathBuf, PathBuf) {
    let dir = fresh_dir(name);
    let object = dir.join("main.o");
    common::compile_c(&common::app("exit_status.c"), &object, &[]);
    (dir, object)
}

/// An empty scratch directory for test `name`: what an earlier process with the same id left
/// there (a PID namespace starts ids again) would make the links these tests plant exist.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = common::work_dir("output-files", name);
    std::fs::remove_dir_all(&dir).expect("the scratch directory can be emptied");
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Asserts a refusal: exit status 1, the GNU ld-like message, no panic, and `input` unchanged.
fn assert_refused(output: &Output, input: &Path, before: &[u8]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("is also an input") && stderr.contains("choose another -o"),
        "stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    assert_eq!(
        std::fs::read(input).unwrap(),
        before,
        "{} was changed",
        input.display()
    );
}

/// Names in `dir` that look like a temporary output.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            name.contains("ukl-tmp").then_some(name)
        })
        .collect()
}

fn ukl_link(dir: &Path, args: &[&str]) -> Output {
    common::ukl()
        .current_dir(dir)
        .arg("link")
        .args(args)
        .output()
        .expect("ukl runs")
}

#[test]
fn ukl_link_refuses_an_output_that_is_an_input() {
    let (dir, object) = hello("link");
    let before = std::fs::read(&object).unwrap();
    // The same path, another spelling of it, a hard link to it, a symlink to it.
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::hard_link(&object, dir.join("hard-link")).unwrap();
    std::os::unix::fs::symlink(&object, dir.join("symlink")).unwrap();
    for output in [
        "main.o",
        "sub/../main.o",
        "./main.o",
        "hard-link",
        "symlink",
    ] {
        let result = ukl_link(&dir, &["main.o", "--plat", "kvm", "-o", output]);
        assert_refused(&result, &object, &before);
    }
    // The map file too.
    let result = ukl_link(
        &dir,
        &["main.o", "--plat", "kvm", "-o", "image", "--map", "main.o"],
    );
    assert_refused(&result, &object, &before);
    assert!(!dir.join("image").exists(), "nothing is written");
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
}

#[test]
fn ukl_link_for_several_platforms_writes_nothing_if_one_output_is_an_input() {
    let (dir, object) = hello("several");
    let before = std::fs::read(&object).unwrap();
    // `-o app` with kvm and linuxu writes app.kvm and app.linuxu: the object is app.kvm.
    std::fs::copy(&object, dir.join("app.kvm")).unwrap();
    let result = ukl_link(&dir, &["app.kvm", "--plat", "linuxu,kvm", "-o", "app"]);
    assert_refused(&result, &dir.join("app.kvm"), &before);
    assert!(
        !dir.join("app.linuxu").exists(),
        "the linuxu image was written"
    );
    // xen writes app.xl beside app.xen: the object is app.xl.
    std::fs::remove_file(dir.join("app.kvm")).unwrap();
    std::fs::copy(&object, dir.join("app.xl")).unwrap();
    let result = ukl_link(&dir, &["app.xl", "--plat", "kvm,xen", "-o", "app"]);
    assert_refused(&result, &dir.join("app.xl"), &before);
    assert!(!dir.join("app.kvm").exists(), "the kvm image was written");
    assert!(!dir.join("app.xen").exists(), "the xen image was written");
    // And with one platform: `-o app.xen` writes app.xl.
    let result = ukl_link(&dir, &["app.xl", "--plat", "xen", "-o", "app.xen"]);
    assert_refused(&result, &dir.join("app.xl"), &before);
    assert!(!dir.join("app.xen").exists(), "the xen image was written");
}

#[test]
fn ukl_link_replaces_a_symlink_at_the_output_and_leaves_no_temporary() {
    let (dir, _) = hello("symlink");
    let victim = dir.join("victim");
    std::fs::write(&victim, b"someone else's file").unwrap();
    std::os::unix::fs::symlink(&victim, dir.join("image.kvm")).unwrap();
    let result = ukl_link(&dir, &["main.o", "--plat", "kvm", "-o", "image.kvm"]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert_eq!(std::fs::read(&victim).unwrap(), b"someone else's file");
    let image = dir.join("image.kvm");
    let metadata = std::fs::symlink_metadata(&image).unwrap();
    assert!(metadata.file_type().is_file(), "the symlink was replaced");
    assert_eq!(&std::fs::read(&image).unwrap()[..4], b"\x7fELF");
    assert_ne!(metadata.permissions().mode() & 0o111, 0, "executable");
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
}

#[test]
fn a_symlink_planted_where_a_temporary_would_go_is_not_followed() {
    let (dir, _) = hello("planted");
    let victim = dir.join("victim");
    std::fs::write(&victim, b"someone else's file").unwrap();
    // Where ukl once wrote its temporary (a predictable name), and guesses like it.
    for name in [
        ".image.kvm.ukl-tmp",
        ".image.kvm.tmp",
        "image.kvm.tmp",
        "image.kvm~",
    ] {
        std::os::unix::fs::symlink(&victim, dir.join(name)).unwrap();
    }
    let result = ukl_link(&dir, &["main.o", "--plat", "kvm", "-o", "image.kvm"]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert_eq!(std::fs::read(&victim).unwrap(), b"someone else's file");
    let mode = std::fs::metadata(&victim).unwrap().permissions().mode();
    assert_eq!(mode & 0o111, 0, "the victim was made executable: {mode:o}");
    assert_eq!(
        &std::fs::read(dir.join("image.kvm")).unwrap()[..4],
        b"\x7fELF"
    );
}

/// `gcc -c` of `source` into `dir/name`.
fn gcc_object(dir: &Path, name: &str, source: &str) -> PathBuf {
    let source_path = dir.join(format!("{name}.c"));
    std::fs::write(&source_path, source).unwrap();
    let object = dir.join(name);
    let status = Command::new("gcc")
        .args(["-O1", "-fno-pic", "-c"])
        .arg(&source_path)
        .arg("-o")
        .arg(&object)
        .status()
        .expect("gcc runs");
    assert!(status.success(), "gcc -c {name}");
    object
}

fn ukl_ld(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ukl"))
        .current_dir(dir)
        .args(["ld", "-static"])
        .args(args)
        .output()
        .expect("ukl runs")
}

#[test]
fn ukl_ld_refuses_an_output_that_is_an_input() {
    let dir = fresh_dir("ld");
    let object = gcc_object(
        &dir,
        "start.o",
        "int helper(void);\nvoid _start(void) { helper(); for (;;) {} }\n",
    );
    gcc_object(&dir, "helper.o", "int helper(void) { return 1; }\n");
    std::fs::create_dir_all(dir.join("lib")).unwrap();
    let status = Command::new("ar")
        .current_dir(&dir)
        .args(["rcs", "lib/libhelper.a", "helper.o"])
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::write(
        dir.join("image.ld"),
        "SECTIONS { . = 0x400000; .text : { *(.text*) } }\n",
    )
    .unwrap();
    std::fs::hard_link(&object, dir.join("start-link")).unwrap();
    let sound = ukl_ld(&dir, &["-o", "a.out", "start.o", "helper.o"]);
    assert!(
        sound.status.success(),
        "{}",
        String::from_utf8_lossy(&sound.stderr)
    );
    assert_ne!(
        std::fs::metadata(dir.join("a.out"))
            .unwrap()
            .permissions()
            .mode()
            & 0o111,
        0,
        "ld's output is executable"
    );

    // Build systems link to /dev/null to test flags: a device or FIFO is written in place, never
    // replaced by a regular file (a FIFO here, so that a regression cannot replace /dev/null).
    let status = Command::new("mkfifo")
        .arg(dir.join("fifo"))
        .status()
        .unwrap();
    assert!(status.success());
    let reader = {
        let fifo = dir.join("fifo");
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let to_fifo = ukl_ld(&dir, &["-o", "fifo", "start.o", "helper.o"]);
    assert!(
        to_fifo.status.success(),
        "{}",
        String::from_utf8_lossy(&to_fifo.stderr)
    );
    // (Checked before the reader is joined: a FIFO replaced by a file would leave it waiting.)
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(dir.join("fifo"))
        .unwrap()
        .file_type()
        .is_fifo());
    assert_eq!(&reader.join().unwrap()[..4], b"\x7fELF");

    let cases: [(&[&str], &str); 6] = [
        (&["-o", "start.o", "start.o", "helper.o"], "start.o"),
        (&["-o", "./start.o", "start.o", "helper.o"], "start.o"),
        (&["-o", "start-link", "start.o", "helper.o"], "start.o"),
        (&["start.o", "helper.o", "-ohelper.o"], "helper.o"),
        (
            &["-T", "image.ld", "-o", "image.ld", "start.o", "helper.o"],
            "image.ld",
        ),
        (
            &["-o", "lib/libhelper.a", "start.o", "-Llib", "-lhelper"],
            "lib/libhelper.a",
        ),
    ];
    for (args, input) in cases {
        let input = dir.join(input);
        let before = std::fs::read(&input).unwrap();
        let result = ukl_ld(&dir, args);
        assert_refused(&result, &input, &before);
    }
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
}

#[test]
fn ukl_ld_for_xen_refuses_an_xl_configuration_that_is_an_input() {
    let dir = common::musl_work_dir("output-files-xl");
    let source = dir.join("app.c");
    std::fs::write(&source, "int main(void) { return 3; }\n").unwrap();
    let status = Command::new("musl-gcc")
        .arg("-c")
        .arg(&source)
        .arg("-o")
        .arg(dir.join("app.xl"))
        .status()
        .expect("musl-gcc runs (apt-get install musl-tools)");
    assert!(status.success());
    let before = std::fs::read(dir.join("app.xl")).unwrap();
    // `-o app.xen` for xen writes app.xl beside the image: the object is app.xl.
    let result = Command::new("musl-gcc")
        .current_dir(&dir)
        .args(["-static", "-B"])
        .arg(common::ld_dir(&dir))
        .args(["-o", "app.xen", "app.xl"])
        .env("UKL_HOME", common::home())
        .env("UKL_PLAT", "xen")
        .output()
        .expect("musl-gcc runs");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success(), "{stderr}");
    assert!(stderr.contains("is also an input"), "{stderr}");
    assert_eq!(std::fs::read(dir.join("app.xl")).unwrap(), before);
    assert!(!dir.join("app.xen").exists(), "the image was written");
}
