//! Network boot tests for the kvm platform: applications that use BSD sockets (posix_socket on netstack) are
//! linked from the committed prebuilt pool and booted by `ukl run --net` under QEMU (TCG) with
//! user networking. The host side talks to them over loopback only: forwarded ports
//! (`hostfwd`) into the guest, and 10.0.2.2 (QEMU's alias of the host's 127.0.0.1) out of it.
//!
//! Needs curl and wrk (scripts/setup installs them).

mod common;
use common::guest::{free_port, Guest};
use common::*;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The flags net applications add: warnings as errors, posix_socket's headers (the BSD names)
/// and netstack's (`uk/netstack.h`).
fn net_flags() -> Vec<String> {
    let sockets = home().join("pool-src/libs/posix_socket/include");
    let netstack = home().join("pool-src/libs/netstack/include");
    vec![
        "-Wall".into(),
        "-Werror".into(),
        "-I".into(),
        sockets.display().to_string(),
        "-I".into(),
        netstack.display().to_string(),
    ]
}

/// Compiles a C application with the pool's flags against nolibc's and posix_socket's headers and
/// links it for kvm.
fn build(source: &Path, dir: &Path, name: &str) -> PathBuf {
    let object = dir.join(format!("{name}.o"));
    let flags = net_flags();
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    compile_c(source, &object, &flags);
    link_image(&object, dir, name)
}

fn link_image(object: &Path, dir: &Path, name: &str) -> PathBuf {
    let image = dir.join(format!("{name}.kvm"));
    ukl_link(&[object], "kvm", &image, &[]);
    image
}

/// Compiles a `no_std` Rust application against the `uk` crate and links it for kvm.
fn build_rust(source: &Path, dir: &Path, name: &str) -> PathBuf {
    let object = dir.join(format!("{name}.o"));
    compile_rust(source, &object);
    link_image(&object, dir, name)
}

/// Boots `image` with `ukl run` in the background.
fn boot(image: &Path, run_args: &[&str], app_args: &[&str]) -> Guest {
    let mut command = ukl();
    command
        .arg("run")
        .arg(image)
        .args(["-m", "64M", "--timeout", "600"])
        .args(run_args);
    if !app_args.is_empty() {
        command.arg("--").args(app_args);
    }
    Guest::start(command)
}

fn curl(url: &str) -> (String, String) {
    common::guest::curl(url, 60)
}

fn stat(body: &str, key: &str) -> u64 {
    body.lines()
        .find_map(|line| line.strip_prefix(&format!("{key}=")))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no {key} in /stats:\n{body}"))
}

/// `requests` keep-alive requests from wrk (one thread, 4 connections); its report.
fn wrk(url: &str, requests: u32) -> String {
    let script = home().join("bench/stop-after.lua");
    let output = Command::new("wrk")
        .args(["-t1", "-c4", "-d300s", "-s"])
        .arg(&script)
        .arg(url)
        .env("REQUESTS", requests.to_string())
        .output()
        .expect("wrk runs (scripts/setup installs it)");
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "wrk failed:\n{report}");
    assert!(
        !report.contains("Socket errors"),
        "wrk saw errors:\n{report}"
    );
    assert!(
        !report.contains("Non-2xx"),
        "wrk saw bad statuses:\n{report}"
    );
    let served: u64 = report
        .split_whitespace()
        .zip(report.split_whitespace().skip(1))
        .find_map(|(n, word)| (word == "requests").then(|| n.parse().ok()).flatten())
        .unwrap_or(0);
    assert!(served >= requests as u64, "wrk stopped early:\n{report}");
    report
}

