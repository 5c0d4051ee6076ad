//! A unikernel running in the background for network tests: `ukl run` (with its QEMU) or a
//! linuxu process, in a process group of its own that is stopped on drop, its console collected
//! by threads; and `curl` from the host.

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, UdpSocket};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Guest {
    child: Child,
    console: Arc<Mutex<String>>,
}

impl Guest {
    /// Starts `command` (its stdout and stderr become the console).
    pub fn start(mut command: Command) -> Guest {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("the unikernel starts");
        let console = Arc::new(Mutex::new(String::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let console = Arc::clone(&console);
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut text = console.lock().unwrap();
                    text.push_str(&line);
                    text.push('\n');
                }
            });
        }
        Guest { child, console }
    }

    pub fn console(&self) -> String {
        self.console.lock().unwrap().clone()
    }

    /// Waits until the console shows `text`.
    pub fn wait_for(&mut self, text: &str, timeout: Duration) {
        let started = Instant::now();
        while !self.console().contains(text) {
            if let Ok(Some(status)) = self.child.try_wait() {
                std::thread::sleep(Duration::from_millis(200));
                panic!(
                    "the unikernel ended ({status}) before printing `{text}`:\n{}",
                    self.console()
                );
            }
            assert!(
                started.elapsed() < timeout,
                "no `{text}` after {timeout:?}:\n{}",
                self.console()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the unikernel to end; its exit status.
    pub fn finish(&mut self, timeout: Duration) -> i32 {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(200));
                return status.code().unwrap_or(-1);
            }
            assert!(
                started.elapsed() < timeout,
                "still running after {timeout:?}:\n{}",
                self.console()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Guest {
    fn drop(&mut self) {
        // The group holds `ukl run` (whose runner, QEMU or the linuxu process, is in a group of
        // its own), or a linuxu process. SIGTERM lets `ukl run` stop its runner and remove its
        // files; SIGKILL follows if it does not end.
        let group = format!("-{}", self.child.id());
        let signal = |name: &str| {
            let _ = Command::new("kill")
                .args(["-s", name, "--", &group])
                .status();
        };
        if self.child.try_wait().ok().flatten().is_none() {
            signal("TERM");
            let started = Instant::now();
            while self.child.try_wait().ok().flatten().is_none()
                && started.elapsed() < Duration::from_secs(10)
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            signal("KILL");
            let _ = self.child.wait();
        }
    }
}

/// Fetches `url` with curl (at most `timeout_secs`): the body and the HTTP status code.
pub fn curl(url: &str, timeout_secs: u32) -> (String, String) {
    let output = Command::new("curl")
        .args([
            "-sS",
            "-m",
            &timeout_secs.to_string(),
            "-w",
            "\n%{http_code}",
            url,
        ])
        .output()
        .expect("curl runs (scripts/setup installs it)");
    assert!(
        output.status.success(),
        "curl {url}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap();
    (body.to_string(), code.to_string())
}

/// A free TCP (or UDP) port on the host's loopback: nothing listens on it right after this
/// returns, so a forwarded port or a host server can take it.
pub fn free_port(udp: bool) -> u16 {
    let address = if udp {
        UdpSocket::bind("127.0.0.1:0").and_then(|s| s.local_addr())
    } else {
        TcpListener::bind("127.0.0.1:0").and_then(|s| s.local_addr())
    };
    address.expect("a port on 127.0.0.1").port()
}
