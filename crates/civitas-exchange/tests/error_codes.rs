//! The stable error codes, pinned: every (variant, code) pair of the `openid4vp` and
//! `qr` errors as they were before the errors were split by concern. Front ends, logs
//! and the `civitas verify --json` contract match on these strings: a code may be
//! added, never renamed or removed.

use std::collections::BTreeSet;

use civitas_exchange::{openid4vp, qr};
use strum::IntoEnumIterator;

const OPENID4VP_CODES: &[(&str, &str)] = &[
    ("TooLong", "openid4vp.too_long"),
    ("InvalidJson", "openid4vp.invalid_json"),
    ("WrongType", "openid4vp.wrong_type"),
    ("MissingField", "openid4vp.missing_field"),
    ("EmptyArray", "openid4vp.empty_array"),
    ("TooMany", "openid4vp.too_many"),
    ("UnknownMember", "openid4vp.unknown_member"),
    ("InvalidId", "openid4vp.invalid_id"),
    ("DuplicateCredentialId", "openid4vp.duplicate_credential_id"),
    ("DuplicateClaimId", "openid4vp.duplicate_claim_id"),
    ("DuplicateClaimPath", "openid4vp.duplicate_claim_path"),
    ("UnknownFormat", "openid4vp.unknown_format"),
    ("UnsupportedFormat", "openid4vp.unsupported_format"),
    ("InvalidPath", "openid4vp.invalid_path"),
    ("InvalidValue", "openid4vp.invalid_value"),
    (
        "ClaimSetsWithoutClaims",
        "openid4vp.claim_sets_without_claims",
    ),
    ("ClaimWithoutId", "openid4vp.claim_without_id"),
    ("UnknownClaimId", "openid4vp.unknown_claim_id"),
    ("UnknownCredentialId", "openid4vp.unknown_credential_id"),
    ("DuplicateInOption", "openid4vp.duplicate_in_option"),
    ("InvalidUrl", "openid4vp.invalid_url"),
    ("PercentEncoding", "openid4vp.percent_encoding"),
    ("DuplicateParameter", "openid4vp.duplicate_parameter"),
    ("MissingParameter", "openid4vp.missing_parameter"),
    ("UnsupportedParameter", "openid4vp.unsupported_parameter"),
    (
        "TransactionDataUnsupported",
        "openid4vp.transaction_data_unsupported",
    ),
    (
        "UnsupportedResponseType",
        "openid4vp.unsupported_response_type",
    ),
    (
        "UnsupportedResponseMode",
        "openid4vp.unsupported_response_mode",
    ),
    (
        "UnsupportedClientIdPrefix",
        "openid4vp.unsupported_client_id_prefix",
    ),
    ("InvalidClientId", "openid4vp.invalid_client_id"),
    ("ResponseUriMismatch", "openid4vp.response_uri_mismatch"),
    ("InvalidUri", "openid4vp.invalid_uri"),
    ("InvalidToken", "openid4vp.invalid_token"),
    ("MissingState", "openid4vp.missing_state"),
    (
        "InvalidRequestUriMethod",
        "openid4vp.invalid_request_uri_method",
    ),
    (
        "RequestUriMethodWithoutRequestUri",
        "openid4vp.request_uri_method_without_request_uri",
    ),
    ("CannotSign", "openid4vp.cannot_sign"),
    (
        "TooManyOptionalClaims",
        "openid4vp.too_many_optional_claims",
    ),
    ("MalformedJws", "openid4vp.malformed_jws"),
    ("AlgorithmNotAllowed", "openid4vp.algorithm_not_allowed"),
    ("ForbiddenHeader", "openid4vp.forbidden_header"),
    ("WrongTyp", "openid4vp.wrong_typ"),
    ("MissingKid", "openid4vp.missing_kid"),
    ("KidMismatch", "openid4vp.kid_mismatch"),
    ("KeyResolution", "openid4vp.key_resolution"),
    ("BadSignature", "openid4vp.bad_signature"),
    ("ClientIdMismatch", "openid4vp.client_id_mismatch"),
    ("AudienceMismatch", "openid4vp.audience_mismatch"),
    ("WalletNonceMismatch", "openid4vp.wallet_nonce_mismatch"),
    ("Expired", "openid4vp.expired"),
    ("IssuedInFuture", "openid4vp.issued_in_future"),
    ("Signing", "openid4vp.signing"),
    ("UnknownQuery", "openid4vp.unknown_query"),
    ("NotOptional", "openid4vp.not_optional"),
    ("NotSatisfiable", "openid4vp.not_satisfiable"),
    ("Credential", "openid4vp.credential"),
    (
        "UnexpectedCredentialQuery",
        "openid4vp.unexpected_credential_query",
    ),
    ("TooManyPresentations", "openid4vp.too_many_presentations"),
    ("MalformedPresentation", "openid4vp.malformed_presentation"),
    ("StateMismatch", "openid4vp.state_mismatch"),
];

