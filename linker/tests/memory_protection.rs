//! Guest memory protection on kvm (QEMU, TCG) and xen (Xen 4.17 under QEMU): stray accesses
//! that Linux stops with SIGSEGV end in a crash report that names the access and the page's
//! state, with status 127; a JIT that maps its code executable with mprotect runs.
//!
//! The musl program (tests/apps/musl-protection) is built with musl-gcc and relinked for each
//! platform; the nolibc one (tests/apps/protection.c) is linked by `ukl link`. Where the
//! hypervisor loses the faulting address (Xen under QEMU's TCG leaves CR2 at 0, found by the
//! guest's own boot check), the guest decodes it from the faulting instruction, or says that
//! it is unknown rather than name a wrong one: on kvm the exact address is required, on xen
//! the exact address or that statement, never anything else.

mod common;
use common::{app, compile_c, home, musl_gcc, musl_work_dir, ukl_link, ukl_run, work_dir};

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Crash reports end the guest with this status (docs/commands.md).
const CRASH_STATUS: i32 = 127;

/// The musl program, built once per platform for all tests.
fn musl_image(platform: &'static str) -> PathBuf {
    static KVM: OnceLock<PathBuf> = OnceLock::new();
    static XEN: OnceLock<PathBuf> = OnceLock::new();
    let cell = if platform == "kvm" { &KVM } else { &XEN };
    cell.get_or_init(|| {
        let work = musl_work_dir(&format!("protection-{platform}"));
        let image = work.join(format!("protection.{platform}"));
        musl_gcc(
            &home().join("tests/apps/musl-protection/main.c"),
            &image,
            Some(platform),
        );
        image
    })
    .clone()
}

struct Run {
    platform: String,
    status: Option<i32>,
    console: String,
    stderr: String,
}

