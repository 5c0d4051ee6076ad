//! Reading a guest's console out of a hypervisor's serial log (Xen under QEMU for `ukl run
//! --plat xen`): the hypervisor's own lines are set apart, the prefix it puts before a guest's
//! lines is removed, and the guest's `ukl: exit status N` line gives the exit status.

use crate::platform::ExitSpec;

/// What one line of the log is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogLine {
    /// The guest's console: the text, prefix removed.
    Guest(String),
    /// The hypervisor's own message.
    Hypervisor(String),
    /// The guest's exit status line.
    Status(i32),
}

/// Classifies log lines by the prefixes of an [`ExitSpec`] of kind `console`.
#[derive(Debug, Clone, Default)]
pub struct ConsoleLog {
    status_line: String,
    hide_prefix: Option<String>,
    strip_prefix: Option<String>,
}

impl ConsoleLog {
    pub fn new(spec: &ExitSpec) -> ConsoleLog {
        ConsoleLog {
            status_line: spec
                .status_line
                .clone()
                .unwrap_or_else(|| "ukl: exit status ".into()),
            hide_prefix: spec.hide_prefix.clone().filter(|p| !p.is_empty()),
            strip_prefix: spec.strip_prefix.clone().filter(|p| !p.is_empty()),
        }
    }

    /// A hypervisor line without the hypervisor's prefix (`(XEN) Panic` → `Panic`).
    pub fn without_hypervisor_prefix<'a>(&self, line: &'a str) -> &'a str {
        match &self.hide_prefix {
            Some(prefix) => line.strip_prefix(prefix.as_str()).unwrap_or(line),
            None => line,
        }
    }

    /// Classifies one line (without its line ending; a trailing `\r` is dropped).
    pub fn classify(&self, line: &str) -> LogLine {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(hidden) = &self.hide_prefix {
            if line.starts_with(hidden.as_str()) {
                return LogLine::Hypervisor(line.to_string());
            }
        }
        let text = match &self.strip_prefix {
            Some(prefix) => line.strip_prefix(prefix.as_str()).unwrap_or(line),
            None => line,
        };
        if let Some(rest) = text.strip_prefix(self.status_line.as_str()) {
            if let Ok(status) = rest.trim().parse::<i32>() {
                return LogLine::Status(status);
            }
        }
        LogLine::Guest(text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xen() -> ConsoleLog {
        ConsoleLog::new(&ExitSpec {
            kind: "console".into(),
            port: None,
            status_line: Some("ukl: exit status ".into()),
            hide_prefix: Some("(XEN)".into()),
            strip_prefix: Some("(d0) ".into()),
            fatal: None,
        })
    }

    #[test]
    fn sorts_hypervisor_guest_and_status_lines() {
        let log = xen();
        assert_eq!(
            log.classify("(XEN) Guest Loglevel: All\r"),
            LogLine::Hypervisor("(XEN) Guest Loglevel: All".into())
        );
        assert_eq!(
            log.classify("Hello, world!\r"),
            LogLine::Guest("Hello, world!".into())
        );
        assert_eq!(
            log.classify("(d0) from port 0xe9"),
            LogLine::Guest("from port 0xe9".into())
        );
        assert_eq!(log.classify("ukl: exit status 3\r"), LogLine::Status(3));
        assert_eq!(log.classify("(d0) ukl: exit status 0"), LogLine::Status(0));
        assert_eq!(
            log.classify("ukl: exit status soon"),
            LogLine::Guest("ukl: exit status soon".into())
        );
    }
}