#[test]
fn httpd_serves_curl_and_wrk_without_errors_or_memory_growth() {
    let dir = work_dir("net", "httpd");
    let image = build(&home().join("examples/httpd/main.c"), &dir, "httpd");
    let port = free_port(false);
    let net = format!("user,hostfwd=tcp:127.0.0.1:{port}-:80");
    let mut guest = boot(&image, &["--net", &net], &[]);
    guest.wait_for("httpd: listening on port 80", Duration::from_secs(120));
    let base = format!("http://127.0.0.1:{port}");

    let (body, code) = curl(&format!("{base}/hello.txt"));
    assert_eq!(
        (body.as_str(), code.as_str()),
        ("Hello from ukl httpd\n", "200")
    );
    let (body, code) = curl(&format!("{base}/"));
    assert_eq!(code, "200");
    assert!(body.contains("<h1>ukl httpd</h1>"), "{body}");
    let (body, code) = curl(&format!("{base}/big"));
    assert_eq!((body.len(), code.as_str()), (64 * 1024, "200"));
    assert!(body.starts_with("abcdefghijklmnopqrstuvwxyz"));
    let (_, code) = curl(&format!("{base}/missing"));
    assert_eq!(code, "404");

    // Warm up (the socket table and smoltcp's socket set reach their working size), then
    // 10,000 requests must leave the heap exactly as they found it.
    wrk(&format!("{base}/hello.txt"), 1000);
    let before = curl(&format!("{base}/stats")).0;
    let report = wrk(&format!("{base}/hello.txt"), 10_000);
    let after = curl(&format!("{base}/stats")).0;
    println!("{report}\nbefore:\n{before}\nafter:\n{after}");
    assert_eq!(
        stat(&before, "used_bytes"),
        stat(&after, "used_bytes"),
        "heap grew across 10,000 requests:\nbefore:\n{before}\nafter:\n{after}"
    );
    assert!(stat(&after, "requests") >= stat(&before, "requests") + 10_000);

    let (body, _) = curl(&format!("{base}/quit"));
    assert_eq!(body, "bye\n");
    assert_eq!(
        guest.finish(Duration::from_secs(60)),
        0,
        "{}",
        guest.console()
    );
}

#[test]
fn udp_echo_through_a_forwarded_port() {
    let dir = work_dir("net", "udp");
    let image = build(&home().join("tests/apps/udp_echo.c"), &dir, "udp_echo");
    let console = udp_echo_session(&image, "udp_echo:");
    assert!(
        console.contains("udp_echo: 1400 bytes from 10.0.2.2:"),
        "{console}"
    );
}

#[test]
fn rust_udp_echo_with_uk_net() {
    let dir = work_dir("net", "udp-rust");
    let image = build_rust(&home().join("tests/apps/udp_echo.rs"), &dir, "udp_echo_rs");
    let console = udp_echo_session(&image, "udp_echo.rs:");
    assert!(
        console.contains("udp_echo.rs: 1400 bytes from 10.0.2.2:"),
        "{console}"
    );
}

