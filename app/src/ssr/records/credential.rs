//! Building the Open Badges 3.0 AchievementCredential (W3C Verifiable Credentials 2.0 data model).
//!
//! The credential is a tree of typed structs, so what a record states is checked by the compiler when it is
//! issued and read back as typed values when it is shown, instead of being looked up by string keys.
//!
//! Records are stored and signed as the JSON these structs serialise to, and verification compares that JSON
//! with what was issued, so the shape must never drift: every key, nesting and value type here is exactly
//! what the records issued so far carry. Each struct declares its fields in the byte-wise order of their
//! JSON keys, which is the order serde_json's map keeps (its `preserve_order` feature is off): serialising a
//! struct directly therefore gives the same bytes as serialising it through [`serde_json::Value`].

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

use super::issuer::Issuer;
use super::status_list::StatusList;
use crate::model::catalogue::AlignmentView;

/// The JSON-LD contexts of every record: VC 2.0 first (as VC 2.0 requires), then Open Badges 3.0.
pub const CONTEXT: [&str; 2] = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
];

/// The credential's `type`: a verifiable credential that is an Open Badge.
pub const CREDENTIAL_TYPES: [&str; 2] = ["VerifiableCredential", "OpenBadgeCredential"];

/// The issuer profile's `type`.
pub const PROFILE_TYPES: [&str; 1] = ["Profile"];

/// The credential subject's `type`.
pub const SUBJECT_TYPES: [&str; 1] = ["AchievementSubject"];

/// The achievement's `type`.
pub const ACHIEVEMENT_TYPES: [&str; 1] = ["Achievement"];

/// Each piece of evidence's `type`.
pub const EVIDENCE_TYPES: [&str; 1] = ["Evidence"];

/// A module record's `achievementType`.
pub const MODULE_ACHIEVEMENT_TYPE: &str = "Course";

/// A pathway record's `achievementType`: a certificate for a programme of several courses.
pub const PATHWAY_ACHIEVEMENT_TYPE: &str = "Certificate";

/// Each competency alignment's `type`.
pub const ALIGNMENT_TYPES: [&str; 1] = ["Alignment"];

/// The assessment score description's `type`.
pub const RESULT_DESCRIPTION_TYPES: [&str; 1] = ["ResultDescription"];

/// The learner's assessment result's `type`.
pub const RESULT_TYPES: [&str; 1] = ["Result"];

/// The `type` of each way the learner is identified (a single string in OB 3.0, not a list).
pub const IDENTITY_OBJECT_TYPE: &str = "IdentityObject";

/// The `identityType` of the learner's name, which is stated in the clear so the record page can show it.
pub const NAME_IDENTITY_TYPE: &str = "name";

/// The `identityType` of the learner's email address, which is only ever stated hashed.
pub const EMAIL_IDENTITY_TYPE: &str = "emailAddress";

/// The `type` of the credential's status entry: a bit in the issuer's revocation list.
pub const STATUS_ENTRY_TYPE: &str = "BitstringStatusListEntry";

/// The only status purpose records have: revocation.
pub const STATUS_PURPOSE: &str = "revocation";

/// The official OB 3.0 AchievementCredential JSON Schema each record declares it conforms to.
pub const CREDENTIAL_SCHEMA_ID: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";

/// The validator OB 3.0 names for [`CREDENTIAL_SCHEMA_ID`].
pub const CREDENTIAL_SCHEMA_TYPE: &str = "1EdTechJsonSchemaValidator2019";

/// Everything a module record states.
#[derive(Debug, Clone)]
pub struct RecordFacts {
    pub id: String,
    pub learner_name: String,
    pub learner_email: String,
    pub module_slug: String,
    pub module_title: String,
    pub module_summary: String,
    pub module_version: i32,
    /// What completion required, in words, for `criteria.narrative`.
    pub criteria: String,
    pub cpd_hours: f64,
    pub alignments: Vec<AlignmentView>,
    /// Assessment score (percentage) and pass mark, when the module has an assessment.
    pub score: Option<(u32, u32)>,
    pub issued_at: DateTime<Utc>,
    pub status_index: i32,
}

/// Everything a pathway record states: the pathway, and the module records it rests on.
#[derive(Debug, Clone)]
pub struct PathwayFacts {
    pub id: String,
    pub learner_name: String,
    pub learner_email: String,
    pub pathway_slug: String,
    pub pathway_title: String,
    pub pathway_summary: String,
    /// What completing the pathway required, in words.
    pub criteria: String,
    /// The framework levels and competencies the pathway works towards.
    pub alignments: Vec<AlignmentView>,
    /// The module records, in the pathway's order.
    pub basis: Vec<BasisFacts>,
    pub issued_at: DateTime<Utc>,
    pub status_index: i32,
}

