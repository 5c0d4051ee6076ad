//! Redis, a real server with its own build (examples/redis/build.sh): redis-server built by
//! its Makefile for Linux and, with only the linker swapped, as a kvm unikernel. The same
//! session of redis-cli commands (strings, counters, lists, sets, hashes, sorted sets,
//! expiry, Lua scripts, a 1 MB value, concurrent clients, SAVE, SHUTDOWN) runs against the
//! Linux server and the unikernel (QEMU TCG, a forwarded port), and the answers must be the
//! same. The tarball comes from deb.debian.org (cached in target/redis) or REDIS_SRC; without
//! either (no network) the test says so and passes.

mod common;
use common::guest::{free_port, Guest};
use common::*;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The session: each entry is one redis-cli invocation.
const SESSION: &[&[&str]] = &[
    &["PING"],
    &["SET", "greeting", "hello from a unikernel"],
    &["GET", "greeting"],
    &["APPEND", "greeting", "!"],
    &["STRLEN", "greeting"],
    &["GETRANGE", "greeting", "0", "4"],
    &["INCR", "visits"],
    &["INCRBY", "visits", "41"],
    &["INCRBYFLOAT", "ratio", "2.5"],
    &["RPUSH", "queue", "one", "two", "three", "four"],
    &["LPOP", "queue"],
    &["LRANGE", "queue", "0", "-1"],
    &["SADD", "primes", "2", "3", "5", "7", "11", "13"],
    &["SISMEMBER", "primes", "9"],
    &["SMEMBERS", "primes"],
    &["HSET", "user:1", "name", "Ada", "born", "1815"],
    &["HGETALL", "user:1"],
    &["HINCRBY", "user:1", "born", "1"],
    &["ZADD", "board", "30", "carol", "10", "alice", "20", "bob"],
    &["ZRANGE", "board", "0", "-1", "WITHSCORES"],
    &["ZRANK", "board", "bob"],
    &["EXPIRE", "greeting", "1000"],
    &["TTL", "greeting"],
    &["PERSIST", "greeting"],
    &["TTL", "greeting"],
    &[
        "EVAL",
        "local n = 0 for i = 1, tonumber(ARGV[1]) do n = n + i * i end \
         redis.call('SET', KEYS[1], n) return {n, redis.call('GET', KEYS[1]), string.format('%.3f', math.sqrt(n))}",
        "1",
        "squares",
        "1000",
    ],
    &[
        "EVAL",
        "redis.call('SET', KEYS[1], string.rep('0123456789', 100000)) return redis.call('STRLEN', KEYS[1])",
        "1",
        "big",
    ],
    &["GETRANGE", "big", "999990", "-1"],
    &["OBJECT", "ENCODING", "primes"],
    &["TYPE", "board"],
    &["EXISTS", "greeting", "nothing", "queue"],
    &["DEL", "queue"],
    &["NO-SUCH-COMMAND"],
    &["LPUSH", "greeting", "x"],
    &["DBSIZE"],
    &["SAVE"],
];

/// Builds Linux redis-server and redis-cli and the kvm redis-server; None when the source
/// cannot be fetched.
fn build() -> Option<PathBuf> {
    build_example_from_source("redis", "redis-7.0.15", "REDIS_SRC")
}

/// `redis-cli -p PORT ARGS...` (at most 60 s): what it printed.
fn cli(work: &Path, port: u16, args: &[&str]) -> String {
    let out = Command::new("timeout")
        .arg("60")
        .arg(work.join("redis-cli"))
        .args(["-p", &port.to_string()])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("redis-cli runs");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text
}

/// Runs the session against the server on `port`: a transcript of the answers (a long answer
/// is summarized by its length), then four clients that each increment a counter 100 times at
/// once, then SHUTDOWN.
fn session(work: &Path, port: u16) -> String {
    let mut transcript = String::new();
    for args in SESSION {
        let answer = cli(work, port, args);
        let shown = if answer.len() > 200 {
            format!("({} bytes)\n", answer.len())
        } else {
            answer
        };
        transcript.push_str(&format!("> {}\n{shown}", args[0]));
    }
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let work = work.to_path_buf();
            std::thread::spawn(move || cli(&work, port, &["-r", "100", "INCR", "together"]))
        })
        .collect();
    for client in clients {
        assert_eq!(client.join().unwrap().lines().count(), 100);
    }
    transcript.push_str(&format!(
        "> GET together\n{}",
        cli(work, port, &["GET", "together"])
    ));
    transcript.push_str(&format!(
        "> GET big\n({} bytes)\n",
        cli(work, port, &["GET", "big"]).len()
    ));
    transcript.push_str(&format!(
        "> SHUTDOWN\n{}",
        cli(work, port, &["SHUTDOWN", "NOSAVE"])
    ));
    transcript
}

#[test]
fn redis_built_by_its_own_makefile_serves_like_linux() {
    let Some(work) = build() else { return };
    let config = home().join("examples/redis/rootfs/redis.conf");

    let port = free_port(false);
    let data = musl_work_dir("redis-data");
    let mut command = Command::new(work.join("redis-server.linux"));
    command
        .arg(&config)
        .args(["--port", &port.to_string()])
        .arg("--dir")
        .arg(&data);
    ukl::run::only_standard_streams(&mut command);
    let mut linux = Guest::start(command);
    linux.wait_for("Ready to accept connections", Duration::from_secs(30));
    let expected = session(&work, port);
    assert_eq!(
        linux.finish(Duration::from_secs(30)),
        0,
        "{}",
        linux.console()
    );
    assert!(data.join("dump.rdb").is_file());
    for answer in [
        "hello from a unikernel\n",
        "42\n",
        "333833500\n333833500\n18271.111\n",
        "> GET big\n(1000001 bytes)",
        "> GET together\n400\n",
        "ERR unknown command 'NO-SUCH-COMMAND'",
        "WRONGTYPE",
    ] {
        assert!(expected.contains(answer), "{answer}:\n{expected}");
    }

    let port = free_port(false);
    let mut command = ukl();
    command
        .arg("run")
        .arg(work.join("redis-server.kvm"))
        .arg("--initrd")
        .arg(home().join("examples/redis/rootfs"))
        .args(["-m", "256M", "--timeout", "600", "--net"])
        .arg(format!("user,hostfwd=tcp:127.0.0.1:{port}-:6379"))
        .args(["--", "/redis.conf"]);
    let mut guest = Guest::start(command);
    guest.wait_for("Ready to accept connections", Duration::from_secs(120));
    let transcript = session(&work, port);
    let status = guest.finish(Duration::from_secs(60));
    let console = guest.console();
    assert_eq!(status, 0, "{console}");
    assert!(console.contains("DB saved on disk"), "{console}");
    assert!(
        console.contains("Redis is now ready to exit, bye bye"),
        "{console}"
    );
    assert_same_output(&transcript, &expected);
}
