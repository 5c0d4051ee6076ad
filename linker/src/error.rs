//! Link errors that read like rustc's diagnostics: the problem, notes that explain it, and a
//! `help:` line that says what to do.

use std::fmt;

/// An error from any phase of a link. Every error names the file, symbol, section or option it is
/// about; `notes` explain, `help` says what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkError {
    pub message: String,
    pub notes: Vec<String>,
    pub help: Option<String>,
}

pub type Result<T, E = LinkError> = std::result::Result<T, E>;

impl LinkError {
    pub fn new(message: impl Into<String>) -> Self {
        LinkError {
            message: message.into(),
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Several errors reported at once (e.g. every undefined symbol of a link).
    pub fn combine(mut errors: Vec<LinkError>) -> LinkError {
        if errors.len() == 1 {
            return errors.remove(0);
        }
        let count = errors.len();
        let mut first = errors.remove(0);
        for other in errors {
            first.notes.push(format!("error: {}", other.message));
            first.notes.extend(other.notes);
            if first.help.is_none() {
                first.help = other.help;
            }
        }
        first.message = format!("{} (and {} more errors)", first.message, count - 1);
        first
    }
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        for note in &self.notes {
            write!(f, "\n  = note: {note}")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LinkError {}

/// Shorthand for building an error with `format!` arguments.
#[macro_export]
macro_rules! link_error {
    ($($arg:tt)*) => { $crate::error::LinkError::new(format!($($arg)*)) };
}