/// A module record a pathway record rests on, as the pathway record names it.
#[derive(Debug, Clone)]
pub struct BasisFacts {
    /// The module record's public page, where anyone can check it.
    pub record_url: String,
    pub module_title: String,
    pub module_version: i32,
    pub issued_at: DateTime<Utc>,
}

/// A whole number that Open Badges carries as a JSON string (`version`, `statusListIndex`, a result's
/// `value`, a result description's `requiredValue`, `valueMin` and `valueMax`). It is a number here, so
/// nothing reading a record parses one out of a string by hand; it is written as its decimal digits, and
/// reading anything else back fails loudly instead of passing for a missing value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumericString<T>(pub T);

impl<T: fmt::Display> fmt::Display for NumericString<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: fmt::Display> Serialize for NumericString<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.to_string())
    }
}

impl<'de, T> Deserialize<'de> for NumericString<T>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse()
            .map(NumericString)
            .map_err(|e| serde::de::Error::custom(format!("`{text}` is not a number: {e}")))
    }
}

/// The signed completion record: an OB 3.0 `AchievementCredential` (a W3C VC 2.0 credential).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AchievementCredential {
    /// Always [`CONTEXT`].
    #[serde(rename = "@context")]
    pub context: [String; 2],
    pub credential_schema: Vec<CredentialSchema>,
    pub credential_status: CredentialStatus,
    pub credential_subject: AchievementSubject,
    /// A pathway record's module records (none for a module record, and then absent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// `urn:uuid:<record id>`.
    pub id: String,
    pub issuer: Profile,
    pub name: String,
    /// Always [`CREDENTIAL_TYPES`].
    #[serde(rename = "type")]
    pub kind: [String; 2],
    /// The moment of issue, RFC 3339 in UTC to the second (`2025-01-31T09:30:00Z`).
    pub valid_from: String,
}

/// A schema the credential declares it conforms to, so verifiers can validate it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialSchema {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// Where a verifier checks whether the record was revoked: a `BitstringStatusListEntry`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialStatus {
    /// `<status list url>#<index>`.
    pub id: String,
    /// The status list credential's URL.
    pub status_list_credential: String,
    /// This record's bit in the list.
    pub status_list_index: NumericString<i32>,
    pub status_purpose: String,
    /// Always [`STATUS_ENTRY_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
}

/// The issuer's OB 3.0 `Profile`, embedded in every record and published on its own at its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub id: String,
    pub name: String,
    /// Always [`PROFILE_TYPES`].
    #[serde(rename = "type")]
    pub kind: [String; 1],
    pub url: String,
}

/// Who earned the record and what they earned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AchievementSubject {
    pub achievement: Achievement,
    /// The CPD hours earned: the module's (a pathway record states none: its modules' records do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_earned: Option<f64>,
    /// The learner's name (in the clear) and email address (hashed).
    pub identifier: Vec<IdentityObject>,
    /// The assessment score, when the module has an assessment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Vec<SubjectResult>>,
    /// Always [`SUBJECT_TYPES`].
    #[serde(rename = "type")]
    pub kind: [String; 1],
}

impl AchievementSubject {
    /// The learner's name as stated in the record, if it states one.
    pub fn learner_name(&self) -> Option<&str> {
        self.identifier
            .iter()
            .find(|i| i.identity_type == NAME_IDENTITY_TYPE)
            .map(|i| i.identity_hash.as_str())
    }

    /// The assessment score (a percentage) stated in the record, if any.
    pub fn score(&self) -> Option<u32> {
        self.result.as_ref()?.first().map(|r| r.value.0)
    }
}

/// One way the learner is identified: OB 3.0 `IdentityObject`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityObject {
    pub hashed: bool,
    /// The value itself when not hashed, otherwise [`identity_hash`] of it.
    pub identity_hash: String,
    pub identity_type: String,
    /// The salt of a hashed value (the record id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// Always [`IDENTITY_OBJECT_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
}