/// Echoes three datagrams through a UDP echo server printing `prefix` lines; its console.
fn udp_echo_session(image: &Path, prefix: &str) -> String {
    let port = free_port(true);
    let net = format!("user,hostfwd=udp:127.0.0.1:{port}-:7");
    let mut guest = boot(image, &["--net", &net], &[]);
    guest.wait_for(
        &format!("{prefix} listening on port 7"),
        Duration::from_secs(120),
    );
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut buf = [0u8; 2048];
    for (i, size) in [1usize, 100, 1400].into_iter().enumerate() {
        let datagram: Vec<u8> = (0..size).map(|b| (b + i) as u8).collect();
        // UDP may lose the first datagrams while slirp sets up the forwarding: retry, and skip
        // late echoes of earlier tries.
        let mut echoed = false;
        for _ in 0..60 {
            socket.send_to(&datagram, ("127.0.0.1", port)).unwrap();
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
        assert!(echoed, "no echo of {size} bytes:\n{}", guest.console());
    }
    socket.send_to(b"quit", ("127.0.0.1", port)).unwrap();
    assert_eq!(
        guest.finish(Duration::from_secs(60)),
        0,
        "{}",
        guest.console()
    );
    guest.console()
}

/// Runs tcp_client against a server on the host's loopback; its console.
fn tcp_client_session(run_args: &[&str], extra_args: &[&str]) -> String {
    let dir = work_dir("net", &format!("tcp-client-{}", run_args.len()));
    let image = build(&home().join("tests/apps/tcp_client.c"), &dir, "tcp_client");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let mut args = vec![port.as_str()];
    args.extend_from_slice(extra_args);
    let mut run = vec!["--net", "user"];
    run.extend_from_slice(run_args);
    let mut guest = boot(&image, &run, &args);
    listener.set_nonblocking(true).unwrap();
    let started = Instant::now();
    let mut stream = loop {
        match listener.accept() {
            Ok((stream, _)) => break stream,
            Err(_) => {
                assert!(
                    started.elapsed() < Duration::from_secs(180),
                    "the guest never connected:\n{}",
                    guest.console()
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    };
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line).unwrap();
    assert_eq!(line, "hello from ukl\n");
    stream.write_all(b"hello from the host\n").unwrap();
    assert_eq!(
        guest.finish(Duration::from_secs(120)),
        0,
        "{}",
        guest.console()
    );
    let console = guest.console();
    assert!(
        console.contains("tcp_client: reply: hello from the host"),
        "{console}"
    );
    console
}

/// A guest that sends 1 MiB, closes the socket and returns from main at once: the host still
/// gets every byte (the stack's exit hook delivers the connection's last data before the guest
/// stops), then the end of the stream, and the guest's status is 0.
#[test]
fn the_last_bytes_arrive_after_the_program_ends() {
    let dir = work_dir("net", "send-and-exit");
    let image = build(
        &home().join("tests/apps/send_and_exit.c"),
        &dir,
        "send_and_exit",
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let mut guest = boot(&image, &["--net", "user"], &[port.as_str()]);
    let (mut stream, _) = listener.accept().unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let mut received = Vec::new();
    stream.read_to_end(&mut received).unwrap();
    assert_eq!(received.len(), 1 << 20, "{}", guest.console());
    let wrong = received
        .iter()
        .enumerate()
        .position(|(i, byte)| usize::from(*byte) != i % 251);
    assert_eq!(wrong, None, "the bytes arrived out of order");
    let status = guest.finish(Duration::from_secs(120));
    assert_eq!(status, 0, "{}", guest.console());
}

#[test]
fn tcp_client_reaches_the_host_with_dhcp() {
    let console = tcp_client_session(&[], &["netstack.ip=dhcp"]);
    assert!(
        console.contains("netstack: 10.0.2.15/24 (dhcp)"),
        "{console}"
    );
}

#[test]
fn tcp_client_over_virtio_pci_on_q35() {
    let console = tcp_client_session(&["--machine", "q35"], &[]);
    assert!(
        console.contains("virtio-net: virtio-pci at 00:"),
        "{console}"
    );
    // The INTx line SeaBIOS routed (10 or 11), level-triggered.
    assert!(
        console.contains("virtio-net: interrupts on GSI 1"),
        "{console}"
    );
    assert!(
        console.contains("netstack: 10.0.2.15/24 (static)"),
        "{console}"
    );
}

/// A thread blocked in a socket call lets the others run: netstack waits through boot's
/// `uk_idle`, which schedcoop makes a yield (with a spinning wait the cooperative scheduler
/// never runs the second thread).
#[test]
fn a_blocked_socket_call_lets_other_threads_run() {
    let dir = work_dir("net", "wait-yields");
    let image = build(&home().join("tests/apps/net_wait_yields.c"), &dir, "wait");
    let mut guest = boot(&image, &["--net", "user"], &[]);
    let status = guest.finish(Duration::from_secs(180));
    let console = guest.console();
    assert_eq!(status, 0, "{console}");
    assert!(
        console.contains("recv -1 errno 11; the other thread ran while main waited"),
        "{console}"
    );
}

/// A network wait of the only runnable thread halts the CPU until virtio-net's interrupt (or a
/// 1 ms bound) instead of spinning: schedcoop counts the halts of its idle hook, and with a
/// yielding hook (the old behaviour) a wait never halts.
#[test]
fn a_network_wait_of_the_only_thread_halts_the_cpu() {
    let dir = work_dir("net", "wait-halts");
    let object = dir.join("halts.o");
    let mut flags = net_flags();
    for library in ["uksched", "arch_x86_64"] {
        let include = home().join(format!("pool-src/libs/{library}/include"));
        flags.push("-I".into());
        flags.push(include.display().to_string());
    }
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    compile_c(&home().join("tests/apps/net_wait_halts.c"), &object, &flags);
    let image = link_image(&object, &dir, "halts");
    let mut guest = boot(&image, &["--net", "user"], &[]);
    let status = guest.finish(Duration::from_secs(180));
    let console = guest.console();
    assert_eq!(status, 0, "{console}");
    assert!(
        console.contains("recv -1 errno 11; the wait halted the CPU"),
        "{console}"
    );
    assert!(
        console.contains("virtio-net: interrupts on GSI"),
        "{console}"
    );
}
