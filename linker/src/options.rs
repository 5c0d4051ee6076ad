//! Link-time options: declared per library in `registry.toml` (`[library.options.NAME]` with
//! `type`, `default`, `description`, and for numbers `min`/`max`), set in `uk.toml` or with
//! `--opt LIBRARY.NAME=VALUE`, validated here, and written into the image: each option of each
//! selected library becomes a global symbol `uk_opt_<library>_<name>` in a small relocatable
//! object ([`options_object`]) that the link adds to its inputs. Libraries read the symbol at
//! boot and carry a weak default of their own, so the pool is never recompiled for a value.
//!
//! Encodings: `int` is an int64, `size` a uint64 (`16M`, `4K`, `1G` accepted), `bool` one byte
//! (0 or 1), `string` NUL-terminated bytes (declare it `extern const char NAME[]`).

use crate::error::{LinkError, Result};
use crate::link_error;
use crate::pool::RegistryEntry;
use crate::select::{near_names, Pool, Selection};
use std::collections::BTreeMap;

/// The type of an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OptionType {
    Int,
    Bool,
    String,
    Size,
}

impl std::fmt::Display for OptionType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OptionType::Int => "int",
            OptionType::Bool => "bool",
            OptionType::String => "string",
            OptionType::Size => "size",
        })
    }
}

impl OptionType {
    fn example(self) -> &'static str {
        match self {
            OptionType::Int => "a whole number, e.g. 4",
            OptionType::Bool => "true or false",
            OptionType::String => "text, e.g. \"hello\"",
            OptionType::Size => "a byte count, e.g. 65536, 64K or 16M",
        }
    }
}

/// A value of an option.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum OptionValue {
    Int(i64),
    Bool(bool),
    String(String),
    Size(u64),
}

impl std::fmt::Display for OptionValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OptionValue::Int(v) => write!(f, "{v}"),
            OptionValue::Bool(v) => write!(f, "{v}"),
            OptionValue::String(v) => write!(f, "{v:?}"),
            OptionValue::Size(v) => write!(f, "{v}"),
        }
    }
}

impl OptionValue {
    /// The bytes written into the image.
    fn bytes(&self) -> Vec<u8> {
        match self {
            OptionValue::Int(v) => v.to_le_bytes().to_vec(),
            OptionValue::Size(v) => v.to_le_bytes().to_vec(),
            OptionValue::Bool(v) => vec![u8::from(*v)],
            OptionValue::String(v) => {
                let mut bytes = v.as_bytes().to_vec();
                bytes.push(0);
                bytes
            }
        }
    }
}

/// One declared option of one library.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OptionSpec {
    pub library: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: OptionType,
    pub default: OptionValue,
    pub description: String,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

impl OptionSpec {
    /// `LIBRARY.NAME`.
    pub fn key(&self) -> String {
        format!("{}.{}", self.library, self.name)
    }

    /// The symbol the image defines for it.
    pub fn symbol(&self) -> String {
        format!("uk_opt_{}_{}", self.library, self.name)
    }
}

/// The options `entry` declares, sorted by name.
pub fn declared(entry: &RegistryEntry) -> Result<Vec<OptionSpec>> {
    let mut specs = Vec::new();
    for (name, value) in &entry.options {
        let bad = |why: String| {
            link_error!("registry.toml: option `{}.{name}` is invalid: {why}", entry.name)
                .help("declare options as `{ type = \"int\"|\"bool\"|\"string\"|\"size\", default = ..., description = \"...\" }`")
        };
        let table = value.as_table().ok_or_else(|| bad("not a table".into()))?;
        let kind = match table.get("type").and_then(|t| t.as_str()) {
            Some("int") => OptionType::Int,
            Some("bool") => OptionType::Bool,
            Some("string") => OptionType::String,
            Some("size") => OptionType::Size,
            Some(other) => return Err(bad(format!("unknown type `{other}`"))),
            None => return Err(bad("no `type`".into())),
        };
        let number = |key: &str| table.get(key).and_then(|v| v.as_integer());
        let spec_base = OptionSpec {
            library: entry.name.clone(),
            name: name.clone(),
            kind,
            default: OptionValue::Bool(false),
            description: table
                .get("description")
                .and_then(|d| d.as_str())
                .unwrap_or("")
                .to_string(),
            min: number("min"),
            max: number("max"),
        };
        let default = table
            .get("default")
            .ok_or_else(|| bad("no default".into()))?;
        let default = parse_value(
            &spec_base,
            &Setting::value(default.clone(), "registry.toml"),
        )
        .map_err(|e| bad(format!("its default: {}", e.message)))?;
        specs.push(OptionSpec {
            default,
            ..spec_base
        });
    }
    Ok(specs)
}