fn run(image: &Path, platform: &str, mode: &str) -> Run {
    let (out, console) = ukl_run(image, platform, None, None, &[mode]);
    Run {
        platform: platform.to_string(),
        status: out.status.code(),
        console,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Run {
    fn show(&self) -> String {
        format!("{}\n(stderr)\n{}", self.console, self.stderr)
    }

    /// The address the program printed after `label` (`label 0x...`).
    fn printed_address(&self, label: &str) -> u64 {
        let at = self
            .console
            .find(label)
            .unwrap_or_else(|| panic!("no `{label}` in:\n{}", self.show()));
        let hex = self.console[at + label.len()..]
            .trim_start()
            .trim_start_matches("0x")
            .split(|c: char| !c.is_ascii_hexdigit())
            .next()
            .unwrap();
        u64::from_str_radix(hex, 16).unwrap()
    }

    /// A crash report with status 127, a page fault, and the given description line (on xen
    /// it may say instead that the address is unknown).
    fn assert_page_fault(&self, access: &str, address: Option<u64>, place: &str, cause: &str) {
        assert_eq!(self.status, Some(CRASH_STATUS), "{}", self.show());
        assert!(
            self.console
                .contains("ukl: crash: #PF page fault (vector 14)"),
            "{}",
            self.show()
        );
        let exact = address
            .map(|address| format!("page fault: {access} {address:#x} ({place}): {cause}\n"));
        let unknown = format!(
            "page fault: {access} an unknown address (this hypervisor does not report it in \
             cr2): {cause}\n"
        );
        let found_exact = exact
            .as_ref()
            .is_some_and(|line| self.console.contains(line));
        let found_unknown = self.platform == "xen"
            && self.console.contains(&unknown)
            && self
                .console
                .contains("(not the faulting address on this hypervisor");
        assert!(
            found_exact || found_unknown,
            "expected `{}` in:\n{}",
            exact.unwrap_or(unknown),
            self.show()
        );
        assert!(
            self.console.contains("faulting code at rip 0x"),
            "{}",
            self.show()
        );
        assert!(self.console.contains("backtrace:"), "{}", self.show());
    }

    /// True if the report named the faulting address (from CR2, or decoded from the faulting
    /// instruction where the hypervisor loses CR2).
    fn address_known(&self) -> bool {
        !self.console.contains("an unknown address")
    }
}

fn null_read(platform: &'static str) {
    let image = musl_image(platform);
    let run = run(&image, platform, "null");
    run.assert_page_fault("read of", Some(0), "low memory", "page not present");
    if run.address_known() {
        assert!(
            run.console.contains("null-pointer access)"),
            "{}",
            run.show()
        );
    }
    assert!(!run.console.contains("\nread "), "{}", run.show());
}

fn code_write(platform: &'static str) {
    let image = musl_image(platform);
    let run = run(&image, platform, "write-code");
    let code = run.printed_address("code at ");
    run.assert_page_fault(
        "write to",
        Some(code),
        "the image's code",
        "protection violation: page present, read-only",
    );
    assert!(!run.console.contains("wrote the code"), "{}", run.show());
}

fn heap_execution(platform: &'static str) {
    let image = musl_image(platform);
    let run = run(&image, platform, "exec-heap");
    let buffer = run.printed_address("heap code at ");
    // An instruction fetch's address is the instruction pointer: known on every hypervisor.
    let line = format!(
        "page fault: instruction fetch at {buffer:#x} (outside the image: heap, stacks, \
         mappings or devices): protection violation: page present, not executable\n"
    );
    assert_eq!(run.status, Some(CRASH_STATUS), "{}", run.show());
    assert!(
        run.console.contains(&line),
        "no `{line}` in:\n{}",
        run.show()
    );
    assert!(!run.console.contains("ran heap code"), "{}", run.show());
}

fn stack_overflow(platform: &'static str, mode: &str) {
    let image = musl_image(platform);
    let run = run(&image, platform, mode);
    assert_eq!(run.status, Some(CRASH_STATUS), "{}", run.show());
    assert!(
        run.console.contains("page fault: write to ") && run.console.contains("page not present\n"),
        "{}",
        run.show()
    );
    let named = if run.address_known() {
        "PROT_NONE guard page: stack overflow)"
    } else {
        "the stack pointer is in a guard page: stack overflow"
    };
    assert!(
        run.console.contains(named),
        "no `{named}` in:\n{}",
        run.show()
    );
    // `ukl run` names the faulting function from the image's symbols.
    assert!(run.stderr.contains(" recurse+0x"), "{}", run.show());
}

fn read_only_write(platform: &'static str) {
    let image = musl_image(platform);
    let run = run(&image, platform, "write-rodata");
    let page = run.printed_address("read-only page at ");
    assert!(run.console.contains("holds 1"), "{}", run.show());
    run.assert_page_fault(
        "write to",
        Some(page + 8),
        "outside the image: heap, stacks, mappings or devices",
        "protection violation: page present, read-only",
    );
    assert!(
        !run.console.contains("wrote a read-only page"),
        "{}",
        run.show()
    );
}

fn unmapped_read(platform: &'static str) {
    let image = musl_image(platform);
    let run = run(&image, platform, "unmapped");
    let page = run.printed_address("unmapped page at ");
    run.assert_page_fault(
        "read of",
        Some(page),
        "outside the image: heap, stacks, mappings or devices",
        "page not present",
    );
    if run.address_known() {
        assert!(run.console.contains("PROT_NONE page)"), "{}", run.show());
    }
}

fn jit(platform: &'static str) {
    let image = musl_image(platform);
    let run = run(&image, platform, "jit");
    assert_eq!(run.status, Some(0), "{}", run.show());
    assert!(
        run.console.contains("jit: 42\njit: done 7\n"),
        "{}",
        run.show()
    );
}

/// Pages unmapped piece by piece go back to the allocator: 1 GiB mapped and unmapped in
/// halves fits in the default guest memory.
fn pieces(platform: &'static str) {
    let image = musl_image(platform);
    let run = run(&image, platform, "pieces");
    assert_eq!(run.status, Some(0), "{}", run.show());
    assert!(run.console.contains("pieces: ok\n"), "{}", run.show());
}

/// mremap moves a read-only page with its protection.
fn moved_read_only(platform: &'static str) {
    let image = musl_image(platform);
    let run = run(&image, platform, "mremap");
    let page = run.printed_address("mremap: kept 5 at ");
    run.assert_page_fault(
        "write to",
        Some(page + 8),
        "outside the image: heap, stacks, mappings or devices",
        "protection violation: page present, read-only",
    );
    assert!(
        !run.console.contains("wrote a read-only page"),
        "{}",
        run.show()
    );
}

#[test]
fn kvm_mremap_keeps_protection() {
    moved_read_only("kvm");
}

#[test]
fn xen_mremap_keeps_protection() {
    moved_read_only("xen");
}

#[test]
fn kvm_partial_munmaps_return_memory() {
    pieces("kvm");
}

#[test]
fn xen_partial_munmaps_return_memory() {
    pieces("xen");
}

#[test]
fn kvm_null_read_faults() {
    null_read("kvm");
}

#[test]
fn kvm_code_write_faults() {
    code_write("kvm");
}

#[test]
fn kvm_heap_execution_faults() {
    heap_execution("kvm");
}

#[test]
fn kvm_main_stack_overflow_faults() {
    stack_overflow("kvm", "stack");
}

#[test]
fn kvm_thread_stack_overflow_faults() {
    stack_overflow("kvm", "thread-stack");
}

#[test]
fn kvm_write_after_mprotect_read_faults() {
    read_only_write("kvm");
}

#[test]
fn kvm_partly_unmapped_page_faults() {
    unmapped_read("kvm");
}

#[test]
fn kvm_jit_runs() {
    jit("kvm");
}

#[test]
fn xen_null_read_faults() {
    null_read("xen");
}

#[test]
fn xen_code_write_faults() {
    code_write("xen");
}

#[test]
fn xen_heap_execution_faults() {
    heap_execution("xen");
}

#[test]
fn xen_main_stack_overflow_faults() {
    stack_overflow("xen", "stack");
}

#[test]
fn xen_thread_stack_overflow_faults() {
    stack_overflow("xen", "thread-stack");
}

#[test]
fn xen_write_after_mprotect_read_faults() {
    read_only_write("xen");
}

#[test]
fn xen_partly_unmapped_page_faults() {
    unmapped_read("xen");
}

#[test]
fn xen_jit_runs() {
    jit("xen");
}

/// The nolibc path: the image's own read-only data and data are protected too.
#[test]
fn nolibc_image_protection_on_kvm_and_xen() {
    let dir = work_dir("protection", "nolibc");
    let object = dir.join("protection.o");
    compile_c(&app("protection.c"), &object, &[]);
    for platform in ["kvm", "xen"] {
        let image = dir.join(format!("protection.{platform}"));
        let out = ukl_link(&[&object], platform, &image, &[]);
        assert!(out.status.success(), "{out:?}");
        let ok = run(&image, platform, "ok");
        assert_eq!(ok.status, Some(0), "{}", ok.show());
        assert!(ok.console.contains("ok r 1"), "{}", ok.show());

        let null = run(&image, platform, "null");
        null.assert_page_fault("read of", Some(0), "low memory", "page not present");

        let rodata = run(&image, platform, "write-rodata");
        let message = rodata.printed_address("message at ");
        rodata.assert_page_fault(
            "write to",
            Some(message),
            "the image's read-only data",
            "protection violation: page present, read-only",
        );
        assert!(!rodata.console.contains("wrote"), "{}", rodata.show());

        let data = run(&image, platform, "exec-data");
        let code = data.printed_address("data at ");
        let line = format!(
            "page fault: instruction fetch at {code:#x} (the image's data): protection \
             violation: page present, not executable\n"
        );
        assert_eq!(data.status, Some(CRASH_STATUS), "{}", data.show());
        assert!(
            data.console.contains(&line),
            "no `{line}` in:\n{}",
            data.show()
        );
    }
}
