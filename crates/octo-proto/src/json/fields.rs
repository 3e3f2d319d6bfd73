//! [`Fields`]: typed reads of named fields, with paths for errors.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::raw::{RawObject, parse_raw, text_of_raw};
use super::{FieldError, parse_decimal};
use crate::error::DecodeProblem;
use crate::redact::{is_secret_key, redact, redact_secrets};
use crate::warning::FieldWarning;

/// The informational fields a decoder could not read. Shared by reference,
/// so that nested reads can add to it.
#[derive(Default)]
pub(crate) struct Warnings(std::cell::RefCell<Vec<FieldWarning>>);

impl Warnings {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&self, warning: FieldWarning) {
        self.0.borrow_mut().push(warning);
    }

    pub fn into_vec(self) -> Vec<FieldWarning> {
        self.0.into_inner()
    }
}

/// The keys a decoder read. A decoder reads a few dozen at most, so the
/// first ones sit inline and the list allocates only past them; a key read
/// twice is listed twice, which costs less than a search per read.
#[derive(Default)]
struct ReadKeys {
    inline: [&'static str; 24],
    len: usize,
    more: Vec<&'static str>,
}

impl ReadKeys {
    #[inline]
    fn push(&mut self, key: &'static str) {
        match self.inline.get_mut(self.len) {
            Some(slot) => {
                *slot = key;
                self.len += 1;
            }
            None => self.more.push(key),
        }
    }

    fn contains(&self, key: &str) -> bool {
        let inline = self.inline.get(..self.len).unwrap_or_default();
        inline.contains(&key) || self.more.contains(&key)
    }
}

/// Where fields are read from: a split envelope, or an already decoded
/// object (callbacks, nested objects).
#[derive(Clone, Copy)]
enum Source<'a> {
    Raw(&'a RawObject<'a>),
    Json(&'a Map<String, Value>),
}

impl<'a> Source<'a> {
    /// The value under `key`; for a split object, also the member's
    /// position.
    fn get(self, key: &str) -> Option<(Cow<'a, Value>, Option<usize>)> {
        match self {
            Source::Raw(object) => object
                .get_at(key)
                .map(|(at, raw)| (Cow::Owned(parse_raw(raw)), Some(at))),
            Source::Json(map) => map
                .get(key)
                .filter(|v| !v.is_null())
                .map(|v| (Cow::Borrowed(v), None)),
        }
    }

    /// Calls `f` on every member that `skip` (given the member's position
    /// and key) does not refuse; skipped members are never decoded.
    fn for_each_except(
        self,
        skip: impl Fn(usize, &str) -> bool,
        mut f: impl FnMut(&str, Cow<'_, Value>),
    ) {
        match self {
            Source::Raw(object) => {
                for (at, (key, raw)) in object.members().enumerate() {
                    if !skip(at, key) {
                        f(key, Cow::Owned(parse_raw(raw)));
                    }
                }
            }
            Source::Json(map) => {
                for (key, value) in map.iter() {
                    if !skip(usize::MAX, key) {
                        f(key, Cow::Borrowed(value));
                    }
                }
            }
        }
    }
}

/// Where [`Fields::find`] found a value: the source (0 primary, 1
/// fallback) and, in a split object, the member's position.
type Place = (usize, Option<usize>);

/// The split members a read found, a bit per position (the first 64), for
/// the primary and the fallback source. They are read, so
/// [`Fields::extra`] skips them without looking their names up among the
/// keys read; every other member is looked up by name.
#[derive(Default)]
struct Found([Cell<u64>; 2]);

impl Found {
    fn set(&self, slot: usize, at: Option<usize>) {
        let bit = at.and_then(|at| 1u64.checked_shl(u32::try_from(at).ok()?));
        if let (Some(bits), Some(bit)) = (self.0.get(slot), bit) {
            bits.set(bits.get() | bit);
        }
    }