/// A value as given by the user.
#[derive(Debug, Clone, PartialEq)]
pub enum Given {
    /// From the command line: always text, read according to the option's type.
    Text(String),
    /// From uk.toml: a typed TOML value.
    Value(toml::Value),
}

/// One `LIBRARY.NAME = VALUE` the user gave, and where (`--opt` or the manifest's path).
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub key: String,
    pub given: Given,
    pub source: String,
}

impl Setting {
    /// Parses `LIBRARY.NAME=VALUE` from the command line.
    pub fn parse_flag(text: &str) -> Result<Setting> {
        let (key, value) = text.split_once('=').ok_or_else(|| {
            link_error!("`--opt {text}` has no value")
                .help("write options as `--opt LIBRARY.NAME=VALUE`, e.g. `--opt ukdebug.level=4`")
        })?;
        Ok(Setting {
            key: key.trim().to_string(),
            given: Given::Text(value.to_string()),
            source: "--opt".to_string(),
        })
    }

    fn value(value: toml::Value, source: &str) -> Setting {
        Setting {
            key: String::new(),
            given: Given::Value(value),
            source: source.to_string(),
        }
    }

    fn shown(&self) -> String {
        match &self.given {
            Given::Text(t) => format!("`{t}`"),
            Given::Value(v) => format!("`{v}`"),
        }
    }
}

/// An option with the value the image gets.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ResolvedOption {
    pub spec: OptionSpec,
    pub value: OptionValue,
    /// `default`, `--opt` or the manifest's path.
    pub source: String,
}

/// Reads "16M", "4K", "1G", "0x1000", "65536".
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, shift) = match text.char_indices().last()? {
        (i, 'K' | 'k') => (&text[..i], 10),
        (i, 'M' | 'm') => (&text[..i], 20),
        (i, 'G' | 'g') => (&text[..i], 30),
        _ => (text, 0),
    };
    let digits = digits.trim();
    let number = match digits.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok()?,
        None => digits.parse().ok()?,
    };
    number.checked_mul(1u64 << shift)
}

fn toml_type(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a float",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "an array",
        toml::Value::Table(_) => "a table",
    }
}

