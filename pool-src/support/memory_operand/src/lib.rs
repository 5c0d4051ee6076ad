//! The address that a faulting x86-64 instruction's memory operand names, computed from its
//! bytes and the registers at the fault: for crash reports on hypervisors that lose CR2 (Xen
//! 4.17 under QEMU's TCG leaves it 0).
//!
//! Only forms whose one memory access is certain are decoded: the ModRM forms of moves,
//! arithmetic, compares, tests, exchanges, sign and zero extensions, conditional moves and the
//! common SSE loads and stores; the stack pushes of `push`, `call` and the read of `ret`; and
//! the string instructions `stos`, `lods`, `movs`. Anything else (address-size prefixes,
//! three-byte opcode maps, `bt` with a register bit offset that may reach past the operand,
//! `push` of a memory operand, which touches two places) is `None`, so a report never names an
//! address it is not sure of.
#![no_std]

/// The registers at the fault.
#[derive(Clone, Copy, Debug, Default)]
pub struct Registers {
    /// rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8–r15: the order of their encodings.
    pub general: [u64; 16],
    pub rip: u64,
    pub fs_base: u64,
    pub gs_base: u64,
}

const RSP: usize = 4;
const RSI: usize = 6;
const RDI: usize = 7;

/// Size of the immediate that follows the ModRM operand.
#[derive(Clone, Copy)]
enum Immediate {
    None,
    Byte,
    /// 4 bytes, 2 with an operand-size prefix.
    Word,
}

/// How a one-byte opcode with a ModRM byte is laid out, by its ModRM `reg` field where that
/// selects the instruction; None when its memory access is not certain.
fn one_byte(opcode: u8, reg: u8) -> Option<Immediate> {
    use Immediate::*;
    match opcode {
        // add, or, adc, sbb, and, sub, xor, cmp: r/m and register forms.
        0x00..=0x3f if opcode & 0x07 <= 3 => Some(None),
        0x63 => Some(None),
        0x69 => Some(Word),
        0x6b => Some(Byte),
        0x80 | 0x83 => Some(Byte),
        0x81 => Some(Word),
        0x84..=0x8b => Some(None),
        0xc0 | 0xc1 | 0xc6 => Some(Byte),
        0xc7 => Some(Word),
        0xd0..=0xd3 => Some(None),
        0xf6 if reg <= 1 => Some(Byte),
        0xf6 => Some(None),
        0xf7 if reg <= 1 => Some(Word),
        0xf7 => Some(None),
        0xfe if reg <= 1 => Some(None),
        // inc, dec; call and jmp through memory read their target there.
        0xff if matches!(reg, 0 | 1 | 2 | 4) => Some(None),
        _ => Option::None,
    }
}

/// The same for the two-byte map (after 0x0f).
fn two_byte(opcode: u8) -> Option<Immediate> {
    use Immediate::*;
    match opcode {
        0x10..=0x17 | 0x28..=0x2f | 0x40..=0x4f | 0x51..=0x6f | 0x74..=0x76 | 0x7e | 0x7f => {
            Some(None)
        }
        0xaf | 0xb0 | 0xb1 | 0xb6 | 0xb7 | 0xbe | 0xbf | 0xc0 | 0xc1 | 0xd0..=0xfe => Some(None),
        0x70 | 0xc2 | 0xc6 => Some(Byte),
        _ => Option::None,
    }
}

fn sign_extend_8(byte: u8) -> u64 {
    byte as i8 as i64 as u64
}

fn sign_extend_32(bytes: &[u8]) -> Option<u64> {
    let word: [u8; 4] = bytes.get(..4)?.try_into().ok()?;
    Some(i32::from_le_bytes(word) as i64 as u64)
}