    fn contains(&self, slot: usize, at: usize) -> bool {
        let bit = u32::try_from(at).ok().and_then(|at| 1u64.checked_shl(at));
        match (self.0.get(slot), bit) {
            (Some(bits), Some(bit)) => bits.get() & bit != 0,
            _ => false,
        }
    }
}

/// The payload of a response: `data` first, then the top level.
///
/// It records every key a decoder reads, so that [`extra`](Self::extra),
/// the members a result keeps unmodelled, is what was not read: a decoder
/// names each field once, where it reads it.
pub(crate) struct Fields<'a> {
    primary: Option<(Source<'a>, Cow<'a, str>)>,
    fallback: Option<(Source<'a>, Cow<'a, str>)>,
    /// The keys read so far, present or not (a key read twice is here twice).
    read: RefCell<ReadKeys>,
    /// Which split members the reads found (a shortcut for `read`).
    found: Found,
    /// Nested objects read with [`with_object`](Self::with_object), each
    /// with the members its reader left unread.
    opened: RefCell<Vec<(&'static str, Map<String, Value>)>>,
}

impl<'a> Fields<'a> {
    /// Fields of an OCTO envelope: `data{…}` first, then the legacy top level.
    pub fn envelope(root: &'a RawObject<'a>, data: Option<&'a RawObject<'a>>) -> Self {
        Self {
            primary: data.map(|d| (Source::Raw(d), Cow::Borrowed("data."))),
            fallback: Some((Source::Raw(root), Cow::Borrowed(""))),
            read: RefCell::default(),
            found: Found::default(),
            opened: RefCell::default(),
        }
    }

    /// Fields of an envelope already decoded into values: what
    /// [`envelope`](Self::envelope) reads from raw text, read the plain way
    /// (the proptest that the two agree uses it).
    #[cfg(test)]
    pub fn envelope_of_values(
        root: &'a Map<String, Value>,
        data: Option<&'a Map<String, Value>>,
    ) -> Self {
        Self {
            primary: data.map(|d| (Source::Json(d), Cow::Borrowed("data."))),
            fallback: Some((Source::Json(root), Cow::Borrowed(""))),
            read: RefCell::default(),
            found: Found::default(),
            opened: RefCell::default(),
        }
    }

    /// Fields of one plain object, its paths starting with `prefix`.
    pub fn object(map: &'a Map<String, Value>, prefix: &'a str) -> Self {
        Self {
            primary: Some((Source::Json(map), Cow::Borrowed(prefix))),
            fallback: None,
            read: RefCell::default(),
            found: Found::default(),
            opened: RefCell::default(),
        }
    }

    /// Counts `key` as read: it is modelled, so it stays out of
    /// [`extra`](Self::extra). The typed reads below call it; a decoder
    /// calls it itself only for a field it models without reading it on
    /// every path.
    pub fn mark_read(&self, key: &'static str) {
        self.read.borrow_mut().push(key);
    }

