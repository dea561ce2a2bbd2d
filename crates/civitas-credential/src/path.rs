//! Claim paths: how a presentation, a request or a person names a claim.
//!
//! Text form: `given_name`, `address.locality`, `vaccinations[0].vaccine`,
//! `allergies[]` (every element). DCQL form (OpenID4VP 1.0 §7): a JSON array of
//! strings (member names), non-negative integers (array indices) and `null` (all
//! elements).

use crate::{Error, Result};
use serde_json::Value;
use std::fmt;

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathElement {
    /// An object member.
    Key(String),
    /// One array element.
    Index(usize),
    /// Every element of an array.
    AllElements,
}

/// A path from the top of the claims to one claim.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ClaimPath(pub Vec<PathElement>);

impl ClaimPath {
    /// A top-level claim.
    pub fn key(name: &str) -> Self {
        ClaimPath(vec![PathElement::Key(name.to_string())])
    }

    /// This path extended by one element.
    pub fn child(&self, element: PathElement) -> Self {
        let mut v = self.0.clone();
        v.push(element);
        ClaimPath(v)
    }

    /// Parses the text form.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || Error::NoSuchClaim(format!("'{text}' (not a valid claim path)"));
        let text = text.trim();
        if text.is_empty() || text.len() > 512 {
            return Err(bad());
        }
        let mut out = Vec::new();
        for segment in text.split('.') {
            let (name, mut rest) = match segment.find('[') {
                Some(i) => (&segment[..i], &segment[i..]),
                None => (segment, ""),
            };
            if name.is_empty() && (out.is_empty() || rest.is_empty()) {
                return Err(bad());
            }
            if !name.is_empty() {
                if name.contains(']') {
                    return Err(bad());
                }
                out.push(PathElement::Key(name.to_string()));
            }
            while !rest.is_empty() {
                let close = rest.find(']').ok_or_else(bad)?;
                let inner = &rest[1..close];
                if inner.is_empty() {
                    out.push(PathElement::AllElements);
                } else {
                    let i: usize = inner.parse().map_err(|_| bad())?;
                    out.push(PathElement::Index(i));
                }
                rest = &rest[close + 1..];
                if !rest.is_empty() && !rest.starts_with('[') {
                    return Err(bad());
                }
            }
        }
        Ok(ClaimPath(out))
    }

    /// Reads the DCQL form (`["address", "locality"]`, `["allergies", null]`).
    pub fn from_dcql(value: &Value) -> Result<Self> {
        let bad = || Error::NoSuchClaim(format!("{value} (not a valid DCQL claims path)"));
        let items = value.as_array().ok_or_else(bad)?;
        if items.is_empty() || items.len() > 32 {
            return Err(bad());
        }
        items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(PathElement::Key(s.clone())),
                Value::Null => Ok(PathElement::AllElements),
                Value::Number(n) => n
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .map(PathElement::Index)
                    .ok_or_else(bad),
                _ => Err(bad()),
            })
            .collect::<Result<Vec<_>>>()
            .map(ClaimPath)
    }

    /// The DCQL form.
    pub fn to_dcql(&self) -> Value {
        Value::Array(
            self.0
                .iter()
                .map(|e| match e {
                    PathElement::Key(k) => Value::String(k.clone()),
                    PathElement::Index(i) => Value::from(*i),
                    PathElement::AllElements => Value::Null,
                })
                .collect(),
        )
    }

    /// Whether `self` (which may contain "all elements") names `concrete` or one of its
    /// ancestors' subtrees reaching it: i.e. `self` is a prefix pattern of `concrete`.
    pub fn covers(&self, concrete: &ClaimPath) -> bool {
        self.0.len() <= concrete.0.len()
            && self
                .0
                .iter()
                .zip(&concrete.0)
                .all(|(p, c)| element_matches(p, c))
    }

    /// Whether `concrete` is an ancestor of (or equal to) something `self` names.
    pub fn is_needed_by(concrete: &ClaimPath, pattern: &ClaimPath) -> bool {
        concrete.0.len() <= pattern.0.len()
            && concrete
                .0
                .iter()
                .zip(&pattern.0)
                .all(|(c, p)| element_matches(p, c))
    }

    /// The top-level claim name, if the path starts with a key.
    pub fn top(&self) -> Option<&str> {
        match self.0.first() {
            Some(PathElement::Key(k)) => Some(k),
            _ => None,
        }
    }

    /// Whether anything in `claims` matches this path (for "all elements", at least
    /// one element).
    pub fn exists_in(&self, claims: &Value) -> bool {
        fn walk(v: &Value, rest: &[PathElement]) -> bool {
            match rest.split_first() {
                None => true,
                Some((PathElement::Key(k), t)) => v.get(k).is_some_and(|v| walk(v, t)),
                Some((PathElement::Index(i), t)) => v.get(*i).is_some_and(|v| walk(v, t)),
                Some((PathElement::AllElements, t)) => {
                    v.as_array().is_some_and(|a| a.iter().any(|v| walk(v, t)))
                }
            }
        }
        walk(claims, &self.0)
    }

    /// The value this path names in `claims`, if it is a concrete path.
    pub fn lookup<'v>(&self, claims: &'v Value) -> Option<&'v Value> {
        let mut here = claims;
        for e in &self.0 {
            here = match e {
                PathElement::Key(k) => here.get(k)?,
                PathElement::Index(i) => here.get(*i)?,
                PathElement::AllElements => return None,
            };
        }
        Some(here)
    }
}

fn element_matches(pattern: &PathElement, concrete: &PathElement) -> bool {
    match (pattern, concrete) {
        (PathElement::AllElements, PathElement::Index(_) | PathElement::AllElements) => true,
        (p, c) => p == c,
    }
}

impl fmt::Display for ClaimPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, e) in self.0.iter().enumerate() {
            match e {
                PathElement::Key(k) if n == 0 => write!(f, "{k}")?,
                PathElement::Key(k) => write!(f, ".{k}")?,
                PathElement::Index(i) => write!(f, "[{i}]")?,
                PathElement::AllElements => write!(f, "[]")?,
            }
        }
        Ok(())
    }
}

impl std::str::FromStr for ClaimPath {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        ClaimPath::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_round_trips() {
        for text in [
            "given_name",
            "address.locality",
            "vaccinations[0].vaccine",
            "allergies[]",
            "a[1][2].b",
        ] {
            assert_eq!(ClaimPath::parse(text).unwrap().to_string(), text);
        }
        for bad in ["", ".", "a.", "a[x]", "a[1", "a]b", "[0]", "a..b"] {
            assert!(ClaimPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dcql_form_round_trips() {
        let v = serde_json::json!(["vaccinations", null, "vaccine"]);
        let p = ClaimPath::from_dcql(&v).unwrap();
        assert_eq!(p.to_string(), "vaccinations[].vaccine");
        assert_eq!(p.to_dcql(), v);
        assert!(ClaimPath::from_dcql(&serde_json::json!([])).is_err());
        assert!(ClaimPath::from_dcql(&serde_json::json!([-1])).is_err());
        assert!(ClaimPath::from_dcql(&serde_json::json!([true])).is_err());
    }

    #[test]
    fn patterns_cover_concrete_paths() {
        let all = ClaimPath::parse("allergies[]").unwrap();
        assert!(all.covers(&ClaimPath::parse("allergies[3]").unwrap()));
        assert!(!all.covers(&ClaimPath::parse("allergies").unwrap()));
        assert!(ClaimPath::is_needed_by(
            &ClaimPath::parse("address").unwrap(),
            &ClaimPath::parse("address.locality").unwrap()
        ));
    }
}