const QR_CODES: &[(&str, &str)] = &[
    ("TextTooLong", "qr.text_too_long"),
    ("NonAscii", "qr.non_ascii"),
    ("ControlCharacter", "qr.control_character"),
    ("WrongPrefix", "qr.wrong_prefix"),
    ("PartOfSequence", "qr.part_of_sequence"),
    ("EmptyPayload", "qr.empty_payload"),
    ("Base45InvalidChar", "qr.base45_invalid_char"),
    ("Base45Triplet", "qr.base45_triplet"),
    ("Base45Pair", "qr.base45_pair"),
    ("Base45Dangling", "qr.base45_dangling"),
    ("UnsupportedFormat", "qr.unsupported_format"),
    ("InflatedTooLarge", "qr.inflated_too_large"),
    ("Deflate", "qr.deflate"),
    ("DeflateTruncated", "qr.deflate_truncated"),
    ("TrailingData", "qr.trailing_data"),
    ("MalformedBody", "qr.malformed_body"),
    ("PartHeader", "qr.part_header"),
    ("SequenceMismatch", "qr.sequence_mismatch"),
    ("ConflictingPart", "qr.conflicting_part"),
    ("MissingParts", "qr.missing_parts"),
    ("ChecksumMismatch", "qr.checksum_mismatch"),
    ("InvalidOption", "qr.invalid_option"),
    ("TooLargeForQr", "qr.too_large_for_qr"),
    ("QrEncode", "qr.qr_encode"),
    ("Png", "qr.png"),
    ("NotAnImage", "qr.not_an_image"),
    ("UnsupportedImageFormat", "qr.unsupported_image_format"),
    ("ImageTooLarge", "qr.image_too_large"),
    ("ImageDecode", "qr.image_decode"),
    ("NoQrFound", "qr.no_qr_found"),
];

/// Every (variant, code) pair of the kinds `K`.
fn pairs<K: IntoEnumIterator + std::fmt::Debug + Into<&'static str>>() -> Vec<(String, &'static str)>
{
    K::iter().map(|k| (format!("{k:?}"), k.into())).collect()
}

fn expected(table: &[(&str, &'static str)]) -> BTreeSet<(String, &'static str)> {
    table
        .iter()
        .map(|&(variant, code)| (variant.to_string(), code))
        .collect()
}

#[test]
fn openid4vp_codes_are_unchanged() {
    let mut found = BTreeSet::new();
    found.extend(pairs::<openid4vp::InputErrorKind>());
    found.extend(pairs::<openid4vp::DcqlErrorKind>());
    found.extend(pairs::<openid4vp::RequestErrorKind>());
    found.extend(pairs::<openid4vp::SignedObjectErrorKind>());
    found.extend(pairs::<openid4vp::MatchingErrorKind>());
    found.extend(pairs::<openid4vp::ResponseErrorKind>());
    assert_eq!(found.len(), 60);
    assert_eq!(found, expected(OPENID4VP_CODES));
}

#[test]
fn qr_codes_are_unchanged() {
    let mut found = BTreeSet::new();
    found.extend(pairs::<qr::TextErrorKind>());
    found.extend(pairs::<qr::Base45ErrorKind>());
    found.extend(pairs::<qr::FrameErrorKind>());
    found.extend(pairs::<qr::MultipartErrorKind>());
    found.extend(pairs::<qr::RenderErrorKind>());
    found.extend(pairs::<qr::ScanErrorKind>());
    assert_eq!(found.len(), 30);
    assert_eq!(found, expected(QR_CODES));
}

#[test]
fn top_level_codes_are_the_concern_codes() {
    // The transparent top-level error gives the code and the message of the concern.
    let e = openid4vp::Error::from(openid4vp::ResponseError::StateMismatch);
    assert_eq!(e.code(), "openid4vp.state_mismatch");
    assert_eq!(e.kind().as_str(), "openid4vp.state_mismatch");
    assert_eq!(e.kind().to_string(), "openid4vp.state_mismatch");
    assert_eq!(
        e.to_string(),
        openid4vp::ResponseError::StateMismatch.to_string()
    );
    let e = qr::decode_payload("HC1:xyz").unwrap_err();
    assert_eq!(e.code(), "qr.wrong_prefix");
    assert_eq!(
        e.kind(),
        qr::ErrorKind::Text(qr::TextErrorKind::WrongPrefix)
    );
}