/// Reads a setting as a value of `spec`'s type and checks its range.
fn parse_value(spec: &OptionSpec, setting: &Setting) -> Result<OptionValue> {
    let wrong = |found: String| {
        link_error!(
            "option `{}` expects {} ({}), but {} is {found}",
            spec.key(),
            match spec.kind {
                OptionType::Int => "an int",
                OptionType::Bool => "a bool",
                OptionType::String => "a string",
                OptionType::Size => "a size",
            },
            spec.kind.example(),
            setting.shown()
        )
        .note(format!("set in {}", setting.source))
        .help(format!("give `{}` {}", spec.key(), spec.kind.example()))
    };
    let value = match (&setting.given, spec.kind) {
        (Given::Text(t), OptionType::Int) => t
            .trim()
            .parse()
            .map(OptionValue::Int)
            .map_err(|_| wrong("not a whole number".into()))?,
        (Given::Text(t), OptionType::Size) => parse_size(t)
            .map(OptionValue::Size)
            .ok_or_else(|| wrong("not a byte count".into()))?,
        (Given::Text(t), OptionType::Bool) => match t.trim() {
            "true" | "1" | "yes" | "on" => OptionValue::Bool(true),
            "false" | "0" | "no" | "off" => OptionValue::Bool(false),
            _ => return Err(wrong("neither true nor false".into())),
        },
        (Given::Text(t), OptionType::String) => OptionValue::String(t.clone()),
        (Given::Value(toml::Value::Integer(i)), OptionType::Int) => OptionValue::Int(*i),
        (Given::Value(toml::Value::Integer(i)), OptionType::Size) if *i >= 0 => {
            OptionValue::Size(*i as u64)
        }
        (Given::Value(toml::Value::String(t)), OptionType::Size) => parse_size(t)
            .map(OptionValue::Size)
            .ok_or_else(|| wrong("not a byte count".into()))?,
        (Given::Value(toml::Value::Boolean(b)), OptionType::Bool) => OptionValue::Bool(*b),
        (Given::Value(toml::Value::String(t)), OptionType::String) => {
            OptionValue::String(t.clone())
        }
        (Given::Value(v), _) => return Err(wrong(toml_type(v).into())),
    };
    if let OptionType::String = spec.kind {
        if let OptionValue::String(text) = &value {
            if text.contains('\0') {
                return Err(wrong("text with a NUL byte".into()));
            }
        }
    }
    let number = match value {
        OptionValue::Int(v) => Some(i128::from(v)),
        OptionValue::Size(v) => Some(i128::from(v)),
        _ => None,
    };
    if let Some(number) = number {
        let below = spec.min.is_some_and(|m| number < i128::from(m));
        let above = spec.max.is_some_and(|m| number > i128::from(m));
        if below || above {
            let range = match (spec.min, spec.max) {
                (Some(a), Some(b)) => format!("from {a} to {b}"),
                (Some(a), None) => format!("at least {a}"),
                (None, Some(b)) => format!("at most {b}"),
                (None, None) => String::new(),
            };
            return Err(link_error!(
                "value {number} of option `{}` is out of range: it must be {range}",
                spec.key()
            )
            .note(format!("set in {}", setting.source))
            .note(format!("`{}`: {}", spec.key(), spec.description))
            .help(format!("give `{}` a value {range}", spec.key())));
        }
    }
    Ok(value)
}

/// The value of every option of the selected libraries: the user's setting or the default.
/// Every setting is checked: its library must be in the image, its name declared, its value of
/// the right type and range. All problems are returned at once.
pub fn resolve(
    pool: &Pool,
    selection: &Selection,
    settings: &[Setting],
) -> (Vec<ResolvedOption>, Vec<LinkError>) {
    let mut errors = Vec::new();
    let mut all_specs: BTreeMap<String, OptionSpec> = BTreeMap::new();
    for entry in &pool.registry.library {
        match declared(entry) {
            Ok(specs) => all_specs.extend(specs.into_iter().map(|s| (s.key(), s))),
            Err(e) => errors.push(e),
        }
    }
    let mut chosen: BTreeMap<String, (OptionValue, String)> = BTreeMap::new();
    for setting in settings {
        let Some((library, name)) = setting.key.split_once('.') else {
            errors.push(
                link_error!("option `{}` does not name its library", setting.key)
                    .note(format!("set in {}", setting.source))
                    .help("write options as LIBRARY.NAME, e.g. `ukdebug.level`"),
            );
            continue;
        };
        let Some(spec) = all_specs.get(&setting.key) else {
            errors.push(unknown_option(pool, &all_specs, setting, library, name));
            continue;
        };
        if selection.get(library).is_none() {
            errors.push(
                link_error!(
                    "option `{}` is set, but library `{library}` is not in this image",
                    setting.key
                )
                .note(format!("set in {}", setting.source))
                .help(format!(
                    "add `{library}` (--lib {library}, or `libraries` in uk.toml), or drop the \
                     option"
                )),
            );
            continue;
        }
        match parse_value(spec, setting) {
            Ok(value) => {
                chosen.insert(setting.key.clone(), (value, setting.source.clone()));
            }
            Err(e) => errors.push(e),
        }
    }
    let mut resolved = Vec::new();
    for spec in all_specs.into_values() {
        if selection.get(&spec.library).is_none() {
            continue;
        }
        let (value, source) = chosen
            .remove(&spec.key())
            .unwrap_or_else(|| (spec.default.clone(), "default".to_string()));
        resolved.push(ResolvedOption {
            spec,
            value,
            source,
        });
    }
    (resolved, errors)
}