/// The module version the record was earned on, or the pathway completed: OB 3.0 `Achievement`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Achievement {
    pub achievement_type: String,
    /// The framework competencies the module is aligned to (an empty list when none).
    pub alignment: Vec<Alignment>,
    /// The module's CPD hours (none for a pathway).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_available: Option<f64>,
    pub criteria: Criteria,
    pub description: String,
    /// `<base url>/modules/<slug>/versions/<version>`, or `<base url>/pathways/<slug>`.
    pub id: String,
    pub in_language: String,
    pub name: String,
    /// How the assessment score is stated, when the module has an assessment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_description: Option<Vec<ResultDescription>>,
    /// Always [`ACHIEVEMENT_TYPES`].
    #[serde(rename = "type")]
    pub kind: [String; 1],
    /// The module version (a pathway has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<NumericString<i32>>,
}

/// A record a pathway record rests on: OB 3.0 `Evidence`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The module record's public page.
    pub id: String,
    pub name: String,
    pub narrative: String,
    /// Always [`EVIDENCE_TYPES`].
    #[serde(rename = "type")]
    pub kind: [String; 1],
}

/// What earning the achievement required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criteria {
    pub narrative: String,
}

/// A framework competency the module is aligned to: OB 3.0 `Alignment`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alignment {
    pub target_code: String,
    /// The framework's name.
    pub target_framework: String,
    pub target_name: String,
    pub target_type: String,
    /// The framework's URL.
    pub target_url: String,
    /// Always [`ALIGNMENT_TYPES`].
    #[serde(rename = "type")]
    pub kind: [String; 1],
}

impl From<&Alignment> for AlignmentView {
    fn from(alignment: &Alignment) -> Self {
        AlignmentView {
            framework: alignment.target_framework.clone(),
            framework_url: alignment.target_url.clone(),
            code: alignment.target_code.clone(),
            name: alignment.target_name.clone(),
        }
    }
}

/// How the assessment score is stated: OB 3.0 `ResultDescription`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultDescription {
    /// `<achievement id>#assessment-score`; the subject's result refers to it.
    pub id: String,
    pub name: String,
    /// The pass mark.
    pub required_value: NumericString<u32>,
    pub result_type: String,
    /// Always [`RESULT_DESCRIPTION_TYPES`].
    #[serde(rename = "type")]
    pub kind: [String; 1],
    pub value_max: NumericString<u32>,
    pub value_min: NumericString<u32>,
}

/// The learner's assessment score: OB 3.0 `Result` (named so as not to hide [`std::result::Result`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubjectResult {
    /// The id of the [`ResultDescription`] this result answers.
    pub result_description: String,
    /// Always [`RESULT_TYPES`].
    #[serde(rename = "type")]
    pub kind: [String; 1],
    /// The score, a percentage.
    pub value: NumericString<u32>,
}

impl AchievementCredential {
    /// The credential as JSON: what is stored, signed and compared with a presented record.
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        serde_json::to_value(self)
    }
}

/// The identity hash Open Badges uses: `sha256$` + hex(SHA-256(value + salt)).
pub fn identity_hash(value: &str, salt: &str) -> String {
    format!(
        "sha256${}",
        hex::encode(Sha256::digest(format!("{value}{salt}").as_bytes()))
    )
}

/// The learner as a record names them: their name in the clear (the record page shows it) and their email
/// address hashed with the record id as salt.
fn identifiers(name: &str, email: &str, record_id: &str) -> Vec<IdentityObject> {
    vec![
        IdentityObject {
            hashed: false,
            identity_hash: name.to_owned(),
            identity_type: NAME_IDENTITY_TYPE.to_owned(),
            salt: None,
            kind: IDENTITY_OBJECT_TYPE.to_owned(),
        },
        IdentityObject {
            hashed: true,
            identity_hash: identity_hash(email, record_id),
            identity_type: EMAIL_IDENTITY_TYPE.to_owned(),
            salt: Some(record_id.to_owned()),
            kind: IDENTITY_OBJECT_TYPE.to_owned(),
        },
    ]
}

fn alignments(views: &[AlignmentView]) -> Vec<Alignment> {
    views
        .iter()
        .map(|a| Alignment {
            target_code: a.code.clone(),
            target_framework: a.framework.clone(),
            target_name: a.name.clone(),
            target_type: "ceasn:Competency".to_owned(),
            target_url: a.framework_url.clone(),
            kind: ALIGNMENT_TYPES.map(String::from),
        })
        .collect()
}

/// What every record has around its subject: contexts, schema, status entry, id, issuer, name and date.
struct Envelope<'a> {
    issuer: &'a Issuer,
    record_id: &'a str,
    name: String,
    list: StatusList,
    status_index: i32,
    issued_at: DateTime<Utc>,
}

