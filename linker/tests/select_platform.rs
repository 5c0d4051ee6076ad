//! Selection against a platform: a capability whose default library is not available on the
//! platform ends in a clear error naming the library and the platform, promptly (it once
//! looped forever retrying the default).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn home() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn unavailable_default_is_an_error_not_a_hang() {
    let dir = std::env::temp_dir().join(format!("ukl-select-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let libs = home().join("pool-src/libs");
    let object = dir.join("app.o");
    // A socket user needs `netdev`, which requires a `netdriver`.
    std::fs::write(
        dir.join("app.c"),
        "#include <sys/socket.h>\nint main(void) { return socket(AF_INET, SOCK_STREAM, 0) < 0; }\n",
    )
    .unwrap();
    let status = Command::new("gcc")
        .args([
            "-O2",
            "-ffreestanding",
            "-fno-pic",
            "-mno-red-zone",
            "-nostdinc",
            "-I",
        ])
        .arg(libs.join("nolibc/include"))
        .arg("-I")
        .arg(libs.join("posix_socket/include"))
        .arg("-c")
        .arg(dir.join("app.c"))
        .arg("-o")
        .arg(&object)
        .status()
        .unwrap();
    assert!(status.success());
    // Every platform either links or says which library it lacks, within seconds.
    for platform in ["kvm", "xen", "linuxu"] {
        let started = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_ukl"))
            .env("UKL_HOME", home())
            .arg("check")
            .arg(&object)
            .args(["--plat", platform])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if started.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                panic!("ukl check --plat {platform} did not finish");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        match output.status.code() {
            Some(0) => {}
            Some(1) => assert!(
                stderr.contains(platform) && stderr.contains("netdriver"),
                "the error must name the platform and the capability: {stderr}"
            ),
            other => panic!("ukl check --plat {platform}: status {other:?}: {stderr}"),
        }
    }
}
