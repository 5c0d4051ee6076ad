//! nginx, a real web server with its own configure script and Makefile
//! (examples/nginx/build.sh): built for Linux and, with only the linker swapped, as a kvm
//! unikernel. The same HTTP session (a page, a 300 KB file sent with `sendfile`, a missing
//! page, a byte range, two requests on one kept-alive connection, eight clients at once) is
//! run against nginx on Linux and in the unikernel (QEMU TCG, a forwarded port), and the
//! answers must be the same; the unikernel's access log (`/dev/stdout`) reaches the console.
//! The tarball comes from deb.debian.org (cached in target/nginx) or NGINX_SRC; without either
//! (no network) the test says so and passes.

mod common;
use common::guest::{free_port, Guest};
use common::*;

use sha2::{Digest, Sha256};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const BIG: usize = 300_000;

/// Builds nginx for Linux and for kvm; None when the source cannot be fetched.
fn build() -> Option<PathBuf> {
    build_example_from_source("nginx", "nginx-1.22.1", "NGINX_SRC")
}

/// A copy of examples/nginx/rootfs with a 300 KB file of pseudo-random bytes in html/.
fn site() -> PathBuf {
    let root = musl_work_dir("nginx-site");
    let copy = Command::new("cp")
        .arg("-r")
        .arg(home().join("examples/nginx/rootfs/nginx"))
        .arg(&root)
        .status()
        .unwrap();
    assert!(copy.success());
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let bytes: Vec<u8> = (0..BIG)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    std::fs::write(root.join("nginx/html/big.bin"), bytes).unwrap();
    root
}

/// Waits until nginx is listening on `port`: its last start-up notice (a forwarded port of
/// QEMU accepts connections before the guest listens), then a connection.
fn wait_until_serving(guest: &mut Guest, port: u16, timeout: Duration) {
    guest.wait_for("getrlimit(RLIMIT_NOFILE)", timeout);
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < timeout,
            "nothing listens on port {port} after {timeout:?}:\n{}",
            guest.console()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `curl` with `options` for `urls` (one connection when it can, at most 60 s): status, type,
/// length and new connections of each response, one line per URL.
fn curl(options: &[&str], urls: &[&str]) -> String {
    let mut command = Command::new("curl");
    command
        .args(["-sS", "-m", "60"])
        .args([
            "-w",
            "%{http_code} %{content_type} %{size_download} %{num_connects}\n",
        ])
        .args(options);
    for url in urls {
        command.args(["-o", "/dev/null", url]);
    }
    let out = command.output().expect("curl runs");
    assert!(
        out.status.success(),
        "curl {urls:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The body at `url`, summarized by its length and SHA-256.
fn body_digest(url: &str) -> String {
    let out = Command::new("curl")
        .args(["-sS", "-m", "60", url])
        .output()
        .expect("curl runs");
    let digest = Sha256::digest(&out.stdout);
    format!(
        "{} bytes, sha256 {:02x}{:02x}{:02x}{:02x}",
        out.stdout.len(),
        digest[0],
        digest[1],
        digest[2],
        digest[3]
    )
}

/// The session against the server on `port`: one line per answer.
fn session(port: u16) -> String {
    let url = |path: &str| format!("http://127.0.0.1:{port}{path}");
    let mut transcript = String::new();
    transcript.push_str(&curl(&[], &[&url("/")]));
    transcript.push_str(&format!("{}\n", body_digest(&url("/"))));
    transcript.push_str(&curl(&[], &[&url("/big.bin")]));
    transcript.push_str(&format!("{}\n", body_digest(&url("/big.bin"))));
    transcript.push_str(&curl(&[], &[&url("/missing.html")]));
    transcript.push_str(&curl(&["-r", "1000-1999"], &[&url("/big.bin")]));
    // Two requests, one connection (the second line says 0 new connections).
    transcript.push_str(&curl(&[], &[&url("/index.html"), &url("/big.bin")]));
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let url = url("/big.bin");
            std::thread::spawn(move || body_digest(&url))
        })
        .collect();
    for client in clients {
        transcript.push_str(&format!("concurrent: {}\n", client.join().unwrap()));
    }
    transcript
}

#[test]
fn nginx_built_by_its_own_build_system_serves_like_linux() {
    let Some(work) = build() else { return };

    // Linux: the same site and configuration, listening on a free port of the loopback.
    let root = site();
    let prefix = root.join("nginx");
    let config = prefix.join("conf/nginx.conf");
    let port = free_port(false);
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("listen 80;"), "{text}");
    let linux_config = prefix.join("conf/linux.conf");
    std::fs::write(
        &linux_config,
        text.replace("listen 80;", &format!("listen 127.0.0.1:{port};")),
    )
    .unwrap();
    let mut command = Command::new(work.join("nginx.linux"));
    command
        .arg("-p")
        .arg(format!("{}/", prefix.display()))
        .args(["-c", "conf/linux.conf"]);
    ukl::run::only_standard_streams(&mut command);
    let mut linux = Guest::start(command);
    wait_until_serving(&mut linux, port, Duration::from_secs(30));
    let expected = session(port);
    drop(linux);
    std::fs::remove_file(&linux_config).unwrap();
    for answer in [
        "200 text/html 158 1\n",
        "200 application/octet-stream 300000 1\n",
        "404 text/html",
        "206 application/octet-stream 1000 1\n",
        "200 application/octet-stream 300000 0\n",
    ] {
        assert!(expected.contains(answer), "{answer}:\n{expected}");
    }

    let port = free_port(false);
    let mut command = ukl();
    command
        .arg("run")
        .arg(work.join("nginx.kvm"))
        .arg("--initrd")
        .arg(&root)
        .args(["-m", "128M", "--timeout", "600", "--net"])
        .arg(format!("user,hostfwd=tcp:127.0.0.1:{port}-:80"));
    let mut guest = Guest::start(command);
    wait_until_serving(&mut guest, port, Duration::from_secs(120));
    let transcript = session(port);
    let console = guest.console();
    assert_same_output(&transcript, &expected);
    assert!(
        console.contains(&format!("\"GET /big.bin HTTP/1.1\" 200 {BIG}")),
        "the access log is not on the console:\n{console}"
    );
    assert!(
        console.contains("\"GET /missing.html HTTP/1.1\" 404"),
        "{console}"
    );
}