impl Envelope<'_> {
    fn wrap(self, subject: AchievementSubject, evidence: Vec<Evidence>) -> AchievementCredential {
        let status_list_url = self.issuer.status_list_url(self.list);
        AchievementCredential {
            context: CONTEXT.map(String::from),
            credential_schema: vec![CredentialSchema {
                id: CREDENTIAL_SCHEMA_ID.to_owned(),
                kind: CREDENTIAL_SCHEMA_TYPE.to_owned(),
            }],
            credential_status: CredentialStatus {
                id: format!("{status_list_url}#{}", self.status_index),
                status_list_credential: status_list_url,
                status_list_index: NumericString(self.status_index),
                status_purpose: STATUS_PURPOSE.to_owned(),
                kind: STATUS_ENTRY_TYPE.to_owned(),
            },
            credential_subject: subject,
            evidence,
            id: format!("urn:uuid:{}", self.record_id),
            issuer: self.issuer.profile(),
            name: self.name,
            kind: CREDENTIAL_TYPES.map(String::from),
            valid_from: self.issued_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        }
    }
}

/// A module record's credential body. Its id is `urn:uuid:<record id>`; it names the module version it was
/// earned on.
pub fn build(issuer: &Issuer, facts: &RecordFacts) -> AchievementCredential {
    let achievement_id = format!(
        "{}/modules/{}/versions/{}",
        issuer.base_url, facts.module_slug, facts.module_version
    );
    let score_description_id = format!("{achievement_id}#assessment-score");
    let (result_description, result) = match facts.score {
        Some((score, pass_mark)) => (
            Some(vec![ResultDescription {
                id: score_description_id.clone(),
                name: "Module assessment score".to_owned(),
                required_value: NumericString(pass_mark),
                result_type: "Percent".to_owned(),
                kind: RESULT_DESCRIPTION_TYPES.map(String::from),
                value_max: NumericString(100),
                value_min: NumericString(0),
            }]),
            Some(vec![SubjectResult {
                result_description: score_description_id,
                kind: RESULT_TYPES.map(String::from),
                value: NumericString(score),
            }]),
        ),
        None => (None, None),
    };
    let achievement = Achievement {
        achievement_type: MODULE_ACHIEVEMENT_TYPE.to_owned(),
        alignment: alignments(&facts.alignments),
        credits_available: Some(facts.cpd_hours),
        criteria: Criteria {
            narrative: facts.criteria.clone(),
        },
        description: facts.module_summary.clone(),
        id: achievement_id,
        in_language: "en-GB".to_owned(),
        name: facts.module_title.clone(),
        result_description,
        kind: ACHIEVEMENT_TYPES.map(String::from),
        version: Some(NumericString(facts.module_version)),
    };
    let subject = AchievementSubject {
        achievement,
        credits_earned: Some(facts.cpd_hours),
        identifier: identifiers(&facts.learner_name, &facts.learner_email, &facts.id),
        result,
        kind: SUBJECT_TYPES.map(String::from),
    };
    Envelope {
        issuer,
        record_id: &facts.id,
        name: format!("{} – completion record", facts.module_title),
        list: StatusList::Modules,
        status_index: facts.status_index,
        issued_at: facts.issued_at,
    }
    .wrap(subject, Vec::new())
}

