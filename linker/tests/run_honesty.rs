//! `ukl run` tells the truth and cleans up after itself: a QEMU or Xen that cannot start, a
//! hypervisor that dies, a timeout and an interruption each end with their own documented exit
//! status (docs/commands.md), never the 0 of a guest that did not run; SIGINT, SIGTERM and SIGHUP
//! stop the VM (a real httpd on a forwarded port stops answering) or the linuxu process group;
//! the run's files live in a fresh private directory that is gone afterwards, whatever
//! happened; a planted symbolic link is never written through; `--initrd` stores symbolic links
//! as links and finishes on loops.
//!
//! "Fake hypervisors" are shell scripts that a platform descriptor names instead of QEMU (in a
//! home of their own): real processes that die by a signal, exit with a status QEMU never gives,
//! or report what they were given. Every `ukl run` here gets a TMPDIR of its own, so that what
//! it leaves behind is seen.

mod common;
use common::guest::free_port;
use common::*;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A scratch directory, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = work_dir("honesty", name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `ukl` with `tmp` as its TMPDIR.
fn ukl_in(tmp: &Path) -> Command {
    let mut command = ukl();
    command.env("TMPDIR", tmp).stdin(Stdio::null());
    command
}

/// A fresh, empty TMPDIR for `ukl run` in `dir`.
fn tmp_in(dir: &Path) -> PathBuf {
    let tmp = dir.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    tmp
}

/// What is in `dir` (names).
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn text(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// examples/hello-c compiled and linked for `platform` in `dir`.
fn hello(dir: &Path, platform: &str) -> PathBuf {
    let object = dir.join("hello.o");
    if !object.exists() {
        compile_c(&home().join("examples/hello-c/main.c"), &object, &[]);
    }
    let image = dir.join(format!("hello.{platform}"));
    ukl_link(&[&object], platform, &image, &[]);
    image
}

/// Is process `pid` running (there and not a zombie)?
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            stat.rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().to_string())
        })
        .is_some_and(|rest| !rest.starts_with('Z') && !rest.starts_with('X'))
}

fn wait_gone(pid: u32, what: &str) {
    let started = Instant::now();
    while alive(pid) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{what} ({pid}) is still running"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The child processes of `pid`.
fn children(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
    {
        if let Ok(list) = std::fs::read_to_string(task.path().join("children")) {
            found.extend(
                list.split_whitespace()
                    .filter_map(|p| p.parse::<u32>().ok()),
            );
        }
    }
    found
}

/// A home whose platform `fakevm` is kvm's descriptor with `script` (a shell script body) in
/// QEMU's place; the script is called `fakevm`, and gets QEMU's arguments.
fn fake_home(dir: &Path, script: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let home_dir = dir.join("home");
    std::fs::create_dir_all(home_dir.join("platforms")).unwrap();
    std::fs::copy(home().join("registry.toml"), home_dir.join("registry.toml")).unwrap();
    let program = home_dir.join("fakevm");
    std::fs::write(&program, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    let descriptor = std::fs::read_to_string(home().join("platforms/kvm.toml"))
        .unwrap()
        .replace("name = \"kvm\"", "name = \"fakevm\"")
        .replace(
            "\"qemu-system-x86_64\"",
            &format!("{:?}", program.display().to_string()),
        );
    std::fs::write(home_dir.join("platforms/fakevm.toml"), descriptor).unwrap();
    home_dir
}

/// `ukl run IMAGE --plat fakevm` in the fake home, TMPDIR `tmp`.
fn run_fake(home_dir: &Path, tmp: &Path, image: &Path, extra: &[&str]) -> Output {
    ukl_in(tmp)
        .env("UKL_HOME", home_dir)
        .arg("run")
        .arg(image)
        .args(["--plat", "fakevm"])
        .args(extra)
        .output()
        .expect("ukl runs")
}

#[test]
fn a_qemu_that_cannot_start_is_not_a_guest_that_exited_0() {
    let dir = scratch("qemu-refuses");
    let tmp = tmp_in(&dir);
    let image = hello(&dir, "kvm");
    for (options, said) in [
        (&["-m", "1T"][..], "guest memory"),
        (&["--machine", "bogus"][..], "bogus"),
    ] {
        let output = ukl_in(&tmp)
            .arg("run")
            .arg(&image)
            .args(options)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(122),
            "{options:?}: {}",
            text(&output)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("the guest did not start"),
            "{}",
            text(&output)
        );
        assert!(stderr.contains(said), "{}", text(&output));
        assert!(!String::from_utf8_lossy(&output.stdout).contains("Hello"));
    }
    // The same image boots, and its 0 is a 0.
    let output = ukl_in(&tmp).arg("run").arg(&image).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("Hello, world!"));
    assert!(listing(&tmp).is_empty(), "{:?}", listing(&tmp));
}

