//! Strict JSON and typed member access with precise errors.
//!
//! `serde_json` keeps the last of two members with the same name; a party reading a
//! request, a response or a signed object must not guess which one was meant (RFC
//! 8259 §4, RFC 7515 §5.2), so [`parse_strict`] refuses duplicate member names at any
//! depth, and trailing data — through `civitas-credential`'s parser, with this
//! module's errors.

use super::error::{Error, InputError, Result};
use serde_json::{Map, Value};

/// Parses `bytes` as JSON (at most `max` bytes), refusing duplicate member names and
/// trailing data.
pub(crate) fn parse_strict(bytes: &[u8], what: &'static str, max: usize) -> Result<Value> {
    if bytes.len() > max {
        return Err(InputError::TooLong {
            what,
            len: bytes.len(),
            max,
        }
        .into());
    }
    civitas_credential::json::parse_strict(bytes).map_err(|e| {
        Error::from(InputError::InvalidJson {
            what,
            why: super::error::shorten(&e, 120),
        })
    })
}

/// Typed access to the members of one JSON object, with the field path for errors.
pub(crate) struct Obj<'a> {
    pub(crate) map: &'a Map<String, Value>,
    pub(crate) at: String,
}

impl<'a> Obj<'a> {
    /// `value` as an object, or [`InputError::WrongType`](crate::openid4vp::InputError::WrongType) naming `at`.
    pub(crate) fn new(value: &'a Value, at: impl Into<String>) -> Result<Self> {
        let at = at.into();
        match value {
            Value::Object(map) => Ok(Obj { map, at }),
            _ => Err(InputError::WrongType {
                field: at,
                expected: "a JSON object",
            }
            .into()),
        }
    }

    /// The path of member `name`.
    pub(crate) fn field(&self, name: &str) -> String {
        if self.at.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.at)
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name)
    }

    pub(crate) fn required(&self, name: &str) -> Result<&'a Value> {
        self.map.get(name).ok_or_else(|| {
            Error::from(InputError::MissingField {
                field: self.field(name),
            })
        })
    }

    pub(crate) fn opt_bool(&self, name: &str) -> Result<Option<bool>> {
        match self.map.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(InputError::WrongType {
                field: self.field(name),
                expected: "true or false",
            }
            .into()),
        }
    }

    pub(crate) fn str(&self, name: &str, max: usize) -> Result<&'a str> {
        as_str(self.required(name)?, &self.field(name), max)
    }

    pub(crate) fn opt_str(&self, name: &str, max: usize) -> Result<Option<&'a str>> {
        self.map
            .get(name)
            .map(|v| as_str(v, &self.field(name), max))
            .transpose()
    }

    pub(crate) fn int(&self, name: &str) -> Result<i64> {
        self.required(name)?.as_i64().ok_or_else(|| {
            Error::from(InputError::WrongType {
                field: self.field(name),
                expected: "an integer",
            })
        })
    }

    pub(crate) fn opt_int(&self, name: &str) -> Result<Option<i64>> {
        match self.map.get(name) {
            None => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or_else(|| {
                Error::from(InputError::WrongType {
                    field: self.field(name),
                    expected: "an integer",
                })
            }),
        }
    }
}

/// A string of at most `max` bytes.
pub(crate) fn as_str<'a>(value: &'a Value, field: &str, max: usize) -> Result<&'a str> {
    let s = value.as_str().ok_or_else(|| InputError::WrongType {
        field: field.to_string(),
        expected: "a string",
    })?;
    if s.len() > max {
        return Err(InputError::TooMany {
            field: field.to_string(),
            max,
        }
        .into());
    }
    Ok(s)
}

/// A non-empty array of at most `max` elements.
pub(crate) fn as_array<'a>(value: &'a Value, field: &str, max: usize) -> Result<&'a [Value]> {
    let items = value.as_array().ok_or_else(|| InputError::WrongType {
        field: field.to_string(),
        expected: "an array",
    })?;
    if items.is_empty() {
        return Err(InputError::EmptyArray {
            field: field.to_string(),
        }
        .into());
    }
    if items.len() > max {
        return Err(InputError::TooMany {
            field: field.to_string(),
            max,
        }
        .into());
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_trailing_data_are_refused() {
        let e = parse_strict(br#"{"a":1,"a":2}"#, "x", 100).unwrap_err();
        assert!(e.to_string().contains("duplicate member name"), "{e}");
        assert!(parse_strict(br#"{"x":[{"b":1,"b":1}]}"#, "x", 100).is_err());
        assert!(parse_strict(br#"{} x"#, "x", 100).is_err());
        assert!(matches!(
            parse_strict(b"[1,2,3]", "x", 3),
            Err(Error::Input(InputError::TooLong { len: 7, max: 3, .. }))
        ));
    }
}
