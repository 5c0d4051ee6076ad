//! Sockets and threads of an unmodified musl program (tests/apps/musl-sockets): the same
//! session is run against the program as a Linux process, as a kvm unikernel (QEMU TCG, user
//! networking with forwarded ports) and as a linuxu process with an initrd (its file calls
//! trapped into the pool's table), and all must print the same lines. The session:
//! the program connects to a server of the test (found with getaddrinfo), then serves three
//! concurrent TCP clients (a thread each in the program) and UDP datagrams, until a `quit`.

mod common;
use common::guest::{free_port, Guest};
use common::*;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::process::Command;
use std::time::Duration;

const CLIENTS: usize = 3;
const LINES: usize = 50;

/// The program's server for its client part: reads a line, answers "welcome, " + 5 bytes.
fn welcome_server() -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .unwrap();
        let mut line = String::new();
        BufReader::new(&stream).read_line(&mut line).unwrap();
        assert_eq!(line, "hello from the program\n");
        (&stream)
            .write_all(format!("welcome, {}\n", &line[..5]).as_bytes())
            .unwrap();
    });
    (port, handle)
}

/// Drives a running program listening on the host ports `tcp` and `udp`; returns its console.
fn session(mut guest: Guest, tcp: u16, udp: u16, what: &str) -> String {
    guest.wait_for("listening\n", Duration::from_secs(180));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            std::thread::spawn(move || {
                let stream = TcpStream::connect(("127.0.0.1", tcp)).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(60)))
                    .unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                for j in 0..LINES {
                    let line = format!("c{i} line {j}\n");
                    (&stream).write_all(line.as_bytes()).unwrap();
                    let mut echo = String::new();
                    reader.read_line(&mut echo).unwrap();
                    assert_eq!(echo, format!("echo: {line}"));
                }
            })
        })
        .collect();
    for client in clients {
        client.join().expect("a TCP client session");
    }
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    for k in 0..5 {
        let datagram = format!("hello udp {k}");
        // The first datagrams may be lost while slirp sets up the forwarding: retry.
        let answered = (0..40).any(|_| {
            socket
                .send_to(datagram.as_bytes(), ("127.0.0.1", udp))
                .unwrap();
            let mut buf = [0u8; 64];
            matches!(socket.recv_from(&mut buf),
                Ok((n, _)) if buf[..n] == *datagram.to_uppercase().as_bytes())
        });
        assert!(
            answered,
            "{what}: no answer to `{datagram}`:\n{}",
            guest.console()
        );
    }
    let mut stream = TcpStream::connect(("127.0.0.1", tcp)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream.write_all(b"quit\n").unwrap();
    let mut bye = String::new();
    stream.read_to_string(&mut bye).unwrap();
    assert_eq!(bye, "bye\n");
    assert_eq!(
        guest.finish(Duration::from_secs(120)),
        0,
        "{}",
        guest.console()
    );
    guest.console()
}

/// The program's own lines: the unikernel's console also carries the pool's log lines
/// (`[  time] info: ...`), and UDP retries may count more datagrams.
fn program_lines(console: &str) -> String {
    console
        .lines()
        .filter(|line| !line.starts_with('['))
        .map(|line| match line.split_once(", datagrams: ") {
            Some((head, _)) => format!("{head}, datagrams: some\n"),
            None => format!("{line}\n"),
        })
        .collect()
}

