//! Reading a DCQL query: every rule of §6 and §7 that the [module docs](super) list,
//! each refused with its own [`DcqlError`](crate::openid4vp::DcqlError) (or an input
//! error for a wrong JSON type or size).

use super::{
    ClaimsQuery, CredentialQuery, CredentialSetQuery, DcqlQuery, FORMAT_DC_SD_JWT, MAX_CLAIMS,
    MAX_CREDENTIAL_QUERIES, MAX_PATH_LEN, MAX_SETS, MAX_STRING_LEN, MAX_VALUES, OTHER_FORMATS,
    TrustedAuthority, is_valid_id,
};
use crate::openid4vp::error::{DcqlError, Error, InputError, Result, shorten};
use crate::openid4vp::json::{Obj, as_array, as_str};
use civitas_credential::{ClaimPath, PathElement};
use serde_json::Value;

impl DcqlQuery {
    /// Reads a DCQL query from a JSON value.
    pub fn from_value(value: &Value) -> Result<Self> {
        let obj = Obj::new(value, "")?;
        let items = as_array(
            obj.required("credentials")?,
            "credentials",
            MAX_CREDENTIAL_QUERIES,
        )?;
        let mut credentials: Vec<CredentialQuery> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let query = CredentialQuery::from_value(item, &format!("credentials[{i}]"))?;
            if credentials.iter().any(|c| c.id == query.id) {
                return Err(DcqlError::DuplicateCredentialId(query.id).into());
            }
            credentials.push(query);
        }
        let credential_sets = match obj.get("credential_sets") {
            None => None,
            Some(v) => {
                let items = as_array(v, "credential_sets", MAX_SETS)?;
                let mut sets = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let field = format!("credential_sets[{i}]");
                    let set = CredentialSetQuery::from_value(item, &field)?;
                    for id in set.options.iter().flatten() {
                        if !credentials.iter().any(|c| &c.id == id) {
                            return Err(DcqlError::UnknownCredentialId(id.clone()).into());
                        }
                    }
                    sets.push(set);
                }
                Some(sets)
            }
        };
        Ok(DcqlQuery {
            credentials,
            credential_sets,
        })
    }
}

impl CredentialQuery {
    fn from_value(value: &Value, at: &str) -> Result<Self> {
        let obj = Obj::new(value, at)?;
        let id = parse_id(obj.required("id")?, &obj.field("id"))?;
        let format = obj.str("format", MAX_STRING_LEN)?;
        if format != FORMAT_DC_SD_JWT {
            let shown = shorten(format, 40);
            return Err(if OTHER_FORMATS.contains(&format) {
                Error::from(DcqlError::UnsupportedFormat(shown))
            } else {
                Error::from(DcqlError::UnknownFormat(shown))
            });
        }
        let multiple = obj.opt_bool("multiple")?;
        let binding = obj.opt_bool("require_cryptographic_holder_binding")?;
        let meta = Obj::new(obj.required("meta")?, obj.field("meta"))?;
        let vct_field = meta.field("vct_values");
        let vct_values = as_array(meta.required("vct_values")?, &vct_field, MAX_VALUES)?
            .iter()
            .enumerate()
            .map(|(i, v)| non_empty_str(v, &format!("{vct_field}[{i}]")))
            .collect::<Result<Vec<_>>>()?;
        let trusted_authorities = match obj.get("trusted_authorities") {
            None => None,
            Some(v) => {
                let field = obj.field("trusted_authorities");
                Some(
                    as_array(v, &field, MAX_VALUES)?
                        .iter()
                        .enumerate()
                        .map(|(i, v)| TrustedAuthority::from_value(v, &format!("{field}[{i}]")))
                        .collect::<Result<Vec<_>>>()?,
                )
            }
        };
        let claims = match obj.get("claims") {
            None => None,
            Some(v) => {
                let field = obj.field("claims");
                let items = as_array(v, &field, MAX_CLAIMS)?;
                let mut claims: Vec<ClaimsQuery> = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let claim = ClaimsQuery::from_value(item, &format!("{field}[{i}]"))?;
                    if let Some(cid) = &claim.id
                        && claims.iter().any(|c| c.id.as_ref() == Some(cid))
                    {
                        return Err(DcqlError::DuplicateClaimId {
                            query: id.clone(),
                            id: cid.clone(),
                        }
                        .into());
                    }
                    if claims.iter().any(|c| c.path == claim.path) {
                        return Err(DcqlError::DuplicateClaimPath {
                            query: id.clone(),
                            path: shorten(&claim.path.to_string(), 80),
                        }
                        .into());
                    }
                    claims.push(claim);
                }
                Some(claims)
            }
        };
        let claim_sets = match obj.get("claim_sets") {
            None => None,
            Some(v) => {
                let Some(claims) = &claims else {
                    return Err(DcqlError::ClaimSetsWithoutClaims(id).into());
                };
                if let Some(index) = claims.iter().position(|c| c.id.is_none()) {
                    return Err(DcqlError::ClaimWithoutId { query: id, index }.into());
                }
                let field = obj.field("claim_sets");
                let sets = parse_options(v, &field)?;
                for cid in sets.iter().flatten() {
                    if !claims.iter().any(|c| c.id.as_ref() == Some(cid)) {
                        return Err(DcqlError::UnknownClaimId {
                            query: id,
                            id: cid.clone(),
                        }
                        .into());
                    }
                }
                Some(sets)
            }
        };
        Ok(CredentialQuery {
            id,
            vct_values,
            multiple,
            require_cryptographic_holder_binding: binding,
            trusted_authorities,
            claims,
            claim_sets,
        })
    }
}