/// A pathway record's credential body: an achievement of type Certificate whose evidence is the module
/// records it rests on, each by its public page, so a verifier can check every one.
pub fn build_pathway(issuer: &Issuer, facts: &PathwayFacts) -> AchievementCredential {
    let achievement = Achievement {
        achievement_type: PATHWAY_ACHIEVEMENT_TYPE.to_owned(),
        alignment: alignments(&facts.alignments),
        credits_available: None,
        criteria: Criteria {
            narrative: facts.criteria.clone(),
        },
        description: facts.pathway_summary.clone(),
        id: format!("{}/pathways/{}", issuer.base_url, facts.pathway_slug),
        in_language: "en-GB".to_owned(),
        name: facts.pathway_title.clone(),
        result_description: None,
        kind: ACHIEVEMENT_TYPES.map(String::from),
        version: None,
    };
    let subject = AchievementSubject {
        achievement,
        credits_earned: None,
        identifier: identifiers(&facts.learner_name, &facts.learner_email, &facts.id),
        result: None,
        kind: SUBJECT_TYPES.map(String::from),
    };
    let evidence = facts
        .basis
        .iter()
        .map(|basis| Evidence {
            id: basis.record_url.clone(),
            name: format!("{} – completion record", basis.module_title),
            narrative: format!(
                "Completed {} (version {}); record issued on {}.",
                basis.module_title,
                basis.module_version,
                basis.issued_at.format("%Y-%m-%d")
            ),
            kind: EVIDENCE_TYPES.map(String::from),
        })
        .collect();
    Envelope {
        issuer,
        record_id: &facts.id,
        name: format!("{} – pathway record", facts.pathway_title),
        list: StatusList::Pathways,
        status_index: facts.status_index,
        issued_at: facts.issued_at,
    }
    .wrap(subject, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module record exactly as records have been issued since the first: the same keys, nesting and
    /// value types, byte for byte (records are verified by comparing bytes, so the shape must never drift).
    const MODULE_RECORD: &str = r#"{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"credentialSchema":[{"id":"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json","type":"1EdTechJsonSchemaValidator2019"}],"credentialStatus":{"id":"https://academy.example.nhs.uk/status/revocation#7","statusListCredential":"https://academy.example.nhs.uk/status/revocation","statusListIndex":"7","statusPurpose":"revocation","type":"BitstringStatusListEntry"},"credentialSubject":{"achievement":{"achievementType":"Course","alignment":[{"targetCode":"1.1","targetFramework":"Demo framework","targetName":"Clinical safety","targetType":"ceasn:Competency","targetUrl":"https://example.org/framework","type":["Alignment"]}],"creditsAvailable":6.5,"criteria":{"narrative":"Complete every lesson and pass the assessment (60%)."},"description":"Standards, hazards and safety cases.","id":"https://academy.example.nhs.uk/modules/clinical-safety/versions/3","inLanguage":"en-GB","name":"Clinical safety of health IT","resultDescription":[{"id":"https://academy.example.nhs.uk/modules/clinical-safety/versions/3#assessment-score","name":"Module assessment score","requiredValue":"60","resultType":"Percent","type":["ResultDescription"],"valueMax":"100","valueMin":"0"}],"type":["Achievement"],"version":"3"},"creditsEarned":6.5,"identifier":[{"hashed":false,"identityHash":"Dr Ada Example","identityType":"name","type":"IdentityObject"},{"hashed":true,"identityHash":"sha256$2ca5754ff71be87b18c47a9675c130dd50b675c44df237df73963c5959bca552","identityType":"emailAddress","salt":"6f1c2d3e-0000-4000-8000-000000000001","type":"IdentityObject"}],"result":[{"resultDescription":"https://academy.example.nhs.uk/modules/clinical-safety/versions/3#assessment-score","type":["Result"],"value":"80"}],"type":["AchievementSubject"]},"id":"urn:uuid:6f1c2d3e-0000-4000-8000-000000000001","issuer":{"id":"https://academy.example.nhs.uk/issuer","name":"Example Academy","type":["Profile"],"url":"https://academy.example.nhs.uk"},"name":"Clinical safety of health IT – completion record","type":["VerifiableCredential","OpenBadgeCredential"],"validFrom":"2026-12-01T09:30:00Z"}"#;

    #[test]
    fn a_module_record_keeps_the_shape_records_were_issued_in() {
        let issuer = Issuer {
            base_url: "https://academy.example.nhs.uk".to_owned(),
            name: "Example Academy".to_owned(),
            kid: "key-1".to_owned(),
            encoding_key: jsonwebtoken::EncodingKey::from_secret(b"not used to build"),
            public_jwk: Value::Null,
        };
        let facts = RecordFacts {
            id: "6f1c2d3e-0000-4000-8000-000000000001".to_owned(),
            learner_name: "Dr Ada Example".to_owned(),
            learner_email: "ada@example.org".to_owned(),
            module_slug: "clinical-safety".to_owned(),
            module_title: "Clinical safety of health IT".to_owned(),
            module_summary: "Standards, hazards and safety cases.".to_owned(),
            module_version: 3,
            criteria: "Complete every lesson and pass the assessment (60%).".to_owned(),
            cpd_hours: 6.5,
            alignments: vec![AlignmentView {
                framework: "Demo framework".to_owned(),
                framework_url: "https://example.org/framework".to_owned(),
                code: "1.1".to_owned(),
                name: "Clinical safety".to_owned(),
            }],
            score: Some((80, 60)),
            issued_at: DateTime::parse_from_rfc3339("2026-12-01T09:30:00Z")
                .expect("a date")
                .with_timezone(&Utc),
            status_index: 7,
        };
        let issued = build(&issuer, &facts).to_value().expect("json").to_string();
        assert_eq!(issued, MODULE_RECORD);
    }
}
