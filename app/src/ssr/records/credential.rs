//! Building the Open Badges 3.0 AchievementCredential (W3C Verifiable Credentials 2.0 data model).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::issuer::Issuer;
use crate::model::catalogue::AlignmentView;

/// Everything a record states.
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

/// The identity hash Open Badges uses: `sha256$` + hex(SHA-256(value + salt)).
pub fn identity_hash(value: &str, salt: &str) -> String {
    format!(
        "sha256${}",
        hex::encode(Sha256::digest(format!("{value}{salt}").as_bytes()))
    )
}

/// The credential body. Its id is `urn:uuid:<record id>`; it names the module version it was earned on.
pub fn build(issuer: &Issuer, facts: &RecordFacts) -> Value {
    let achievement_id = format!(
        "{}/modules/{}/versions/{}",
        issuer.base_url, facts.module_slug, facts.module_version
    );
    let score_description_id = format!("{achievement_id}#assessment-score");
    let alignment: Vec<Value> = facts
        .alignments
        .iter()
        .map(|a| {
            json!({
                "type": ["Alignment"],
                "targetName": a.name,
                "targetUrl": a.framework_url,
                "targetFramework": a.framework,
                "targetCode": a.code,
                "targetType": "ceasn:Competency",
            })
        })
        .collect();
    let mut achievement = json!({
        "id": achievement_id,
        "type": ["Achievement"],
        "name": facts.module_title,
        "description": facts.module_summary,
        "criteria": { "narrative": facts.criteria },
        "achievementType": "Course",
        "creditsAvailable": facts.cpd_hours,
        "version": facts.module_version.to_string(),
        "inLanguage": "en-GB",
        "alignment": alignment,
    });
    let mut subject = json!({
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": false,
                "identityHash": facts.learner_name,
            },
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": true,
                "salt": facts.id,
                "identityHash": identity_hash(&facts.learner_email, &facts.id),
            }
        ],
        "achievement": Value::Null,
        "creditsEarned": facts.cpd_hours,
    });
    if let Some((score, pass_mark)) = facts.score {
        achievement["resultDescription"] = json!([{
            "id": score_description_id,
            "type": ["ResultDescription"],
            "name": "Module assessment score",
            "resultType": "Percent",
            "valueMin": "0",
            "valueMax": "100",
            "requiredValue": pass_mark.to_string(),
        }]);
        subject["result"] = json!([{
            "type": ["Result"],
            "resultDescription": score_description_id,
            "value": score.to_string(),
        }]);
    }
    subject["achievement"] = achievement;
    json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": format!("urn:uuid:{}", facts.id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": format!("{} – completion record", facts.module_title),
        "issuer": issuer.profile(),
        "validFrom": facts.issued_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": format!("{}#{}", issuer.status_list_url(), facts.status_index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": facts.status_index.to_string(),
            "statusListCredential": issuer.status_list_url(),
        },
        "credentialSchema": [{
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019",
        }],
    })
}