    /// [`mark_read`](Self::mark_read) for each of `keys`.
    pub fn mark_all_read(&self, keys: &[&'static str]) {
        let mut read = self.read.borrow_mut();
        for key in keys {
            read.push(key);
        }
    }

    fn path_for_missing(&self, key: &str) -> String {
        match (&self.primary, &self.fallback) {
            (Some((_, prefix)), _) | (None, Some((_, prefix))) => format!("{prefix}{key}"),
            (None, None) => key.to_owned(),
        }
    }

    /// The first non-null value under `key`, and the prefix of its path.
    /// The path itself is only built when a field turns out bad, so that
    /// reading a good response allocates nothing for paths.
    fn lookup(&self, key: &str) -> Option<(Cow<'a, Value>, &str)> {
        self.find(key).map(|(value, prefix, _)| (value, prefix))
    }

    /// [`lookup`](Self::lookup), with where the value was found: the source
    /// (0 primary, 1 fallback) and, in a split object, the position.
    fn find(&self, key: &str) -> Option<(Cow<'a, Value>, &str, Place)> {
        [&self.primary, &self.fallback]
            .into_iter()
            .enumerate()
            .find_map(|(slot, source)| {
                let (source, prefix) = source.as_ref()?;
                let (value, at) = source.get(key)?;
                Some((value, prefix.as_ref(), (slot, at)))
            })
    }

    fn read<T>(
        &self,
        key: &'static str,
        expected: &'static str,
        convert: impl Fn(&Value) -> Option<T>,
    ) -> Result<Option<T>, FieldError> {
        self.mark_read(key);
        match self.find(key) {
            None => Ok(None),
            Some((value, prefix, (slot, at))) => {
                self.found.set(slot, at);
                convert(&value).map(Some).ok_or_else(|| FieldError {
                    path: format!("{prefix}{key}"),
                    problem: DecodeProblem::Invalid { expected },
                })
            }
        }
    }

    fn required<T>(&self, key: &str, value: Option<T>) -> Result<T, FieldError> {
        value.ok_or_else(|| FieldError {
            path: self.path_for_missing(key),
            problem: DecodeProblem::Missing,
        })
    }

    /// An optional field, converted by `convert`.
    pub fn opt<T>(
        &self,
        key: &'static str,
        expected: &'static str,
        convert: impl Fn(&Value) -> Option<T>,
    ) -> Result<Option<T>, FieldError> {
        self.read(key, expected, convert)
    }

    /// A required field, converted by `convert`.
    pub fn req<T>(
        &self,
        key: &'static str,
        expected: &'static str,
        convert: impl Fn(&Value) -> Option<T>,
    ) -> Result<T, FieldError> {
        let value = self.read(key, expected, convert)?;
        self.required(key, value)
    }

    /// An optional field read with the first key present among `keys`;
    /// every one of `keys` counts as read.
    pub fn opt_any<T>(
        &self,
        keys: &[&'static str],
        expected: &'static str,
        convert: impl Fn(&Value) -> Option<T> + Copy,
    ) -> Result<Option<T>, FieldError> {
        self.mark_all_read(keys);
        for key in keys {
            if let Some(v) = self.read(key, expected, convert)? {
                return Ok(Some(v));
            }
        }
        Ok(None)
    }

    /// Reads the text of a field and hands it to `convert`. A JSON string
    /// always counts as text; a number counts (as its digits) unless
    /// `strings_only`. Members of a split envelope are read straight from
    /// their JSON text, without building a `Value`, and the text is
    /// borrowed unless it had escapes.
    fn read_str<T>(
        &self,
        key: &'static str,
        expected: &'static str,
        strings_only: bool,
        convert: impl FnOnce(Cow<'_, str>) -> Option<T>,
    ) -> Result<Option<T>, FieldError> {
        self.mark_read(key);
        for (slot, source) in [&self.primary, &self.fallback].into_iter().enumerate() {
            let Some((source, prefix)) = source else {
                continue;
            };
            let text = match source {
                Source::Raw(object) => {
                    let Some((at, raw)) = object.get_at(key) else {
                        continue;
                    };
                    self.found.set(slot, Some(at));
                    text_of_raw(raw, strings_only)
                }
                Source::Json(map) => {
                    let Some(value) = map.get(key).filter(|v| !v.is_null()) else {
                        continue;
                    };
                    match value {
                        Value::String(s) => Some(Cow::Borrowed(s.as_str())),
                        Value::Number(n) if !strings_only => Some(Cow::Borrowed(n.as_str())),
                        _ => None,
                    }
                }
            };
            return text.and_then(convert).map(Some).ok_or_else(|| FieldError {
                path: format!("{prefix}{key}"),
                problem: DecodeProblem::Invalid { expected },
            });
        }
        Ok(None)
    }

    /// [`read_str`](Self::read_str) handing over an owned `String`.
    fn read_text<T>(
        &self,
        key: &'static str,
        expected: &'static str,
        strings_only: bool,
        convert: impl FnOnce(String) -> Option<T>,
    ) -> Result<Option<T>, FieldError> {
        self.read_str(key, expected, strings_only, |text| {
            convert(text.into_owned())
        })
    }

    /// A required field that must be a JSON string, read from its text
    /// without copying it.
    pub fn req_str_as<T>(
        &self,
        key: &'static str,
        expected: &'static str,
        convert: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, FieldError> {
        let value = self.read_str(key, expected, true, |text| convert(&text))?;
        self.required(key, value)
    }

    /// A required field read from its text (a string, or a number's digits).
    pub fn req_text_as<T>(
        &self,
        key: &'static str,
        expected: &'static str,
        convert: impl FnOnce(String) -> Option<T>,
    ) -> Result<T, FieldError> {
        let value = self.read_text(key, expected, false, convert)?;
        self.required(key, value)
    }

    /// An optional field that must be a JSON string.
    pub fn opt_string_as<T>(
        &self,
        key: &'static str,
        expected: &'static str,
        convert: impl FnOnce(String) -> Option<T>,
    ) -> Result<Option<T>, FieldError> {
        self.read_text(key, expected, true, convert)
    }

    /// A required string (numbers are taken as their digits).
    #[cfg(test)]
    pub fn req_text(&self, key: &'static str) -> Result<String, FieldError> {
        self.req_text_as(key, "a string", Some)
    }

    /// An optional string (numbers are taken as their digits); an empty
    /// string reads as absent.
    pub fn opt_text(&self, key: &'static str) -> Result<Option<String>, FieldError> {
        Ok(self
            .read_text(key, "a string", false, Some)?
            .filter(|s| !s.is_empty()))
    }

    /// A required exact amount.
    pub fn req_decimal(&self, key: &'static str) -> Result<Decimal, FieldError> {
        let value = self.read_decimal(key)?;
        self.required(key, value)
    }

    /// An optional exact amount.
    pub fn opt_decimal(&self, key: &'static str) -> Result<Option<Decimal>, FieldError> {
        self.read_decimal(key)
    }

    /// An amount from a JSON number (its digits as written, read in place)
    /// or a numeric string.
    fn read_decimal(&self, key: &'static str) -> Result<Option<Decimal>, FieldError> {
        self.read_str(key, "a decimal amount", false, |text| {
            parse_decimal(super::trimmed(&text))
        })
    }

    /// Reads the nested object under `key` with `read`; `None` when absent.
    /// Once read, the object counts as read but for the members `read` left
    /// unread, which [`extra`](Self::extra) keeps under `key`. An object
    /// that fails to read stays unread.
    pub fn with_object<T>(
        &self,
        key: &'static str,
        read: impl FnOnce(&Fields<'_>) -> Result<T, FieldError>,
    ) -> Result<Option<T>, FieldError> {
        let Some((value, prefix)) = self.lookup(key) else {
            self.mark_read(key);
            return Ok(None);
        };
        let path = format!("{prefix}{key}.");
        match value.as_ref() {
            Value::Object(map) => {
                let nested = Fields::object(map, &path);
                let value = read(&nested)?;
                let unread = nested.unread_as_received();
                self.opened.borrow_mut().push((key, unread));
                Ok(Some(value))
            }
            _ => Err(FieldError {
                path: format!("{prefix}{key}"),
                problem: DecodeProblem::Invalid {
                    expected: "an object",
                },
            }),
        }
    }

    /// An optional field the caller can do without, read by `read`: a value
    /// `read` refuses reads as `None` and is reported in `warnings` with the
    /// value as received (secret-named members redacted).
    pub fn soft<T>(
        &self,
        key: &str,
        warnings: &Warnings,
        read: impl FnOnce(&Self) -> Result<Option<T>, FieldError>,
    ) -> Option<T> {
        self.soft_read(key, warnings, false, read)
    }

    /// [`soft`](Self::soft) for card data: the value is never kept.
    pub fn soft_hidden<T>(
        &self,
        key: &str,
        warnings: &Warnings,
        read: impl FnOnce(&Self) -> Result<Option<T>, FieldError>,
    ) -> Option<T> {
        self.soft_read(key, warnings, true, read)
    }

    fn soft_read<T>(
        &self,
        key: &str,
        warnings: &Warnings,
        hidden: bool,
        read: impl FnOnce(&Self) -> Result<Option<T>, FieldError>,
    ) -> Option<T> {
        match read(self) {
            Ok(value) => value,
            Err(error) => {
                let expected = match error.problem {
                    DecodeProblem::Invalid { expected } => expected,
                    DecodeProblem::Missing => "a value",
                };
                let raw = match self.lookup(key) {
                    Some((value, _)) => {
                        let mut value = value.into_owned();
                        if hidden || is_secret_key(key) {
                            redact(&mut value);
                        } else {
                            redact_secrets(&mut value);
                        }
                        value
                    }
                    None => Value::Null,
                };
                warnings.push(FieldWarning {
                    path: error.path,
                    expected,
                    raw,
                });
                None
            }
        }
    }

    /// The error for `key`, present but unusable.
    pub fn invalid(&self, key: &str, expected: &'static str) -> FieldError {
        let path = match self.lookup(key) {
            Some((_, prefix)) => format!("{prefix}{key}"),
            None => self.path_for_missing(key),
        };
        FieldError {
            path,
            problem: DecodeProblem::Invalid { expected },
        }
    }

    /// Every member no read touched, `data` winning over the top level:
    /// what this SDK does not model, kept, with any secret-named field
    /// inside it redacted.
    pub fn extra(&self) -> Map<String, Value> {
        let mut extra = self.unread_as_received();
        for (key, value) in extra.iter_mut() {
            if is_secret_key(key) {
                redact(value);
            } else {
                redact_secrets(value);
            }
        }
        extra
    }

    /// Every member no read touched, as received (nothing redacted): `data`
    /// winning over the top level, with the unread rest of each nested
    /// object that was read. Members left out are never decoded.
    pub fn unread_as_received(&self) -> Map<String, Value> {
        let (read, opened) = (self.read.borrow(), self.opened.borrow());
        let mut unread = Map::new();
        for (slot, source) in [(1, &self.fallback), (0, &self.primary)] {
            let Some((source, _)) = source else { continue };
            let skip = |at: usize, key: &str| {
                self.found.contains(slot, at)
                    || read.contains(key)
                    || opened.iter().any(|(k, _)| *k == key)
            };
            source.for_each_except(skip, |key, value| {
                unread.insert(key.to_owned(), value.into_owned());
            });
        }
        for (key, rest) in opened.iter() {
            unread.insert((*key).to_owned(), Value::Object(rest.clone()));
        }
        unread
    }
}