/// The address the instruction at the start of `code` accesses in memory, with `write` telling
/// whether the faulting access was a write (it chooses between the source and the destination
/// of `movs`); None when the form is not one this module decodes for certain.
pub fn address(code: &[u8], registers: &Registers, write: bool) -> Option<u64> {
    let mut at = 0;
    let mut operand_size_prefix = false;
    let mut segment_base = 0;
    loop {
        match *code.get(at)? {
            0x66 => operand_size_prefix = true,
            // An address-size prefix makes 32-bit addresses: not decoded.
            0x67 => return None,
            0xf0 | 0xf2 | 0xf3 | 0x26 | 0x2e | 0x36 | 0x3e => {}
            0x64 => segment_base = registers.fs_base,
            0x65 => segment_base = registers.gs_base,
            _ => break,
        }
        at += 1;
    }
    let mut rex = 0;
    if let 0x40..=0x4f = *code.get(at)? {
        rex = code[at];
        at += 1;
    }
    let rsp = registers.general[RSP];
    let opcode = *code.get(at)?;
    at += 1;
    let layout = match opcode {
        // push register or immediate, call: the return address or value goes below rsp.
        0x50..=0x57 | 0x68 | 0x6a | 0xe8 => return Some(rsp.wrapping_sub(8)),
        0xc3 => return Some(rsp),
        0xaa | 0xab => return Some(segment_base.wrapping_add(registers.general[RDI])),
        0xac | 0xad => return Some(segment_base.wrapping_add(registers.general[RSI])),
        0xa4 | 0xa5 => {
            let register = if write { RDI } else { RSI };
            return Some(segment_base.wrapping_add(registers.general[register]));
        }
        0x0f => {
            let second = *code.get(at)?;
            at += 1;
            two_byte(second)?
        }
        _ => one_byte(opcode, (*code.get(at)? >> 3) & 7)?,
    };
    let modrm = *code.get(at)?;
    at += 1;
    let (mode, rm) = (modrm >> 6, modrm & 7);
    if mode == 3 {
        return None;
    }
    let rex_b = usize::from(rex & 1) << 3;
    let rex_x = usize::from(rex & 2) << 2;
    let mut base: Option<u64>;
    let mut rip_relative = false;
    if rm == 4 {
        let sib = *code.get(at)?;
        at += 1;
        let scale = sib >> 6;
        let index = usize::from((sib >> 3) & 7) | rex_x;
        let base_register = usize::from(sib & 7);
        base = if base_register == 5 && mode == 0 {
            None
        } else {
            Some(registers.general[base_register | rex_b])
        };
        if index != RSP {
            let scaled = registers.general[index] << scale;
            base = Some(base.unwrap_or(0).wrapping_add(scaled));
        }
        if base_register == 5 && mode == 0 {
            let displacement = sign_extend_32(code.get(at..)?)?;
            at += 4;
            base = Some(base.unwrap_or(0).wrapping_add(displacement));
        }
    } else if rm == 5 && mode == 0 {
        rip_relative = true;
        base = Some(sign_extend_32(code.get(at..)?)?);
        at += 4;
    } else {
        base = Some(registers.general[usize::from(rm) | rex_b]);
    }
    let displacement = match mode {
        1 => {
            let byte = *code.get(at)?;
            at += 1;
            sign_extend_8(byte)
        }
        2 => {
            let displacement = sign_extend_32(code.get(at..)?)?;
            at += 4;
            displacement
        }
        _ => 0,
    };
    let mut address = base.unwrap_or(0).wrapping_add(displacement);
    if rip_relative {
        let immediate = match layout {
            Immediate::None => 0,
            Immediate::Byte => 1,
            Immediate::Word if operand_size_prefix => 2,
            Immediate::Word => 4,
        };
        let length = (at + immediate) as u64;
        address = address.wrapping_add(registers.rip).wrapping_add(length);
    }
    Some(segment_base.wrapping_add(address))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registers() -> Registers {
        let mut registers = Registers {
            rip: 0x40_1000,
            fs_base: 0x7000_0000,
            gs_base: 0x6000_0000,
            ..Registers::default()
        };
        for (index, value) in registers.general.iter_mut().enumerate() {
            *value = 0x1_0000 * (index as u64 + 1);
        }
        registers
    }

    #[test]
    fn register_indirect_with_displacements() {
        let r = registers();
        // mov eax, [rdi]
        assert_eq!(address(&[0x8b, 0x07], &r, false), Some(0x8_0000));
        // mov rax, [rdi + 8]
        assert_eq!(
            address(&[0x48, 0x8b, 0x47, 0x08], &r, false),
            Some(0x8_0008)
        );
        // mov [rsp + 8], rdi
        assert_eq!(
            address(&[0x48, 0x89, 0x7c, 0x24, 0x08], &r, true),
            Some(0x5_0008)
        );
        // mov byte [rax - 1], 0xc3
        assert_eq!(
            address(&[0xc6, 0x40, 0xff, 0xc3], &r, true),
            Some(0x1_0000 - 1)
        );
        // mov eax, [r8 + 0x1000]
        assert_eq!(
            address(&[0x41, 0x8b, 0x80, 0x00, 0x10, 0x00, 0x00], &r, false),
            Some(0x9_1000)
        );
    }

    #[test]
    fn scaled_index_absolute_and_segment() {
        let r = registers();
        // mov eax, [rbx + rcx*4 + 0x10]
        assert_eq!(
            address(&[0x8b, 0x44, 0x8b, 0x10], &r, false),
            Some(0x4_0000 + 0x2_0000 * 4 + 0x10)
        );
        // mov eax, [r9*8] (no base: disp32)
        assert_eq!(
            address(&[0x42, 0x8b, 0x04, 0xcd, 0x00, 0x00, 0x00, 0x00], &r, false),
            Some(0xa_0000 * 8)
        );
        // mov byte [0], 42
        assert_eq!(
            address(&[0xc6, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00, 0x2a], &r, true),
            Some(0)
        );
        // mov rax, fs:[0x28]
        assert_eq!(
            address(
                &[0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00],
                &r,
                false
            ),
            Some(0x7000_0028)
        );
    }

    #[test]
    fn rip_relative_counts_the_immediate() {
        let r = registers();
        // mov eax, [rip + 0x10]: 6 bytes long.
        assert_eq!(
            address(&[0x8b, 0x05, 0x10, 0x00, 0x00, 0x00], &r, false),
            Some(0x40_1000 + 6 + 0x10)
        );
        // mov dword [rip + 0x10], 7: 10 bytes long.
        assert_eq!(
            address(
                &[0xc7, 0x05, 0x10, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00],
                &r,
                true
            ),
            Some(0x40_1000 + 10 + 0x10)
        );
        // mov word [rip - 4], 7 (operand-size prefix: a 2-byte immediate): 9 bytes long.
        assert_eq!(
            address(
                &[0x66, 0xc7, 0x05, 0xfc, 0xff, 0xff, 0xff, 0x07, 0x00],
                &r,
                true
            ),
            Some(0x40_1000 + 9 - 4)
        );
    }

    #[test]
    fn stack_and_string_instructions() {
        let r = registers();
        assert_eq!(address(&[0x55], &r, true), Some(0x5_0000 - 8)); // push rbp
        assert_eq!(address(&[0xe8, 0, 0, 0, 0], &r, true), Some(0x5_0000 - 8)); // call
        assert_eq!(address(&[0xc3], &r, false), Some(0x5_0000)); // ret
        assert_eq!(address(&[0xf3, 0x48, 0xab], &r, true), Some(0x8_0000)); // rep stosq
        assert_eq!(address(&[0xf3, 0xa4], &r, false), Some(0x7_0000)); // rep movsb, read
        assert_eq!(address(&[0xf3, 0xa4], &r, true), Some(0x8_0000)); // rep movsb, write
                                                                      // movzx eax, byte [rsi]; movups xmm0, [rdx]
        assert_eq!(address(&[0x0f, 0xb6, 0x06], &r, false), Some(0x7_0000));
        assert_eq!(address(&[0x0f, 0x10, 0x02], &r, false), Some(0x3_0000));
    }

    #[test]
    fn uncertain_forms_are_none() {
        let r = registers();
        assert_eq!(address(&[0x89, 0xc0], &r, true), None); // mov eax, eax: no memory
        assert_eq!(address(&[0x67, 0x8b, 0x07], &r, false), None); // 32-bit address
        assert_eq!(address(&[0xff, 0x37], &r, false), None); // push [rdi]: two accesses
        assert_eq!(address(&[0x0f, 0xa3, 0x07], &r, false), None); // bt [rdi], eax
        assert_eq!(address(&[0x8d, 0x47, 0x08], &r, false), None); // lea: no access
        assert_eq!(address(&[0x0f, 0x38, 0x00, 0x07], &r, false), None); // 3-byte map
        assert_eq!(address(&[0x8b], &r, false), None); // cut short
    }
}
