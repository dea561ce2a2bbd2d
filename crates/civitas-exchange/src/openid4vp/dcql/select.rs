//! Claims path processing (OpenID4VP 1.0 §7.1.1): which claims of a JSON credential a
//! claims path pointer, or a Claims Query with its `values`, selects.

use super::ClaimsQuery;
use civitas_credential::{ClaimPath, PathElement};
use serde_json::Value;

impl ClaimsQuery {
    /// The claims of `root` this query selects (§7.1.1), each with its concrete path,
    /// keeping only those whose value matches `values` when given (§6.4.1). Empty when
    /// nothing matches.
    pub fn select<'v>(&self, root: &'v Value) -> Vec<(ClaimPath, &'v Value)> {
        let mut selected = select_claims(root, &self.path);
        if let Some(values) = &self.values {
            selected.retain(|(_, v)| values.contains(v));
        }
        selected
    }
}

/// Applies a claims path pointer to a JSON credential (§7.1.1): the selected elements
/// with their concrete paths (indices instead of `null`). Processing errors (a key
/// applied to a non-object, an index or `null` to a non-array) and an empty selection
/// both give an empty result.
pub fn select_claims<'v>(root: &'v Value, path: &ClaimPath) -> Vec<(ClaimPath, &'v Value)> {
    let mut selected = vec![(ClaimPath::default(), root)];
    for element in &path.0 {
        let mut next = Vec::new();
        for (at, value) in selected {
            match element {
                PathElement::Key(k) => {
                    let Value::Object(map) = value else {
                        return Vec::new();
                    };
                    if let Some(v) = map.get(k) {
                        next.push((at.child(element.clone()), v));
                    }
                }
                PathElement::AllElements => {
                    let Value::Array(items) = value else {
                        return Vec::new();
                    };
                    for (i, v) in items.iter().enumerate() {
                        next.push((at.child(PathElement::Index(i)), v));
                    }
                }
                PathElement::Index(i) => {
                    let Value::Array(items) = value else {
                        return Vec::new();
                    };
                    if let Some(v) = items.get(*i) {
                        next.push((at.child(element.clone()), v));
                    }
                }
            }
        }
        selected = next;
    }
    selected
}