#[test]
fn sockets_and_threads_match_linux() {
    let dir = work_dir("musl-net", "sockets");
    let source = app("musl-sockets/main.c");
    let native = dir.join("native");
    let image = dir.join("sockets.kvm");
    musl_gcc(&source, &native, None);
    musl_gcc(&source, &image, Some("kvm"));

    let (server, welcome) = welcome_server();
    let (tcp, udp) = (free_port(false), free_port(true));
    let mut command = Command::new(&native);
    command.args([
        tcp.to_string(),
        udp.to_string(),
        "127.0.0.1".into(),
        server.to_string(),
    ]);
    ukl::run::only_standard_streams(&mut command);
    let expected = program_lines(&session(Guest::start(command), tcp, udp, "Linux"));
    welcome.join().unwrap();
    assert!(expected.ends_with("== done\n"), "{expected}");
    assert!(
        expected.contains("connections: 4, lines: 150"),
        "{expected}"
    );

    let (server, welcome) = welcome_server();
    let (tcp, udp) = (free_port(false), free_port(true));
    let net = format!("user,hostfwd=tcp:127.0.0.1:{tcp}-:8080,hostfwd=udp:127.0.0.1:{udp}-:8081");
    let mut command = ukl();
    command
        .arg("run")
        .arg(&image)
        .args([
            "--plat",
            "kvm",
            "-m",
            "64M",
            "--timeout",
            "600",
            "--net",
            &net,
            "--",
        ])
        .args(["8080", "8081", "10.0.2.2", &server.to_string()]);
    let console = session(Guest::start(command), tcp, udp, "kvm");
    welcome.join().unwrap();
    assert_eq!(
        program_lines(&console),
        expected,
        "the unikernel prints otherwise than Linux"
    );
    assert!(!console.contains("not implemented"), "{console}");

    // linuxu with an initrd: the file calls are trapped into the pool's table, the sockets,
    // threads and console stay the host's (descriptors the table passes through).
    let linuxu = dir.join("sockets.linuxu");
    musl_gcc(&source, &linuxu, Some("linuxu"));
    let root = dir.join("root");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("motd"), "from the initrd\n").unwrap();
    let (server, welcome) = welcome_server();
    let (tcp, udp) = (free_port(false), free_port(true));
    let mut command = ukl();
    command
        .arg("run")
        .arg(&linuxu)
        .args(["--plat", "linuxu", "--timeout", "300", "--initrd"])
        .arg(&root)
        .arg("--")
        .args([
            tcp.to_string(),
            udp.to_string(),
            "127.0.0.1".into(),
            server.to_string(),
        ]);
    let console = session(Guest::start(command), tcp, udp, "linuxu");
    welcome.join().unwrap();
    assert_eq!(
        program_lines(&console),
        expected,
        "linuxu prints otherwise than Linux"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sockets need a network driver: linking the program for xen (none yet) warns with the
/// chain that led there and links without the network, where `socket` then fails with
/// EAFNOSUPPORT (and local socket pairs still work); without sockets, no network library is
/// linked.
#[test]
fn sockets_are_linked_only_when_used_and_explained_when_impossible() {
    let dir = work_dir("musl-net", "explain");
    let source = dir.join("socket.c");
    std::fs::write(
        &source,
        "#include <errno.h>\n#include <stdio.h>\n#include <string.h>\n#include <sys/socket.h>\n\
         int main(void) {\n\
         \tint s = socket(AF_INET, SOCK_STREAM, 0);\n\
         \tprintf(\"socket: %d %s\\n\", s, s < 0 ? strerror(errno) : \"ok\");\n\
         \tint sv[2];\n\
         \tprintf(\"socketpair: %d\\n\", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));\n\
         \treturn 0;\n}\n",
    )
    .unwrap();
    let image = dir.join("socket.xen");
    let out = Command::new("musl-gcc")
        .args(["-static", "-O2"])
        .arg(&source)
        .arg("-o")
        .arg(&image)
        .arg("-B")
        .arg(ld_dir(&dir))
        .env("UKL_HOME", home())
        .env("UKL_PLAT", "xen")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for says in [
        "ukl: warning: no library provides `netdriver` for platform `xen`",
        "linux_net ← the program uses `socket` from the C library",
        "linked without `linux_net`",
    ] {
        assert!(stderr.contains(says), "{says}: {stderr}");
    }
    let run = ukl()
        .arg("run")
        .arg(&image)
        .args(["--plat", "xen", "--timeout", "240"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&run.stdout).replace("\r\n", "\n");
    assert_eq!(run.status.code(), Some(0), "{text}");
    assert!(
        text.contains("socket: -1 Address family not supported by protocol\nsocketpair: 0\n"),
        "{text}"
    );
    let plain = dir.join("plain.kvm");
    musl_gcc(&app("musl-abort/main.c"), &plain, Some("kvm"));
    let bytes = std::fs::read(&plain).unwrap();
    let has = |name: &[u8]| bytes.windows(name.len()).any(|w| w == name);
    assert!(
        !has(b"uk_linux_net_init"),
        "linux_net linked without sockets"
    );
    assert!(
        !has(b"uk_netstack_socket"),
        "netstack linked without sockets"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
