//! The credential types a city issues — personal ID, medical summary, service record —
//! with their claims, what is selectively disclosable, and SD-JWT VC Type Metadata
//! (draft-ietf-oauth-sd-jwt-vc §6) with display names in English and Traditional
//! Chinese for the app.

use crate::path::ClaimPath;
use crate::{Error, Result};
use serde_json::{Map, Value, json};

/// The locales type metadata is written in.
pub const LOCALES: [&str; 2] = ["en-US", "zh-TW"];

/// The JSON shape a claim must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A non-empty string.
    Text,
    /// An ISO 8601 calendar date, `YYYY-MM-DD`.
    Date,
    /// An RFC 3339 date-time.
    DateTime,
    /// `true` or `false`.
    Bool,
    /// A JSON object (its members are described by their own specs).
    Object,
    /// An array of non-empty strings.
    TextList,
    /// An array of objects (members described by their own specs, with `[]`).
    ObjectList,
    /// A positive integer.
    Count,
}

/// One claim of a credential type.
#[derive(Debug, Clone, Copy)]
pub struct ClaimSpec {
    /// Text path (`address.locality`, `vaccinations[].vaccine`).
    pub path: &'static str,
    /// Shape.
    pub kind: Kind,
    /// The issuer must include it.
    pub mandatory: bool,
    /// Label per locale, in [`LOCALES`] order.
    pub labels: [&'static str; 2],
}

/// A credential type.
#[derive(Debug, Clone, Copy)]
pub struct CredentialType {
    /// Short name used on the command line (`pid`).
    pub short: &'static str,
    /// The `vct` URI.
    pub vct: &'static str,
    /// Display name per locale.
    pub names: [&'static str; 2],
    /// Description per locale.
    pub descriptions: [&'static str; 2],
    /// Its claims.
    pub claims: &'static [ClaimSpec],
    /// Nested members and array elements that are selectively disclosable, beyond the
    /// top-level claims (which all are).
    pub nested_sd: &'static [&'static str],
}

const fn c(
    path: &'static str,
    kind: Kind,
    mandatory: bool,
    en: &'static str,
    zh: &'static str,
) -> ClaimSpec {
    ClaimSpec {
        path,
        kind,
        mandatory,
        labels: [en, zh],
    }
}

/// The personal identification credential (PID).
pub const PID: CredentialType = CredentialType {
    short: "pid",
    vct: "https://civitas.example/credentials/pid/v1",
    names: ["Personal ID", "個人身分證明"],
    descriptions: [
        "The citizen's identity, issued by city hall.",
        "由市政府核發的市民身分證明。",
    ],
    claims: &[
        c("given_name", Kind::Text, true, "Given name", "名"),
        c("family_name", Kind::Text, true, "Family name", "姓"),
        c("birthdate", Kind::Date, true, "Date of birth", "出生日期"),
        c("age_over_18", Kind::Bool, false, "Over 18", "年滿 18 歲"),
        c("age_over_65", Kind::Bool, false, "Over 65", "年滿 65 歲"),
        c("nationality", Kind::Text, false, "Nationality", "國籍"),
        c("address", Kind::Object, false, "Address", "地址"),
        c(
            "address.street_address",
            Kind::Text,
            false,
            "Street address",
            "街道地址",
        ),
        c("address.locality", Kind::Text, false, "City", "城市"),
        c(
            "address.postal_code",
            Kind::Text,
            false,
            "Postal code",
            "郵遞區號",
        ),
        c(
            "personal_number",
            Kind::Text,
            true,
            "Personal number",
            "身分證字號",
        ),
    ],
    nested_sd: &[
        "address.street_address",
        "address.locality",
        "address.postal_code",
    ],
};

/// The medical summary.
pub const MEDICAL: CredentialType = CredentialType {
    short: "medical",
    vct: "https://civitas.example/credentials/medical-summary/v1",
    names: ["Medical summary", "醫療摘要"],
    descriptions: [
        "Blood type, allergies, vaccinations and conditions, issued by a hospital.",
        "由醫院核發的血型、過敏、疫苗接種與慢性病摘要。",
    ],
    claims: &[
        c("blood_type", Kind::Text, true, "Blood type", "血型"),
        c("allergies", Kind::TextList, false, "Allergies", "過敏"),
        c(
            "vaccinations",
            Kind::ObjectList,
            false,
            "Vaccinations",
            "疫苗接種",
        ),
        c(
            "vaccinations[].vaccine",
            Kind::Text,
            true,
            "Vaccine",
            "疫苗",
        ),
        c("vaccinations[].date", Kind::Date, true, "Date", "日期"),
        c("vaccinations[].dose", Kind::Count, false, "Dose", "劑次"),
        c(
            "organ_donor",
            Kind::Bool,
            false,
            "Organ donor",
            "器官捐贈者",
        ),
        c(
            "chronic_conditions",
            Kind::TextList,
            false,
            "Chronic conditions",
            "慢性病",
        ),
    ],
    nested_sd: &["allergies[]", "vaccinations[]", "chronic_conditions[]"],
};

/// A record of a government service requested and received.
pub const SERVICE_RECORD: CredentialType = CredentialType {
    short: "service-record",
    vct: "https://civitas.example/credentials/service-record/v1",
    names: ["Service record", "服務紀錄"],
    descriptions: [
        "A government service the citizen requested, and its outcome.",
        "市民申請的政府服務及其結果。",
    ],
    claims: &[
        c("service", Kind::Text, true, "Service", "服務項目"),
        c("agency", Kind::Text, true, "Agency", "機關"),
        c(
            "requested_at",
            Kind::DateTime,
            true,
            "Requested",
            "申請時間",
        ),
        c(
            "completed_at",
            Kind::DateTime,
            false,
            "Completed",
            "完成時間",
        ),
        c("outcome", Kind::Text, false, "Outcome", "結果"),
        c("reference", Kind::Text, true, "Reference", "案號"),
    ],
    nested_sd: &[],
};

/// Every known type.
pub const ALL_TYPES: [&CredentialType; 3] = [&PID, &MEDICAL, &SERVICE_RECORD];

impl CredentialType {
    /// The type with this `vct`, if it is one of ours.
    pub fn by_vct(vct: &str) -> Option<&'static CredentialType> {
        ALL_TYPES.into_iter().find(|t| t.vct == vct)
    }

