//! The preset deflate dictionary of format 1.
//!
//! **Part of the wire format**: changing a single byte changes what every existing QR
//! decodes to. A new dictionary needs a new frame format byte. A test pins its length
//! and CRC-32.
//!
//! Deflate finds matches in the dictionary as if it had been the text just before the
//! payload; nearer matches cost fewer bits, so the most frequent strings come last. The
//! bytes `\xF5` / `\xF6` are the compact form's "32-byte" and "16-byte" string markers
//! (see the module docs): `"x":\xF5` is how a P-256 coordinate starts in the compact
//! form. A few base64url strings at the start serve the raw format (0x02), where the
//! JWT parts stay base64url.

/// Format 1's dictionary. In order: base64url strings for the raw format; rarer
/// identifiers (did:jwk, did:key, EdDSA keys, other header orders, blood types); the
/// claim names of the service-record, medical-summary and PID types, in both the
/// disclosure form (`,"name",`) and the object-member form (`"name":`); the KB-JWT; the
/// issuer-signed JWT, whose header and payload skeleton recur in every presentation.
pub(crate) const DICTIONARY_V1: &[u8] = b"\
    eyJhbGciOiJFUzI1NiIsInR5cCI6ImtiK2p3dCJ9.eyJpYXQiOjE3\
    eyJhbGciOiJFUzI1NiIsInR5cCI6ImRjK3NkLWp3dCIsImtpZCI6ImRpZDp3ZWJ2aDpR\
    eyJfc2QiOlsi\
    did:jwk:eyJ\
    did:key:z\
    \"sub\":\"did:\
    \"nbf\":17\
    \"vc+sd-jwt\"\
    {\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\
    {\"alg\":\"EdDSA\",\"typ\":\"kb+jwt\"}\
    {\"typ\":\"kb+jwt\",\"alg\":\"ES256\"}\
    {\"typ\":\"dc+sd-jwt\",\"alg\":\"ES256\",\"kid\":\"did:webvh:Qm\
    \"...\":\
    false]\
    \"O+\"\"O-\"\"A+\"\"A-\"\"B+\"\"B-\"\"AB+\"\"AB-\"\
    \"service\":\"\
    \"agency\":\"\
    \"requested_at\":\"20\
    \"completed_at\":\"20\
    \"outcome\":\"\
    \"reference\":\"\
    ,\"service\",\"\
    ,\"agency\",\"\
    ,\"requested_at\",\"20\
    ,\"completed_at\",\"20\
    ,\"outcome\",\"\
    ,\"reference\",\"\
    https://civitas.example/credentials/service-record/v1\
    \"blood_type\":\"\
    \"allergies\":[\"\
    \"vaccinations\":[{\"vaccine\":\"\
    \",\"date\":\"20\
    \",\"dose\":\
    \"organ_donor\":\
    \"chronic_conditions\":[\"\
    ,\"blood_type\",\"\
    ,\"allergies\",[\"\
    ,\"vaccinations\",[{\"vaccine\":\"\
    ,\"organ_donor\",true]\
    ,\"chronic_conditions\",[\"\
    https://civitas.example/credentials/medical-summary/v1\
    :ledger.civitas.example:issuers:hospital#key-1\"}\xFF\
    :ledger.civitas.example:issuers:hospital\",\"iat\":17\
    https://ledger.civitas.example/status/hospital\"}}}\xFF\xF4\xF2@\xF3\
    \"address\":{\"street_address\":\"\
    \",\"locality\":\"\
    \",\"postal_code\":\"\
    \"personal_number\":\"\
    \"nationality\":\"\
    \"given_name\":\"\
    \"family_name\":\"\
    \"birthdate\":\"\
    \"age_over_65\":\
    \"age_over_18\":true\
    ,\"address\",{\"street_address\":\"\
    ,\"personal_number\",\"\
    ,\"nationality\",\"\
    ,\"nationalities\",[\"\
    ,\"given_name\",\"\
    ,\"family_name\",\"\
    ,\"birthdate\",\"\
    ,\"age_over_65\",\
    ,\"age_over_18\",true]\
    \"kid\":\"did:webvh:Qm\
    \"iss\":\"did:webvh:Qm\
    \"status\":{\"status_list\":{\"idx\":\
    \xFF\xF4\xF2@\xF3\xF1{\"alg\":\"ES256\",\"typ\":\"kb+jwt\"}\xFF\xF4\xF1{\"iat\":17\
    ,\"aud\":\"counter-\
    .city-hall.example\",\"nonce\":\xF6,\"sd_hash\":\xF5}\xFF\xF4\xF2@\
    \xF3\xF1[\xF6,\"given_name\",\"\
    \xF3\xF1[\xF6,\"age_over_18\",true]\xFF\
    \xF1{\"alg\":\"ES256\",\"typ\":\"dc+sd-jwt\",\"kid\":\"did:webvh:\xF8:ledger.civitas.example:issuers:city-hall#key-1\"}\xFF\
    \xF4\xF1{\"_sd\":[\xF5,\xF5,\xF5,\xF5,\xF5,\xF5,\xF5,\xF5,\xF5,\xF5],\"iss\":\"did:webvh:\xF9:ledger.civitas.example:issuers:city-hall\",\"iat\":17\
    ,\"exp\":17\
    ,\"vct\":\"https://civitas.example/credentials/pid/v1\",\"_sd_alg\":\"sha-256\",\"cnf\":{\"jwk\":{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\xF5,\"y\":\xF5}},\"status\":{\"status_list\":{\"idx\":\
    ,\"uri\":\"https://ledger.civitas.example/status/city-hall\"}}}\xFF\xF4\xF2@\xF3\
";

#[cfg(test)]
mod tests {
    #[test]
    fn dictionary_v1_is_frozen() {
        // Changing the dictionary changes what every CIV1 text decodes to: add a new
        // format byte instead, and leave this one alone.
        assert_eq!(super::DICTIONARY_V1.len(), DICTIONARY_V1_LEN);
        assert_eq!(
            crate::qr::prefix::checksum(super::DICTIONARY_V1),
            DICTIONARY_V1_CRC
        );
    }

    const DICTIONARY_V1_LEN: usize = 2007;
    const DICTIONARY_V1_CRC: u32 = 0x5438_83D2;
}