/// Makes sure the Xen hypervisor is there (scripts/setup fetches it; this covers a bare
/// checkout).
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

#[test]
fn a_xen_that_panics_or_cannot_start_is_not_a_guest_status() {
    ensure_xen();
    let dir = scratch("xen-refuses");
    let tmp = tmp_in(&dir);
    // Not a PVH image: Xen cannot build dom0 and panics ("Could not construct domain 0").
    let linuxu = hello(&dir, "linuxu");
    let started = Instant::now();
    let output = ukl_in(&tmp)
        .args(["run", "--plat", "xen"])
        .arg(&linuxu)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(122), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Panic on CPU"), "{}", text(&output));
    assert!(stderr.contains("domain 0"), "{}", text(&output));
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the panic ends the run at once, not after Xen's reset"
    );
    // QEMU refuses the memory for Xen.
    let xen = hello(&dir, "xen");
    let output = ukl_in(&tmp)
        .arg("run")
        .arg(&xen)
        .args(["-m", "1T"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(122), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("guest memory"),
        "{}",
        text(&output)
    );
    assert!(listing(&tmp).is_empty(), "{:?}", listing(&tmp));
}

#[test]
fn a_hypervisor_that_dies_or_says_nothing_has_its_own_status() {
    let dir = scratch("fake-dies");
    let tmp = tmp_in(&dir);
    let image = hello(&dir, "kvm");
    for (script, status, said) in [
        // Killed by a signal (a crash).
        ("kill -SEGV $$", 123, "SIGSEGV"),
        ("echo 'Hello'; kill -ABRT $$", 123, "SIGABRT"),
        // An even status: never the debug-exit device's.
        ("exit 2", 123, "status 2"),
        // Its own error, exit 1 (which would read as guest status 0).
        (
            "echo 'fakevm: cannot open the image' >&2; exit 1",
            122,
            "cannot open the image",
        ),
        (
            "echo 'Hello'; echo 'fakevm: device failed' >&2; exit 1",
            123,
            "device failed",
        ),
        // Ended without the device: no status.
        (
            "echo 'Hello'; exit 0",
            125,
            "without reporting an exit status",
        ),
        // A guest status (3 << 1 | 1), with a warning beside it.
        (
            "echo 'fakevm: warning: slow' >&2; exit 7",
            3,
            "warning: slow",
        ),
        // Guest status 0, silent.
        ("exit 1", 0, ""),
    ] {
        let home_dir = fake_home(&dir, script);
        let output = run_fake(&home_dir, &tmp, &image, &[]);
        assert_eq!(
            output.status.code(),
            Some(status),
            "{script}: {}",
            text(&output)
        );
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(said),
            "{script}: {}",
            text(&output)
        );
    }
    // A runner that cannot be executed at all.
    let home_dir = fake_home(&dir, "exit 0");
    std::fs::remove_file(home_dir.join("fakevm")).unwrap();
    let output = run_fake(&home_dir, &tmp, &image, &[]);
    assert_eq!(output.status.code(), Some(122), "{}", text(&output));
    assert!(listing(&tmp).is_empty(), "{:?}", listing(&tmp));
}

