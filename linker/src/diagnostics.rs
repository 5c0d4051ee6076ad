//! How the CLI reports: errors read like rustc's diagnostics (`error:` the problem, `= note:`
//! lines that explain it, `= help:` what to do), and `--message-format json` gives the same
//! information to tools, one JSON object per line.
//!
//! JSON lines: `{"type":"diagnostic","level":"error","message":..,"notes":[..],"help":..}` for
//! each problem, and for a command's result `{"type":"<command>", ...}` with the fields of the
//! result (see docs/commands.md).

use crate::error::LinkError;
use serde::Serialize;

/// `--message-format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MessageFormat {
    #[default]
    Human,
    Json,
}

impl std::str::FromStr for MessageFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "human" => Ok(MessageFormat::Human),
            "json" => Ok(MessageFormat::Json),
            other => Err(format!("unknown message format `{other}` (human or json)")),
        }
    }
}

/// One problem, as tools see it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Diagnostic {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub level: &'static str,
    pub message: String,
    pub notes: Vec<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    fn from_error(error: &LinkError) -> Diagnostic {
        Diagnostic {
            kind: "diagnostic",
            level: "error",
            message: error.message.clone(),
            notes: error.notes.clone(),
            help: error.help.clone(),
        }
    }
}

/// Every problem `error` reports, one per element.
pub fn diagnostics(error: &LinkError) -> Vec<Diagnostic> {
    error
        .clone()
        .flatten()
        .iter()
        .map(Diagnostic::from_error)
        .collect()
}

/// `error` rendered for stderr (ends with a newline).
pub fn render_error(error: &LinkError, format: MessageFormat) -> String {
    let all = diagnostics(error);
    let mut out = String::new();
    match format {
        MessageFormat::Json => {
            for diagnostic in &all {
                out.push_str(&json_line(diagnostic));
            }
        }
        MessageFormat::Human => {
            for diagnostic in &all {
                out.push_str(&format!("error: {}\n", diagnostic.message));
                for note in &diagnostic.notes {
                    out.push_str(&format!("  = note: {note}\n"));
                }
                if let Some(help) = &diagnostic.help {
                    out.push_str(&format!("  = help: {help}\n"));
                }
            }
            if all.len() > 1 {
                out.push_str(&format!("error: {} problems found\n", all.len()));
            }
        }
    }
    out
}

/// One JSON object and a newline.
pub fn json_line<T: Serialize>(value: &T) -> String {
    let mut line = serde_json::to_string(value)
        .unwrap_or_else(|e| format!("{{\"type\":\"internal-error\",\"message\":\"{e}\"}}"));
    line.push('\n');
    line
}

/// A command's result as a JSON line: `{"type": kind, ...value's fields}`.
pub fn result_line<T: Serialize>(kind: &str, value: &T) -> String {
    let mut json = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
    match &mut json {
        serde_json::Value::Object(map) => {
            map.insert("type".into(), serde_json::Value::String(kind.into()));
        }
        other => {
            let mut map = serde_json::Map::new();
            map.insert("type".into(), serde_json::Value::String(kind.into()));
            map.insert("value".into(), other.take());
            json = serde_json::Value::Object(map);
        }
    }
    json_line(&json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_errors_render_one_by_one() {
        let error = LinkError::combine(vec![
            LinkError::new("first").note("a").help("do x"),
            LinkError::new("second"),
        ]);
        assert_eq!(
            render_error(&error, MessageFormat::Human),
            "error: first\n  = note: a\n  = help: do x\nerror: second\nerror: 2 problems found\n"
        );
        let json = render_error(&error, MessageFormat::Json);
        assert_eq!(json.lines().count(), 2);
        let first: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
        assert_eq!(first["message"], "first");
        assert_eq!(first["help"], "do x");
        assert_eq!(first["type"], "diagnostic");
    }
}