fn unknown_option(
    pool: &Pool,
    all_specs: &BTreeMap<String, OptionSpec>,
    setting: &Setting,
    library: &str,
    name: &str,
) -> LinkError {
    if pool.registry.get(library).is_none() {
        let near = near_names(
            library,
            pool.registry.library.iter().map(|l| l.name.as_str()),
        );
        let mut e = link_error!(
            "unknown option `{}`: there is no library `{library}`",
            setting.key
        )
        .note(format!("set in {}", setting.source));
        if !near.is_empty() {
            e = e.note(format!("similar library names: {}", near.join(", ")));
        }
        return e.help(
            "see `ukl pool list` for the libraries and `ukl pool info LIBRARY` for their options",
        );
    }
    let own: Vec<&OptionSpec> = all_specs
        .values()
        .filter(|s| s.library == library)
        .collect();
    let near = near_names(&setting.key, all_specs.keys().map(String::as_str));
    let mut e =
        link_error!("unknown option `{}`", setting.key).note(format!("set in {}", setting.source));
    if !near.is_empty() {
        e = e.note(format!("the nearest known options: {}", near.join(", ")));
    }
    if own.is_empty() {
        e = e.note(format!("library `{library}` declares no options"));
    } else {
        let list: Vec<String> = own
            .iter()
            .map(|s| format!("{} ({})", s.name, s.kind))
            .collect();
        e = e.note(format!("options of {library}: {}", list.join(", ")));
    }
    let _ = name;
    e.help(match near.first() {
        Some(first) => format!("did you mean `{first}`?"),
        None => format!("see `ukl pool info {library}` for its options"),
    })
}

/// A relocatable ELF object that defines every option as a global data symbol in
/// `.data.uk_options` (the symbol's size is the value's size).
pub fn options_object(options: &[ResolvedOption]) -> Result<Vec<u8>> {
    use object::write::{Object, Symbol, SymbolSection};
    use object::{
        Architecture, BinaryFormat, Endianness, SectionKind, SymbolFlags, SymbolKind, SymbolScope,
    };
    let mut object = Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
    let section = object.add_section(Vec::new(), b".data.uk_options".to_vec(), SectionKind::Data);
    for option in options {
        let bytes = option.value.bytes();
        let offset = object.append_section_data(section, &bytes, 8);
        object.add_symbol(Symbol {
            name: option.spec.symbol().into_bytes(),
            value: offset,
            size: bytes.len() as u64,
            kind: SymbolKind::Data,
            scope: SymbolScope::Linkage,
            weak: false,
            section: SymbolSection::Section(section),
            flags: SymbolFlags::None,
        });
    }
    object
        .write()
        .map_err(|e| link_error!("cannot write the options object: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("16M"), Some(16 << 20));
        assert_eq!(parse_size("4k"), Some(4096));
        assert_eq!(parse_size("0x1000"), Some(4096));
        assert_eq!(parse_size("12"), Some(12));
        assert_eq!(parse_size("M"), None);
        assert_eq!(parse_size("lots"), None);
    }

    #[test]
    fn object_defines_symbols() {
        use object::{Object, ObjectSymbol};
        let spec = OptionSpec {
            library: "ukdebug".into(),
            name: "level".into(),
            kind: OptionType::Int,
            default: OptionValue::Int(3),
            description: String::new(),
            min: None,
            max: None,
        };
        let bytes = options_object(&[ResolvedOption {
            spec,
            value: OptionValue::Int(4),
            source: "--opt".into(),
        }])
        .unwrap();
        let file = object::File::parse(&*bytes).unwrap();
        let symbol = file
            .symbols()
            .find(|s| s.name() == Ok("uk_opt_ukdebug_level"))
            .unwrap();
        assert!(symbol.is_global() && symbol.is_definition());
        assert_eq!(symbol.size(), 8);
    }
}