    /// The type by short name (`pid`) or `vct`.
    pub fn lookup(name: &str) -> Option<&'static CredentialType> {
        ALL_TYPES
            .into_iter()
            .find(|t| t.short == name || t.vct == name)
    }

    /// Display name in `locale` (falls back to English).
    pub fn name(&self, locale: &str) -> &'static str {
        self.names[locale_index(locale)]
    }

    /// Label of the claim at `path` in `locale`; array indices match `[]`.
    pub fn label(&self, path: &ClaimPath, locale: &str) -> Option<&'static str> {
        self.claims.iter().find_map(|spec| {
            let pattern = ClaimPath::parse(spec.path).ok()?;
            (pattern.0.len() == path.0.len() && pattern.covers(path))
                .then(|| spec.labels[locale_index(locale)])
        })
    }

    /// Checks `claims` against the type: mandatory claims present, shapes right,
    /// nothing unknown.
    pub fn validate(&self, claims: &Map<String, Value>) -> Result<()> {
        let root = Value::Object(claims.clone());
        let specs: Vec<(ClaimPath, &ClaimSpec)> = self
            .claims
            .iter()
            .filter_map(|s| ClaimPath::parse(s.path).ok().map(|p| (p, s)))
            .collect();
        // Every present value has a spec and the right shape.
        let mut problems = Vec::new();
        walk(&root, &mut ClaimPath::default(), &mut |path, value| {
            if path.0.is_empty() {
                return true;
            }
            let spec = specs
                .iter()
                .find(|(p, _)| p.0.len() == path.0.len() && p.covers(path));
            match spec {
                None => {
                    // Elements of a list of texts are described by the list itself.
                    let parent_is_list = path.0.len() > 1
                        && matches!(path.0.last(), Some(crate::path::PathElement::Index(_)));
                    if !parent_is_list {
                        problems.push(format!("'{path}' is not a claim of {}", self.names[0]));
                    }
                    false
                }
                Some((_, spec)) => {
                    if let Err(why) = check_kind(spec.kind, value) {
                        problems.push(format!("'{path}' {why}"));
                    }
                    true
                }
            }
        });
        // Mandatory claims, where their parent exists.
        for (pattern, spec) in &specs {
            if spec.mandatory && !mandatory_present(&root, &pattern.0) {
                problems.push(format!("'{}' is required", spec.path));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::InvalidClaims(problems.join("; ")))
        }
    }

    /// The nested selective-disclosure paths that apply to these claims.
    pub fn nested_sd_for(&self, claims: &Map<String, Value>) -> Vec<ClaimPath> {
        let root = Value::Object(claims.clone());
        self.nested_sd
            .iter()
            .filter_map(|p| ClaimPath::parse(p).ok())
            .filter(|p| {
                let parent = ClaimPath(p.0[..p.0.len() - 1].to_vec());
                parent.lookup(&root).is_some_and(|v| match v {
                    Value::Array(a) => !a.is_empty(),
                    Value::Object(_) => p.lookup(&root).is_some(),
                    _ => false,
                })
            })
            .collect()
    }

    /// Sets what the type decides in `options` for these claims: the nested
    /// disclosable members and elements, and fixed-length `_sd` arrays.
    pub fn configure(&self, options: &mut crate::IssueOptions, claims: &Map<String, Value>) {
        options.vct = self.vct.to_string();
        options.nested_sd = self.nested_sd_for(claims);
        options.pad_to = self.pad_targets();
    }

    /// Fixed `_sd` lengths for this type's objects (the top level, and each object
    /// claim): the number of members the type defines there. See
    /// [`crate::IssueOptions::pad_to`].
    pub fn pad_targets(&self) -> Vec<(ClaimPath, usize)> {
        let parsed: Vec<ClaimPath> = self
            .claims
            .iter()
            .filter_map(|c| ClaimPath::parse(c.path).ok())
            .collect();
        let mut out = vec![(
            ClaimPath::default(),
            parsed.iter().filter(|p| p.0.len() == 1).count(),
        )];
        for spec in self.claims.iter().filter(|c| c.kind == Kind::Object) {
            let Ok(object) = ClaimPath::parse(spec.path) else {
                continue;
            };
            let members = parsed
                .iter()
                .filter(|p| p.0.len() == object.0.len() + 1 && p.0.starts_with(&object.0))
                .count();
            out.push((object, members));
        }
        out
    }

    /// SD-JWT VC Type Metadata for this type.
    pub fn type_metadata(&self) -> Value {
        let display: Vec<Value> = LOCALES
            .iter()
            .enumerate()
            .map(|(i, l)| json!({"locale": l, "name": self.names[i], "description": self.descriptions[i]}))
            .collect();
        let mut claims: Vec<Value> = Vec::new();
        for spec in self.claims {
            let Ok(path) = ClaimPath::parse(spec.path) else {
                continue;
            };
            let sd = if path.0.len() == 1 || self.nested_sd.contains(&spec.path) {
                "always"
            } else {
                "never"
            };
            let display: Vec<Value> = LOCALES
                .iter()
                .enumerate()
                .map(|(i, l)| json!({"locale": l, "label": spec.labels[i]}))
                .collect();
            claims.push(json!({
                "path": path.to_dcql(),
                "display": display,
                "sd": sd,
                "mandatory": spec.mandatory,
            }));
        }
        for nested in self.nested_sd.iter().filter(|n| n.ends_with("[]")) {
            if let Ok(path) = ClaimPath::parse(nested) {
                claims.push(json!({"path": path.to_dcql(), "sd": "always"}));
            }
        }
        json!({
            "vct": self.vct,
            "name": self.names[0],
            "description": self.descriptions[0],
            "display": display,
            "claims": claims,
        })
    }
}

