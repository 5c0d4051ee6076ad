//! The same inputs give byte-identical output: a static musl program and a kvm image are each
//! linked several times (from different working directories) and compared.

use std::path::{Path, PathBuf};
use std::process::Command;

fn home() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ukl-determinism-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn musl_dir() -> Option<PathBuf> {
    let dir = PathBuf::from("/usr/lib/x86_64-linux-musl");
    dir.join("libc.a").is_file().then_some(dir)
}

#[test]
fn static_program_links_identically() {
    let Some(musl) = musl_dir() else {
        panic!("musl-dev is not installed (scripts/setup installs it)");
    };
    let dir = temp("static");
    let source = dir.join("prog.c");
    std::fs::write(
        &source,
        "#include <stdio.h>\n__thread int t = 3;\nint main(void) { printf(\"%d %f\\n\", t, 2.5); return 0; }\n",
    )
    .unwrap();
    let object = dir.join("prog.o");
    assert!(Command::new("musl-gcc")
        .args(["-O2", "-g", "-c"])
        .arg(&source)
        .arg("-o")
        .arg(&object)
        .status()
        .unwrap()
        .success());
    let mut images = Vec::new();
    for (i, cwd) in [dir.clone(), std::env::temp_dir(), home()]
        .iter()
        .enumerate()
    {
        let out = dir.join(format!("prog{i}"));
        let status = Command::new(env!("CARGO_BIN_EXE_ukl"))
            .current_dir(cwd)
            .args(["ld", "-static", "--gc-sections", "--build-id", "-o"])
            .arg(&out)
            .arg(musl.join("crt1.o"))
            .arg(musl.join("crti.o"))
            .arg(&object)
            .arg(musl.join("libc.a"))
            .arg(musl.join("crtn.o"))
            .status()
            .unwrap();
        assert!(status.success());
        images.push(std::fs::read(&out).unwrap());
    }
    assert!(
        images.windows(2).all(|w| w[0] == w[1]),
        "outputs differ between identical links"
    );
}

#[test]
fn kvm_image_links_identically() {
    let dir = temp("kvm");
    let object = dir.join("hello.o");
    let include = home().join("pool-src/libs/nolibc/include");
    let status = Command::new("gcc")
        .args([
            "-O2",
            "-ffreestanding",
            "-fno-pic",
            "-mno-red-zone",
            "-fno-stack-protector",
            "-nostdinc",
            "-I",
        ])
        .arg(&include)
        .arg("-c")
        .arg(home().join("examples/hello-c/main.c"))
        .arg("-o")
        .arg(&object)
        .status()
        .unwrap();
    assert!(status.success());
    let link = |out: &Path| {
        let status = Command::new(env!("CARGO_BIN_EXE_ukl"))
            .env("UKL_HOME", home())
            .arg("link")
            .arg(&object)
            .args(["--plat", "kvm", "-o"])
            .arg(out)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::read(out).unwrap()
    };
    let first = link(&dir.join("a.kvm"));
    let second = link(&dir.join("b.kvm"));
    assert_eq!(first, second, "two links of the same inputs differ");
}