#[test]
fn a_run_that_times_out_stops_the_whole_group() {
    let dir = scratch("timeout");
    let tmp = tmp_in(&dir);
    let image = hello(&dir, "kvm");
    let pid_file = dir.join("helper.pid");
    // A hypervisor that ignores SIGTERM and leaves a helper (ignoring it too) in its group.
    let home_dir = fake_home(
        &dir,
        &format!(
            "trap '' TERM\nsh -c \"trap '' TERM INT HUP; exec sleep 300\" &\necho $! > {}\nwait",
            pid_file.display()
        ),
    );
    let started = Instant::now();
    let output = run_fake(&home_dir, &tmp, &image, &["--timeout", "1"]);
    assert_eq!(output.status.code(), Some(124), "{}", text(&output));
    assert!(started.elapsed() < Duration::from_secs(30));
    let helper: u32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    wait_gone(helper, "the hypervisor's helper");
    assert!(listing(&tmp).is_empty(), "{:?}", listing(&tmp));
}

/// Starts `command` with its output in files of `dir`.
fn spawn_logged(mut command: Command, dir: &Path) -> Child {
    command
        .stdout(File::create(dir.join("stdout")).unwrap())
        .stderr(File::create(dir.join("stderr")).unwrap())
        .spawn()
        .expect("ukl starts")
}