fn locale_index(locale: &str) -> usize {
    if locale.starts_with("zh") { 1 } else { 0 }
}

fn walk(value: &Value, path: &mut ClaimPath, f: &mut dyn FnMut(&ClaimPath, &Value) -> bool) {
    if !f(path, value) {
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                path.0.push(crate::path::PathElement::Key(k.clone()));
                walk(v, path, f);
                path.0.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.0.push(crate::path::PathElement::Index(i));
                walk(v, path, f);
                path.0.pop();
            }
        }
        _ => {}
    }
}

fn mandatory_present(value: &Value, rest: &[crate::path::PathElement]) -> bool {
    use crate::path::PathElement;
    match rest.split_first() {
        None => true,
        Some((PathElement::Key(k), tail)) => match value.get(k) {
            Some(v) => mandatory_present(v, tail),
            // A member of an absent optional container is not required.
            None => !tail.is_empty(),
        },
        Some((PathElement::AllElements, tail)) => value
            .as_array()
            .is_none_or(|a| a.iter().all(|v| mandatory_present(v, tail))),
        Some((PathElement::Index(i), tail)) => {
            value.get(*i).is_none_or(|v| mandatory_present(v, tail))
        }
    }
}

fn check_kind(kind: Kind, value: &Value) -> std::result::Result<(), String> {
    let ok = match kind {
        Kind::Text => value.as_str().is_some_and(|s| !s.trim().is_empty()),
        Kind::Date => value.as_str().is_some_and(|s| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() && s.len() == 10
        }),
        Kind::DateTime => value
            .as_str()
            .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok()),
        Kind::Bool => value.is_boolean(),
        Kind::Object => value.is_object(),
        Kind::TextList => value.as_array().is_some_and(|a| {
            a.iter()
                .all(|v| v.as_str().is_some_and(|s| !s.trim().is_empty()))
        }),
        Kind::ObjectList => value
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_object)),
        Kind::Count => value.as_u64().is_some_and(|n| n > 0),
    };
    if ok {
        Ok(())
    } else {
        Err(match kind {
            Kind::Text => "must be a non-empty string",
            Kind::Date => "must be a date YYYY-MM-DD",
            Kind::DateTime => "must be an RFC 3339 date-time",
            Kind::Bool => "must be true or false",
            Kind::Object => "must be an object",
            Kind::TextList => "must be a list of non-empty strings",
            Kind::ObjectList => "must be a list of objects",
            Kind::Count => "must be a positive integer",
        }
        .to_string())
    }
}
