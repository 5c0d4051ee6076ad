//! `ukplat_cmdline` on linuxu: the process's arguments after `argv[0]`, joined into the command
//! line syntax that the boot library splits (spaces separate; an argument with spaces, tabs or
//! newlines, or an empty one, is quoted; `"` and `\` are escaped), so that splitting it again
//! gives the same arguments. `main` gets the real `argv` (`uk_boot_main_argv`); the command
//! line is for libraries that read options from it. Arguments that do not fit in
//! [`MAX_CMDLINE`] bytes are left out.

/// Bytes of command line kept, the final NUL included.
pub const MAX_CMDLINE: usize = 4096;

/// A command line being built into a fixed buffer.
pub struct CommandLine {
    text: [u8; MAX_CMDLINE],
    len: usize,
}

impl CommandLine {
    pub const fn new() -> CommandLine {
        CommandLine {
            text: [0; MAX_CMDLINE],
            len: 0,
        }
    }

    /// Appends one argument; returns false (and leaves the line as it was) if it does not fit.
    pub fn push(&mut self, argument: &[u8]) -> bool {
        let quoted = argument.is_empty()
            || argument
                .iter()
                .any(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        let escapes = argument
            .iter()
            .filter(|b| matches!(b, b'"' | b'\\'))
            .count();
        let needed = usize::from(self.len > 0) + argument.len() + escapes + 2 * usize::from(quoted);
        // Keep one byte for the NUL.
        if self.len + needed >= MAX_CMDLINE {
            return false;
        }
        if self.len > 0 {
            self.put(b' ');
        }
        if quoted {
            self.put(b'"');
        }
        for &byte in argument {
            if matches!(byte, b'"' | b'\\') {
                self.put(b'\\');
            }
            self.put(byte);
        }
        if quoted {
            self.put(b'"');
        }
        true
    }

    fn put(&mut self, byte: u8) {
        self.text[self.len] = byte;
        self.len += 1;
    }

    /// The NUL-terminated line.
    pub fn as_ptr(&self) -> *const u8 {
        self.text.as_ptr()
    }

    #[cfg(test)]
    pub fn as_bytes(&self) -> &[u8] {
        &self.text[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::CommandLine;

    fn join(arguments: &[&str]) -> String {
        let mut line = CommandLine::new();
        for argument in arguments {
            assert!(line.push(argument.as_bytes()));
        }
        String::from_utf8(line.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(join(&[]), "");
        assert_eq!(join(&["a", "b c", ""]), "a \"b c\" \"\"");
        assert_eq!(join(&["x\"y", "back\\slash"]), "x\\\"y back\\\\slash");
    }

    #[test]
    fn too_long_is_left_out() {
        let mut line = CommandLine::new();
        let long = [b'x'; 3000];
        assert!(line.push(&long));
        assert!(!line.push(&long));
        assert!(line.push(b"short"));
        assert_eq!(line.as_bytes().len(), 3006);
    }
}