impl ClaimsQuery {
    fn from_value(value: &Value, at: &str) -> Result<Self> {
        let obj = Obj::new(value, at)?;
        let id = obj
            .get("id")
            .map(|v| parse_id(v, &obj.field("id")))
            .transpose()?;
        let path = parse_path(obj.required("path")?, &obj.field("path"))?;
        let values = match obj.get("values") {
            None => None,
            Some(v) => {
                let field = obj.field("values");
                let items = as_array(v, &field, MAX_VALUES)?;
                for (i, item) in items.iter().enumerate() {
                    let ok = match item {
                        Value::String(s) => s.len() <= MAX_STRING_LEN,
                        Value::Bool(_) => true,
                        Value::Number(n) => n.is_i64() || n.is_u64(),
                        _ => false,
                    };
                    if !ok {
                        return Err(DcqlError::InvalidValue {
                            field: format!("{field}[{i}]"),
                        }
                        .into());
                    }
                }
                Some(items.to_vec())
            }
        };
        Ok(ClaimsQuery { id, path, values })
    }
}

impl TrustedAuthority {
    fn from_value(value: &Value, at: &str) -> Result<Self> {
        let obj = Obj::new(value, at)?;
        let kind = non_empty_str(obj.required("type")?, &obj.field("type"))?;
        let field = obj.field("values");
        let values = as_array(obj.required("values")?, &field, MAX_VALUES)?
            .iter()
            .enumerate()
            .map(|(i, v)| non_empty_str(v, &format!("{field}[{i}]")))
            .collect::<Result<Vec<_>>>()?;
        Ok(TrustedAuthority { kind, values })
    }
}

impl CredentialSetQuery {
    fn from_value(value: &Value, at: &str) -> Result<Self> {
        let obj = Obj::new(value, at)?;
        let options = parse_options(obj.required("options")?, &obj.field("options"))?;
        let required = obj.opt_bool("required")?;
        Ok(CredentialSetQuery { options, required })
    }
}

fn parse_id(value: &Value, field: &str) -> Result<String> {
    let id = as_str(value, field, MAX_STRING_LEN)?;
    if !is_valid_id(id) {
        return Err(DcqlError::InvalidId {
            field: field.to_string(),
            id: shorten(id, 40),
        }
        .into());
    }
    Ok(id.to_string())
}

fn non_empty_str(value: &Value, field: &str) -> Result<String> {
    let s = as_str(value, field, MAX_STRING_LEN)?;
    if s.is_empty() {
        return Err(InputError::WrongType {
            field: field.to_string(),
            expected: "a non-empty string",
        }
        .into());
    }
    Ok(s.to_string())
}

/// `options` / `claim_sets`: a non-empty array of non-empty arrays of ids, no id twice
/// in one option.
fn parse_options(value: &Value, field: &str) -> Result<Vec<Vec<String>>> {
    let items = as_array(value, field, MAX_SETS)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let ids = as_array(item, &at, MAX_CLAIMS.max(MAX_CREDENTIAL_QUERIES))?;
        let mut option: Vec<String> = Vec::with_capacity(ids.len());
        for (j, id) in ids.iter().enumerate() {
            let id = parse_id(id, &format!("{at}[{j}]"))?;
            if option.contains(&id) {
                return Err(DcqlError::DuplicateInOption { field: at, id }.into());
            }
            option.push(id);
        }
        out.push(option);
    }
    Ok(out)
}

fn parse_path(value: &Value, field: &str) -> Result<ClaimPath> {
    let bad = |why| {
        Error::from(DcqlError::InvalidPath {
            field: field.to_string(),
            why,
        })
    };
    let items = value.as_array().ok_or_else(|| bad("not an array"))?;
    if items.is_empty() {
        return Err(bad("empty"));
    }
    if items.len() > MAX_PATH_LEN {
        return Err(bad("more than 32 elements"));
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(match item {
            Value::String(s) if s.len() <= MAX_STRING_LEN => PathElement::Key(s.clone()),
            Value::String(_) => return Err(bad("a claim name longer than 2048 bytes")),
            Value::Null => PathElement::AllElements,
            Value::Number(n) => n
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .map(PathElement::Index)
                .ok_or_else(|| bad("a number that is not a non-negative integer"))?,
            _ => return Err(bad("an element that is not a string, null or an integer")),
        });
    }
    if !matches!(out.first(), Some(PathElement::Key(_))) {
        return Err(bad(
            "an SD-JWT VC's claims are an object: the first element must be a claim name",
        ));
    }
    Ok(ClaimPath(out))
}