fn wait_for_file_text(path: &Path, text: &str, child: &mut Child, dir: &Path) {
    let started = Instant::now();
    loop {
        if std::fs::read_to_string(path).is_ok_and(|t| t.contains(text)) {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("ukl ended ({status}) before `{text}`: {}", logs(dir));
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "no `{text}`: {}",
            logs(dir)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn logs(dir: &Path) -> String {
    format!(
        "--- stdout\n{}--- stderr\n{}",
        std::fs::read_to_string(dir.join("stdout")).unwrap_or_default(),
        std::fs::read_to_string(dir.join("stderr")).unwrap_or_default()
    )
}

fn finish(child: &mut Child, dir: &Path) -> Option<i32> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("ukl did not end: {}", logs(dir));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn send(pid: u32, signal: i32) {
    // SAFETY: signals the test's own child process.
    assert_eq!(unsafe { libc::kill(pid as libc::pid_t, signal) }, 0);
}

#[test]
fn a_signal_stops_the_vm_and_its_forwarded_port() {
    let dir = scratch("signals");
    let object = dir.join("httpd.o");
    let include = |lib: &str| home().join(format!("pool-src/libs/{lib}/include"));
    let (sockets, netstack) = (include("posix_socket"), include("netstack"));
    compile_c(
        &home().join("examples/httpd/main.c"),
        &object,
        &[
            "-I",
            sockets.to_str().unwrap(),
            "-I",
            netstack.to_str().unwrap(),
        ],
    );
    let image = dir.join("httpd.kvm");
    ukl_link(&[&object], "kvm", &image, &[]);
    for (signal, name) in [
        (libc::SIGINT, "SIGINT"),
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGHUP, "SIGHUP"),
        (libc::SIGKILL, "SIGKILL"),
    ] {
        let run = dir.join(name);
        std::fs::create_dir_all(&run).unwrap();
        let tmp = tmp_in(&run);
        let port = free_port(false);
        let mut command = ukl_in(&tmp);
        command
            .arg("run")
            .arg(&image)
            .args(["-m", "64M", "--timeout", "600", "--net"])
            .arg(format!("user,hostfwd=tcp:127.0.0.1:{port}-:80"));
        let mut ukl_run = spawn_logged(command, &run);
        wait_for_file_text(&run.join("stdout"), "listening", &mut ukl_run, &run);
        let url = format!("http://127.0.0.1:{port}/");
        let (body, code) = common::guest::curl(&url, 60);
        assert_eq!(code, "200", "{body}");
        let qemu = children(ukl_run.id());
        assert_eq!(qemu.len(), 1, "one QEMU: {qemu:?}");
        send(ukl_run.id(), signal);
        let status = finish(&mut ukl_run, &run);
        if signal == libc::SIGKILL {
            // Nothing of ukl runs: the kernel kills QEMU (its parent-death signal).
            assert_eq!(status, None, "{}", logs(&run));
        } else {
            assert_eq!(status, Some(128 + signal), "{name}: {}", logs(&run));
            assert!(
                std::fs::read_to_string(run.join("stderr"))
                    .unwrap()
                    .contains(&format!("interrupted by {name}")),
                "{}",
                logs(&run)
            );
        }
        wait_gone(qemu[0], "QEMU");
        // A multithreaded process's leader is a zombie before its last thread has closed the
        // process's files: the forwarded port closes a moment later.
        let closing = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            assert!(
                closing.elapsed() < Duration::from_secs(10),
                "port {port} still answers after {name}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        if signal != libc::SIGKILL {
            assert!(listing(&tmp).is_empty(), "{name}: {:?}", listing(&tmp));
        }
    }
}

#[test]
fn a_hypervisor_dies_with_a_killed_ukl() {
    let dir = scratch("pdeathsig");
    let tmp = tmp_in(&dir);
    let image = hello(&dir, "kvm");
    let home_dir = fake_home(&dir, "echo started\nexec sleep 300");
    let mut command = ukl_in(&tmp);
    command
        .env("UKL_HOME", &home_dir)
        .arg("run")
        .arg(&image)
        .args(["--plat", "fakevm", "--timeout", "600"]);
    let mut ukl_run = spawn_logged(command, &dir);
    wait_for_file_text(&dir.join("stdout"), "started", &mut ukl_run, &dir);
    let hypervisor = children(ukl_run.id());
    assert_eq!(hypervisor.len(), 1, "{hypervisor:?}");
    send(ukl_run.id(), libc::SIGKILL);
    let _ = ukl_run.wait();
    wait_gone(hypervisor[0], "the hypervisor of a killed ukl");
}

/// A linuxu "image" that is a shell script: a real Linux process, as a linuxu image is.
fn script_image(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let image = dir.join(format!("{name}.linuxu"));
    std::fs::write(&image, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&image, std::fs::Permissions::from_mode(0o755)).unwrap();
    image
}

#[test]
fn a_linuxu_process_group_ends_with_the_run() {
    let dir = scratch("linuxu-group");
    let tmp = tmp_in(&dir);
    let pid_file = dir.join("helper.pid");
    let helper = format!(
        "sh -c \"trap '' TERM INT HUP; exec sleep 300\" &\necho $! > {}",
        pid_file.display()
    );
    let read_pid = || -> u32 {
        std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    // Interrupted: the process gets the signal, what ignores it is killed after the grace.
    for (signal, name) in [(libc::SIGTERM, "SIGTERM"), (libc::SIGINT, "SIGINT")] {
        let _ = std::fs::remove_file(&pid_file);
        let image = script_image(&dir, "server", &format!("{helper}\necho serving\nwait"));
        let mut command = ukl_in(&tmp);
        command.arg("run").arg(&image);
        let mut ukl_run = spawn_logged(command, &dir);
        wait_for_file_text(&dir.join("stdout"), "serving", &mut ukl_run, &dir);
        send(ukl_run.id(), signal);
        assert_eq!(
            finish(&mut ukl_run, &dir),
            Some(128 + signal),
            "{name}: {}",
            logs(&dir)
        );
        wait_gone(read_pid(), "the process's child");
    }
    // Ended by itself: what it left running in its group is ended too.
    let image = script_image(&dir, "leaver", &format!("{helper}\nexit 3"));
    let output = ukl_in(&tmp).arg("run").arg(&image).output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    wait_gone(read_pid(), "the process's child");
    // Killed by a signal: 128 + its number, as a shell says.
    let image = script_image(&dir, "crasher", "kill -SEGV $$");
    let output = ukl_in(&tmp).arg("run").arg(&image).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(128 + libc::SIGSEGV),
        "{}",
        text(&output)
    );
    assert!(listing(&tmp).is_empty(), "{:?}", listing(&tmp));
}

#[test]
fn a_symlink_planted_at_the_old_temporary_paths_is_never_written_through() {
    let dir = scratch("planted");
    let tmp = tmp_in(&dir);
    let victim = dir.join("victim");
    std::fs::create_dir_all(&victim).unwrap();
    let object = dir.join("hello.o");
    compile_c(&home().join("examples/hello-c/main.c"), &object, &[]);
    // The shell's $$ is the pid that becomes ukl: the old run directory's name.
    let output = Command::new("sh")
        .arg("-c")
        .arg(r#"ln -s "$VICTIM" "$TMPDIR/ukl-run-$$" && exec "$UKL" run "$OBJECT""#)
        .env("VICTIM", &victim)
        .env("TMPDIR", &tmp)
        .env("UKL", env!("CARGO_BIN_EXE_ukl"))
        .env("UKL_HOME", home())
        .env("OBJECT", &object)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("Hello, world!"));
    assert!(
        listing(&victim).is_empty(),
        "written through: {:?}",
        listing(&victim)
    );
    // Only the planted link is left.
    let left = listing(&tmp);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(std::fs::symlink_metadata(tmp.join(&left[0]))
        .unwrap()
        .is_symlink());
    // The initrd once went beside the image: a link planted there is left alone.
    let image = hello(&dir, "kvm");
    let files = dir.join("files");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(files.join("a.txt"), "a").unwrap();
    let target = dir.join("precious");
    std::fs::write(&target, "keep me").unwrap();
    let planted = PathBuf::from(format!("{}.initrd.cpio", image.display()));
    std::os::unix::fs::symlink(&target, &planted).unwrap();
    let output = ukl_in(&tmp)
        .arg("run")
        .arg(&image)
        .arg("--initrd")
        .arg(&files)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
    assert!(std::fs::symlink_metadata(&planted).unwrap().is_symlink());
}

#[test]
fn the_run_directory_is_fresh_private_and_removed_even_after_an_error() {
    let dir = scratch("run-dir");
    let tmp = tmp_in(&dir);
    let image = hello(&dir, "kvm");
    let report = dir.join("report");
    // The fake hypervisor says where its initrd and QMP socket are, and how they are kept.
    let home_dir = fake_home(
        &dir,
        &format!(
            r#"while [ $# -gt 0 ]; do
  case "$1" in -initrd) initrd="$2";; -qmp) qmp="$2";; esac; shift
done
run=$(dirname "$initrd")
{{ echo "dir $run"; stat -c 'mode %a %u' "$run"; stat -c 'initrd %a' "$initrd"; echo "qmp $qmp"; }} > {}
exit 1"#,
            report.display()
        ),
    );
    let files = dir.join("files");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(files.join("a.txt"), "a").unwrap();
    let output = run_fake(
        &home_dir,
        &tmp,
        &image,
        &["--initrd", files.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report = std::fs::read_to_string(&report).unwrap();
    let run_dir = report.lines().next().unwrap().strip_prefix("dir ").unwrap();
    assert!(
        Path::new(run_dir).starts_with(&tmp)
            && Path::new(run_dir)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("ukl-run-"),
        "{report}"
    );
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    assert!(report.contains(&format!("mode 700 {uid}")), "{report}");
    assert!(report.contains("initrd 600"), "{report}");
    assert!(report.contains(&format!("qmp unix:{run_dir}/")), "{report}");
    assert!(listing(&tmp).is_empty(), "{:?}", listing(&tmp));
    // Two runs, two directories.
    let again = run_fake(
        &home_dir,
        &tmp,
        &image,
        &["--initrd", files.to_str().unwrap()],
    );
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    let second = std::fs::read_to_string(dir.join("report")).unwrap();
    assert_ne!(second.lines().next(), report.lines().next());
    // A link that fails, after the directory was made.
    let bad = dir.join("bad.c");
    std::fs::write(
        &bad,
        "int no_such_function(void);\nint main(void) { return no_such_function(); }\n",
    )
    .unwrap();
    let object = dir.join("bad.o");
    compile_c(&bad, &object, &[]);
    let output = ukl_in(&tmp).arg("run").arg(&object).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no_such_function"));
    assert!(listing(&tmp).is_empty(), "{:?}", listing(&tmp));
    // An initrd that cannot be read.
    let output = ukl_in(&tmp)
        .arg("run")
        .arg(&image)
        .arg("--initrd")
        .arg(dir.join("no-such-dir"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no-such-dir"),
        "{}",
        text(&output)
    );
    assert!(listing(&tmp).is_empty(), "{:?}", listing(&tmp));
}

/// The entries of a newc archive: (name, mode, data).
fn cpio_entries(archive: &[u8]) -> Vec<(String, u32, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 0;
    let align = |n: usize| (n + 3) & !3;
    loop {
        let header = &archive[at..at + 110];
        assert_eq!(&header[..6], b"070701");
        let field = |i: usize| {
            u32::from_str_radix(
                std::str::from_utf8(&header[6 + 8 * i..14 + 8 * i]).unwrap(),
                16,
            )
            .unwrap()
        };
        let (mode, size, name_size) = (field(1), field(6) as usize, field(11) as usize);
        let name = String::from_utf8(archive[at + 110..at + 110 + name_size - 1].to_vec()).unwrap();
        let data_at = align(at + 110 + name_size);
        let data = archive[data_at..data_at + size].to_vec();
        at = align(data_at + size);
        if name == "TRAILER!!!" {
            return out;
        }
        out.push((name, mode, data));
    }
}

#[test]
fn an_initrd_with_symlink_loops_packs_links_as_links() {
    let dir = scratch("initrd-loops");
    let tmp = tmp_in(&dir);
    let files = dir.join("files");
    std::fs::create_dir_all(files.join("sub")).unwrap();
    std::fs::write(files.join("hello.txt"), "hello\n").unwrap();
    let link =
        |target: &str, name: &str| std::os::unix::fs::symlink(target, files.join(name)).unwrap();
    link("loop", "loop");
    link("..", "sub/up");
    link("/etc/passwd", "passwd");
    link("hello.txt", "greeting");
    let fifo = std::ffi::CString::new(files.join("fifo").to_str().unwrap()).unwrap();
    // SAFETY: mkfifo reads the NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    // The archive as the hypervisor got it, copied out by a fake one.
    let copy = dir.join("copy.cpio");
    let home_dir = fake_home(
        &dir,
        &format!(
            "while [ $# -gt 0 ]; do [ \"$1\" = -initrd ] && cp \"$2\" {}; shift; done\nexit 1",
            copy.display()
        ),
    );
    let image = hello(&dir, "kvm");
    let output = run_fake(
        &home_dir,
        &tmp,
        &image,
        &["--initrd", files.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is a fifo: left out"), "{stderr}");
    let entries = cpio_entries(&std::fs::read(&copy).unwrap());
    let names: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        names,
        ["greeting", "hello.txt", "loop", "passwd", "sub", "sub/up"],
        "{entries:?}"
    );
    for (name, target) in [
        ("greeting", "hello.txt"),
        ("loop", "loop"),
        ("passwd", "/etc/passwd"),
        ("sub/up", ".."),
    ] {
        let entry = entries.iter().find(|e| e.0 == name).unwrap();
        assert_eq!(entry.1 & 0o170000, 0o120000, "{name} is a symbolic link");
        assert_eq!(entry.2, target.as_bytes(), "{name}");
    }
    let file = entries.iter().find(|e| e.0 == "hello.txt").unwrap();
    assert_eq!(
        (file.1 & 0o170000, file.2.as_slice()),
        (0o100000, &b"hello\n"[..])
    );
    // `cpio` reads it the same way.
    if let Ok(listed) = Command::new("cpio")
        .args(["-itv", "--quiet"])
        .stdin(File::open(&copy).unwrap())
        .output()
    {
        let listed = String::from_utf8_lossy(&listed.stdout);
        assert!(
            listed.contains("loop -> loop") && listed.contains("sub/up -> .."),
            "{listed}"
        );
    }
    // A real guest boots with it.
    let output = ukl_in(&tmp)
        .arg("run")
        .arg(&image)
        .arg("--initrd")
        .arg(&files)
        .args(["--timeout", "120"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("Hello, world!"));
    assert!(listing(&tmp).is_empty(), "{:?}", listing(&tmp));
}
