//! The seccomp filter (classic BPF over `struct seccomp_data`): calls from plat_linuxu's gate
//! are allowed, the listed calls of everyone else trap, everything else is allowed.

/// `struct sock_filter`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instruction {
    pub code: u16,
    pub jump_true: u8,
    pub jump_false: u8,
    pub k: u32,
}

const LOAD_WORD: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
const JUMP_EQUAL: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const RETURN: u16 = 0x06; // BPF_RET | BPF_K
/// `struct seccomp_data` offsets: nr, arch, instruction_pointer (low, high words).
const NR: u32 = 0;
const ARCH: u32 = 4;
const IP_LOW: u32 = 8;
const IP_HIGH: u32 = 12;
const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
pub const RET_ALLOW: u32 = 0x7fff_0000;
pub const RET_TRAP: u32 = 0x0003_0000;

/// The calls the table serves: paths, descriptors, file mappings, `poll`/`select` (each
/// passes back to the host when the descriptor or mapping is not the table's), `umask` (the
/// table creates the files), and the two
/// signal calls that could block `SIGSYS` (`rt_sigaction`, `rt_sigprocmask`: the trap keeps
/// SIGSYS out of their masks, since a trapped call with SIGSYS blocked kills the process).
pub const TRAPPED: &[u32] = &[
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 14, 16, 17, 18, 19, 20, 21, 23, 25, 32, 33, 40, 72, 73,
    74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 132,
    133, 137, 138, 217, 235, 257, 258, 259, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 270,
    271, 280, 285, 292, 295, 296, 306, 316, 326, 332, 439,
];

fn load(offset: u32) -> Instruction {
    Instruction {
        code: LOAD_WORD,
        jump_true: 0,
        jump_false: 0,
        k: offset,
    }
}

fn jump_equal(value: u32, jump_true: usize, jump_false: usize) -> Instruction {
    Instruction {
        code: JUMP_EQUAL,
        jump_true: jump_true as u8,
        jump_false: jump_false as u8,
        k: value,
    }
}

fn ret(value: u32) -> Instruction {
    Instruction {
        code: RETURN,
        jump_true: 0,
        jump_false: 0,
        k: value,
    }
}

/// Number of instructions of the program for `trapped` calls.
pub const fn length(trapped: usize) -> usize {
    trapped + 9
}

/// Writes the program into `out` (`length(trapped.len())` instructions): `gate` is the
/// address right after the gate's `syscall` instruction (the instruction pointer seccomp
/// reports for it).
pub fn build(gate: u64, trapped: &[u32], out: &mut [Instruction]) {
    let n = trapped.len();
    let allow = 7 + n;
    let trap = allow + 1;
    // Jump offsets count from the next instruction.
    let to = |from: usize, target: usize| target - from - 1;
    let check = 6;
    out[0] = load(ARCH);
    out[1] = jump_equal(AUDIT_ARCH_X86_64, 0, to(1, allow));
    out[2] = load(IP_HIGH);
    out[3] = jump_equal((gate >> 32) as u32, 0, to(3, check));
    out[4] = load(IP_LOW);
    out[5] = jump_equal(gate as u32, to(5, allow), 0);
    out[check] = load(NR);
    for (i, &nr) in trapped.iter().enumerate() {
        let at = check + 1 + i;
        out[at] = jump_equal(nr, to(at, trap), 0);
    }
    out[allow] = ret(RET_ALLOW);
    out[trap] = ret(RET_TRAP);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the program on one `seccomp_data` (nr, arch, ip) like the kernel's interpreter.
    fn run(program: &[Instruction], nr: u32, arch: u32, ip: u64) -> u32 {
        let data = |offset: u32| match offset {
            NR => nr,
            ARCH => arch,
            IP_LOW => ip as u32,
            IP_HIGH => (ip >> 32) as u32,
            _ => panic!("unexpected load at {offset}"),
        };
        let mut pc = 0;
        let mut accumulator = 0;
        loop {
            let i = program[pc];
            match i.code {
                LOAD_WORD => accumulator = data(i.k),
                JUMP_EQUAL => {
                    let skip = if accumulator == i.k {
                        i.jump_true
                    } else {
                        i.jump_false
                    };
                    pc += usize::from(skip);
                }
                RETURN => return i.k,
                _ => panic!("unknown instruction"),
            }
            pc += 1;
        }
    }

    #[test]
    fn the_gate_passes_listed_calls_trap_others_pass() {
        let gate = 0x0000_0001_0040_1234;
        let mut program = [ret(0); length(TRAPPED.len())];
        build(gate, TRAPPED, &mut program);
        for &nr in TRAPPED {
            assert_eq!(
                run(&program, nr, AUDIT_ARCH_X86_64, 0x40_0000),
                RET_TRAP,
                "{nr}"
            );
            assert_eq!(
                run(&program, nr, AUDIT_ARCH_X86_64, gate),
                RET_ALLOW,
                "{nr}"
            );
            // Same low word, another high word: not the gate.
            assert_eq!(
                run(&program, nr, AUDIT_ARCH_X86_64, gate as u32 as u64),
                RET_TRAP
            );
            assert_eq!(run(&program, nr, AUDIT_ARCH_X86_64, gate + 2), RET_TRAP);
        }
        for nr in [10, 12, 15, 56, 60, 202, 228, 231, 41, 42, 43, 44, 45] {
            assert_eq!(
                run(&program, nr, AUDIT_ARCH_X86_64, 0x40_0000),
                RET_ALLOW,
                "{nr}"
            );
        }
        // Another architecture's calls (e.g. int 0x80 from i386 code) are left alone.
        assert_eq!(run(&program, 5, 0x4000_0003, 0x40_0000), RET_ALLOW);
    }
}
