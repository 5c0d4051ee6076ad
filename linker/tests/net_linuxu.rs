//! Network tests for the linuxu platform: applications linked for linuxu attach to a Linux TAP
//! interface (tap_net) that the test creates with `ip tuntap` and addresses on the host side;
//! the host then talks to the unikernel process over that interface. Needs root (or
//! CAP_NET_ADMIN) and /dev/net/tun: without them the tests print a note and pass. Needs curl.

mod common;
use common::guest::Guest;
use common::*;

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Compiles a C application with the pool's flags and posix_socket's headers and links it for
/// linuxu.
fn build(source: &Path, name: &str) -> PathBuf {
    let dir = work_dir("netu", name);
    let object = dir.join(format!("{name}.o"));
    let sockets = home().join("pool-src/libs/posix_socket/include");
    let sockets = sockets.display().to_string();
    compile_c(source, &object, &["-Wall", "-Werror", "-I", &sockets]);
    let image = dir.join(format!("{name}.linuxu"));
    ukl_link(&[&object], "linuxu", &image, &[]);
    image
}

/// True if this process may create TAP interfaces; otherwise prints why the test is skipped.
fn can_create_taps() -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc_geteuid() } == 0;
    let tun = Path::new("/dev/net/tun").exists();
    if !root || !tun {
        eprintln!(
            "note: skipped: creating a TAP interface needs root and /dev/net/tun (root: {root}, \
             /dev/net/tun: {tun})"
        );
    }
    root && tun
}

extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}

fn ip(args: &[&str]) {
    let output = Command::new("ip")
        .args(args)
        .output()
        .expect("ip (iproute2) runs");
    assert!(
        output.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A TAP interface with the host's address `host/24`, up; deleted on drop (also when a test
/// fails).
struct Tap {
    name: String,
}

impl Tap {
    fn create(tag: &str, host: &str) -> Tap {
        // At most 15 bytes: "ukl" + tag + up to 5 digits.
        let name = format!("ukl{tag}{}", std::process::id() % 100_000);
        let _ = Command::new("ip")
            .args(["link", "del", &name])
            .stderr(Stdio::null())
            .status();
        ip(&["tuntap", "add", "dev", &name, "mode", "tap"]);
        let tap = Tap { name };
        ip(&["addr", "add", &format!("{host}/24"), "dev", &tap.name]);
        ip(&["link", "set", &tap.name, "up"]);
        tap
    }
}

impl Drop for Tap {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["link", "del", &self.name])
            .status();
    }
}

fn curl(url: &str) -> (String, String) {
    common::guest::curl(url, 30)
}

/// httpd through `ukl run --net tap:NAME` (the interface reaches tap_net as UKL_TAP).
#[test]
fn httpd_serves_curl_over_a_tap_interface() {
    if !can_create_taps() {
        return;
    }
    let image = build(&home().join("examples/httpd/main.c"), "httpd");
    let tap = Tap::create("h", "10.0.3.1");
    let mut command = Command::new(env!("CARGO_BIN_EXE_ukl"));
    command
        .env("UKL_HOME", home())
        .arg("run")
        .arg(&image)
        .args(["--timeout", "300", "--net", &format!("tap:{}", tap.name)])
        .args(["--", "netstack.ip=10.0.3.15/24", "netstack.gw=10.0.3.1"]);
    let mut httpd = Guest::start(command);
    httpd.wait_for("httpd: listening on port 80", Duration::from_secs(60));
    let console = httpd.console();
    assert!(
        console.contains(&format!("tap: {} (UKL_TAP), mac 02:75:6b:", tap.name)),
        "{console}"
    );
    assert!(
        console.contains("netstack: 10.0.3.15/24 (static)"),
        "{console}"
    );

    let (body, code) = curl("http://10.0.3.15/hello.txt");
    assert_eq!(
        (body.as_str(), code.as_str()),
        ("Hello from ukl httpd\n", "200")
    );
    let (body, code) = curl("http://10.0.3.15/");
    assert_eq!(code, "200");
    assert!(body.contains("<h1>ukl httpd</h1>"), "{body}");
    let (body, code) = curl("http://10.0.3.15/big");
    assert_eq!((body.len(), code.as_str()), (64 * 1024, "200"));
    let (body, _) = curl("http://10.0.3.15/quit");
    assert_eq!(body, "bye\n");
    assert_eq!(
        httpd.finish(Duration::from_secs(60)),
        0,
        "{}",
        httpd.console()
    );
}

/// udp_echo run directly, the interface named by the command line word `tap_net.ifname=`.
#[test]
fn udp_echo_over_a_tap_interface() {
    if !can_create_taps() {
        return;
    }
    let image = build(&home().join("tests/apps/udp_echo.c"), "udp_echo");
    let tap = Tap::create("u", "10.0.4.1");
    let mut command = Command::new(&image);
    command.args([
        "7",
        &format!("tap_net.ifname={}", tap.name),
        "tap_net.mac=02:00:00:00:04:0f",
        "netstack.ip=10.0.4.15/24",
        "netstack.gw=none",
    ]);
    let mut echo = Guest::start(command);
    echo.wait_for("udp_echo: listening on port 7", Duration::from_secs(60));
    assert!(
        echo.console()
            .contains("(tap_net.ifname), mac 02:00:00:00:04:0f"),
        "{}",
        echo.console()
    );
    let socket = UdpSocket::bind("10.0.4.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut buf = [0u8; 2048];
    for (i, size) in [1usize, 100, 1400].into_iter().enumerate() {
        let datagram: Vec<u8> = (0..size).map(|b| (b + i) as u8).collect();
        // The first datagram may be lost while ARP resolves: retry, skip late echoes.
        let mut echoed = false;
        for _ in 0..20 {
            socket.send_to(&datagram, "10.0.4.15:7").unwrap();
            while let Ok((n, _)) = socket.recv_from(&mut buf) {
                if buf[..n] == datagram[..] {
                    echoed = true;
                    break;
                }
            }
            if echoed {
                break;
            }
        }
        assert!(echoed, "no echo of {size} bytes:\n{}", echo.console());
    }
    socket.send_to(b"quit", "10.0.4.15:7").unwrap();
    assert_eq!(
        echo.finish(Duration::from_secs(30)),
        0,
        "{}",
        echo.console()
    );
    assert!(
        echo.console()
            .contains("udp_echo: 1400 bytes from 10.0.4.1:"),
        "{}",
        echo.console()
    );
}

/// Without a TAP name the driver registers nothing and netstack says so.
#[test]
fn without_a_tap_name_there_is_no_device() {
    let image = build(&home().join("examples/httpd/main.c"), "httpd-nodev");
    let output = Command::new(&image).env_remove("UKL_TAP").output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("netstack: no network device"), "{text}");
    assert_eq!(output.status.code(), Some(1), "{text}");
}
