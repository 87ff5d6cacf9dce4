//! Issuing, showing, verifying and revoking completion records; the revocation list; the portfolio.

use chrono::Utc;
use jsonwebtoken::jwk::Jwk;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

use crate::error::AppError;
use crate::model::accounts::Role;
use crate::model::catalogue::AlignmentView;
use crate::model::records::{
    BasisView, CompetencyEvidence, FrameworkEvidence, Portfolio, RecordKind, RecordSummary,
    RecordView, Verification,
};
use crate::ssr::content::Framework;
use crate::ssr::entities::completion_record::EarnedFor;
use crate::ssr::entities::{account, completion_record, module, record_basis};
use crate::ssr::error::internal;
use crate::ssr::records::credential::{self, AchievementCredential, RecordFacts};
use crate::ssr::records::status_list::StatusList;
use crate::ssr::records::{Issuer, issuer, jwt, status_list};

/// Issues the module record for a completion, inside the caller's transaction, at `status_index` in the status
/// list (unique per record: the caller passes its completion's row id).
pub async fn issue<C: ConnectionTrait>(
    txn: &C,
    issuer: &Issuer,
    frameworks: &[Framework],
    account_id: i32,
    found: &module::Model,
    score: Option<u32>,
    status_index: i32,
) -> Result<completion_record::Model, AppError> {
    let learner = account::Entity::find_by_id(account_id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::NotFound("The learner's account".to_owned()))?;
    let version = found.current_version(txn).await?;
    let pass_mark = version.assessment_spec()?.map(|a| a.pass_mark);
    let rule = version.completion;
    let facts = RecordFacts {
        id: uuid::Uuid::new_v4().to_string(),
        learner_name: learner.display_name.clone(),
        learner_email: learner.email.clone(),
        module_slug: found.slug.clone(),
        module_title: found.title.clone(),
        module_summary: found.summary.clone(),
        module_version: found.version,
        criteria: rule.describe(pass_mark),
        cpd_hours: found.cpd_hours,
        alignments: super::catalogue::resolve_alignments(found, frameworks)?,
        score: score.zip(pass_mark),
        issued_at: Utc::now(),
        status_index,
    };
    let built = credential::build(issuer, &facts);
    store(
        txn,
        issuer,
        NewRecord {
            id: &facts.id,
            account_id,
            earned_for: EarnedFor::Module {
                id: found.id,
                version: found.version,
            },
            status_index: facts.status_index,
            issued_at: facts.issued_at,
        },
        &built,
    )
    .await
}

/// What is stored beside a new record's credential: the facts it was built from that the table indexes.
pub(crate) struct NewRecord<'a> {
    pub id: &'a str,
    pub account_id: i32,
    pub earned_for: EarnedFor<'a>,
    /// Its bit in its kind's status list.
    pub status_index: i32,
    pub issued_at: chrono::DateTime<Utc>,
}

/// Signs a credential just built and stores it as the learner's record, inside the caller's transaction.
pub(crate) async fn store<C: ConnectionTrait>(
    txn: &C,
    issuer: &Issuer,
    new: NewRecord<'_>,
    built: &AchievementCredential,
) -> Result<completion_record::Model, AppError> {
    let body = built
        .to_value()
        .map_err(|e| internal("serialising a record", e))?;
    let token = jwt::sign(issuer, &body).map_err(|e| internal("signing a record", e))?;
    let (module_id, module_version, pathway_slug) = match new.earned_for {
        EarnedFor::Module { id, version } => (Some(id), Some(version), None),
        EarnedFor::Pathway { slug } => (None, None, Some(slug.to_owned())),
    };
    Ok(completion_record::ActiveModel {
        id: Set(new.id.to_owned()),
        account_id: Set(new.account_id),
        module_id: Set(module_id),
        module_version: Set(module_version),
        pathway_slug: Set(pathway_slug),
        status_index: Set(new.status_index),
        credential: Set(body.to_string()),
        jwt: Set(token),
        kid: Set(issuer.kid.clone()),
        issued_at: Set(new.issued_at),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        revoked_by: Set(None),
        withdrawn_at: Set(None),
    }
    .insert(txn)
    .await?)
}

/// A record's stored credential, read back as the typed credential it was issued as. A credential that does
/// not read back is a fault on our side, logged with the record's id, never shown as empty facts.
fn issued_credential(record: &completion_record::Model) -> Result<AchievementCredential, AppError> {
    serde_json::from_str(&record.credential).map_err(|e| {
        internal(
            &format!("reading the stored credential of record {}", record.id),
            e,
        )
    })
}

/// The one thing read from a presented credential before it is compared with ours: the id it claims.
#[derive(Deserialize)]
struct ClaimedId {
    id: String,
}

/// Every published issuer key.
pub async fn published_keys(db: &DatabaseConnection) -> Result<Vec<Jwk>, AppError> {
    let set = issuer::jwk_set(db).await?;
    serde_json::from_value(set["keys"].clone()).map_err(|e| internal("reading published keys", e))
}

/// A record as issued, for its downloads. A withdrawn record has nothing left to download.
pub async fn find_record(
    db: &DatabaseConnection,
    id: &str,
) -> Result<completion_record::Model, AppError> {
    let record = completion_record::Entity::find_by_id(id.trim().to_owned())
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("The record".to_owned()))?;
    if record.withdrawn_at.is_some() {
        return Err(AppError::Withdrawn);
    }
    Ok(record)
}

fn verification(
    record: &completion_record::Model,
    presented: Option<&Value>,
    keys: &[Jwk],
) -> Verification {
    if let Some(withdrawn) = record.withdrawn_at {
        let on = withdrawn.format("%Y-%m-%d").to_string();
        return Verification {
            valid: false,
            signature_valid: false,
            matches_issued: false,
            revoked: false,
            revoked_at: None,
            problems: vec![format!("the record was withdrawn by its holder on {on}")],
            withdrawn_on: Some(on),
        };
    }
    let mut problems = Vec::new();
    let issued: Value = serde_json::from_str(&record.credential).unwrap_or(Value::Null);
    let signature_valid = match jwt::verify(&record.jwt, keys) {
        Ok(payload) => payload == issued,
        Err(e) => {
            problems.push(e.to_string());
            false
        }
    };
    let matches_issued = presented.is_none_or(|p| *p == issued);
    if !matches_issued {
        problems.push(
            "the record presented differs from the one we issued: it has been altered".to_owned(),
        );
    }
    let revoked_at = record
        .revoked_at
        .map(|at| at.format("%Y-%m-%d").to_string());
    // The reason is private (it may name a person or a mistake); verifiers learn only that and when.
    if let Some(on) = &revoked_at {
        problems.push(format!("the record was revoked by its issuer on {on}"));
    }
    Verification {
        valid: signature_valid && matches_issued && revoked_at.is_none(),
        signature_valid,
        matches_issued,
        revoked: revoked_at.is_some(),
        revoked_at,
        problems,
        withdrawn_on: None,
    }
}

/// The module records a pathway record rests on, in order, each with its standing now (none for a module
/// record).
async fn basis_of(
    db: &DatabaseConnection,
    record: &completion_record::Model,
) -> Result<Vec<BasisView>, AppError> {
    if record.pathway_slug.is_none() || record.withdrawn_at.is_some() {
        return Ok(Vec::new());
    }
    let links = record_basis::Entity::find()
        .filter(record_basis::Column::RecordId.eq(&record.id))
        .order_by_asc(record_basis::Column::Position)
        .all(db)
        .await?;
    let mut found: HashMap<String, completion_record::Model> = completion_record::Entity::find()
        .filter(
            completion_record::Column::Id.is_in(links.iter().map(|l| l.module_record_id.clone())),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    links
        .into_iter()
        .map(|link| {
            let basis = found.remove(&link.module_record_id).ok_or_else(|| {
                internal(
                    &format!("reading the basis of record {}", record.id),
                    format!("module record {} is not there", link.module_record_id),
                )
            })?;
            let title = issued_credential(&basis)?
                .credential_subject
                .achievement
                .name;
            Ok(BasisView {
                module_title: title,
                module_version: basis.module_version.unwrap_or_default(),
                issued_on: basis.issued_at.format("%Y-%m-%d").to_string(),
                revoked_on: basis.revoked_at.map(|at| at.format("%Y-%m-%d").to_string()),
                id: basis.id,
            })
        })
        .collect()
}

/// The verdict on a record, and for a pathway record its module records: a pathway record whose module
/// record was revoked is not valid, as the completion it vouches for is no longer vouched for.
async fn judge(
    db: &DatabaseConnection,
    record: &completion_record::Model,
    presented: Option<&Value>,
    keys: &[Jwk],
) -> Result<(Verification, Vec<BasisView>), AppError> {
    let mut verdict = verification(record, presented, keys);
    let basis = basis_of(db, record).await?;
    for module_record in &basis {
        if let Some(on) = &module_record.revoked_on {
            verdict.valid = false;
            verdict.problems.push(format!(
                "the record for the module {} that it rests on was revoked by its issuer on {on}",
                module_record.module_title
            ));
        }
    }
    Ok((verdict, basis))
}

/// Checks a record someone presents: a VC-JWT (checked against our published keys) or the credential JSON
/// (compared with what we issued). Returns the verdict and the record's id when it names one of ours.
pub async fn verify_presented(
    db: &DatabaseConnection,
    presented: &str,
) -> Result<(Verification, Option<String>), AppError> {
    let presented = presented.trim();
    let keys = published_keys(db).await?;
    let not_ours = |problem: String| Verification {
        valid: false,
        signature_valid: false,
        matches_issued: false,
        revoked: false,
        revoked_at: None,
        problems: vec![problem],
        withdrawn_on: None,
    };
    let (payload, signature_problem) = if presented.starts_with('{') {
        match serde_json::from_str::<Value>(presented) {
            Ok(value) => (value, None),
            Err(e) => return Ok((not_ours(format!("the file is not valid JSON: {e}")), None)),
        }
    } else {
        match jwt::verify(presented, &keys) {
            Ok(payload) => (payload, None),
            Err(e) => {
                // Still find the record it claims to be, so the verdict can say which record was altered.
                let claimed = presented
                    .split('.')
                    .nth(1)
                    .and_then(|p| {
                        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, p)
                            .ok()
                    })
                    .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
                    .unwrap_or(Value::Null);
                (claimed, Some(e.to_string()))
            }
        }
    };
    // Only an object can claim an id (serde would also read a struct from a JSON array).
    let claimed = if payload.is_object() {
        ClaimedId::deserialize(&payload).ok()
    } else {
        None
    };
    let Some(id) = claimed
        .as_ref()
        .and_then(|claimed| claimed.id.strip_prefix("urn:uuid:"))
    else {
        return Ok((
            not_ours("the record does not carry an Informatics Academy record id".to_owned()),
            None,
        ));
    };
    let Some(record) = completion_record::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
    else {
        return Ok((
            not_ours(format!("no record with id {id} was issued by us")),
            None,
        ));
    };
    let (mut verdict, _) = judge(db, &record, Some(&payload), &keys).await?;
    if let Some(problem) = signature_problem {
        verdict.valid = false;
        verdict.signature_valid = false;
        verdict.problems.insert(0, problem);
    }
    Ok((verdict, Some(record.id)))
}

/// The public page of a record.
pub async fn record_view(
    db: &DatabaseConnection,
    issuer: &Issuer,
    id: &str,
    viewer: Option<&account::Model>,
) -> Result<RecordView, AppError> {
    let record = completion_record::Entity::find_by_id(id.trim().to_owned())
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("The record".to_owned()))?;
    let kind = if record.pathway_slug.is_some() {
        RecordKind::Pathway
    } else {
        RecordKind::Module
    };
    if record.withdrawn_at.is_some() {
        // Nothing about the holder or what they earned is shown: only that the record was withdrawn.
        return Ok(RecordView {
            verification: verification(&record, None, &[]),
            id: record.id,
            learner_name: String::new(),
            kind,
            module_slug: String::new(),
            module_title: String::new(),
            module_version: None,
            issued_on: String::new(),
            criteria: String::new(),
            score: None,
            cpd_hours: None,
            alignments: Vec::new(),
            basis: Vec::new(),
            issuer_name: issuer.name.clone(),
            record_url: String::new(),
            qr_svg: String::new(),
            can_revoke: false,
            can_reinstate: false,
            revoked_reason: None,
            is_owner: false,
        });
    }
    let keys = published_keys(db).await?;
    let issued = issued_credential(&record)?;
    let subject = &issued.credential_subject;
    let achievement = &subject.achievement;
    let learner_name = subject.learner_name().unwrap_or_default().to_owned();
    let earned_for = earned_for(&record)?;
    let (slug, owner) = match earned_for {
        EarnedFor::Module { id, .. } => {
            let found = module::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| AppError::NotFound("The record's module".to_owned()))?;
            (found.slug, found.owner_id)
        }
        EarnedFor::Pathway { slug } => (slug.to_owned(), None),
    };
    let record_url = issuer.record_url(&record.id);
    let qr_svg = qrcode::QrCode::new(record_url.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color>()
                .min_dimensions(160, 160)
                .build()
        })
        .unwrap_or_default();
    let may_manage = viewer.is_some_and(|v| may_manage_record(v, earned_for, owner));
    let is_owner = viewer.is_some_and(|v| v.id == record.account_id);
    let (verification, basis) = judge(db, &record, None, &keys).await?;
    Ok(RecordView {
        verification,
        id: record.id.clone(),
        learner_name,
        kind,
        module_slug: slug,
        module_title: achievement.name.clone(),
        module_version: record.module_version,
        issued_on: record.issued_at.format("%Y-%m-%d").to_string(),
        criteria: achievement.criteria.narrative.clone(),
        score: subject.score(),
        cpd_hours: subject.credits_earned,
        alignments: achievement
            .alignment
            .iter()
            .map(AlignmentView::from)
            .collect(),
        basis,
        issuer_name: issuer.name.clone(),
        record_url,
        qr_svg,
        can_revoke: may_manage && record.revoked_at.is_none(),
        can_reinstate: may_manage && record.revoked_at.is_some(),
        revoked_reason: if may_manage || is_owner {
            record.revoked_reason.clone()
        } else {
            None
        },
        is_owner,
    })
}

/// What a stored record was earned for; a row that names neither (or both) is a fault on our side.
fn earned_for(record: &completion_record::Model) -> Result<EarnedFor<'_>, AppError> {
    record.earned_for().ok_or_else(|| {
        internal(
            &format!("reading record {}", record.id),
            "it names neither one module nor one pathway",
        )
    })
}

/// Who may revoke or reinstate a record: an admin; for a module record, also the course lead who owns the
/// module (`owner`). A lead with no tie to the module may not touch the records it issued, and a pathway,
/// which is the whole site's curriculum, has no owner but the admins.
fn may_manage_record(
    actor: &account::Model,
    earned_for: EarnedFor<'_>,
    owner: Option<i32>,
) -> bool {
    match actor.role {
        Role::Admin => true,
        // Still a course lead: a lead demoted to learner keeps no power over the module's records.
        Role::CourseLead => {
            matches!(earned_for, EarnedFor::Module { .. }) && owner == Some(actor.id)
        }
        Role::Learner => false,
    }
}

/// The record, after checking that `actor` may change its status.
async fn record_to_manage(
    db: &DatabaseConnection,
    actor: &account::Model,
    id: &str,
) -> Result<completion_record::Model, AppError> {
    let record = find_record(db, id).await?;
    let earned_for = earned_for(&record)?;
    let owner = match earned_for {
        EarnedFor::Module { id, .. } => {
            module::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| AppError::NotFound("The record's module".to_owned()))?
                .owner_id
        }
        EarnedFor::Pathway { .. } => None,
    };
    if may_manage_record(actor, earned_for, owner) {
        Ok(record)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Revokes a record (an admin, or the module's owner for a module record). The reason is kept for the learner, the module's owner
/// and admins, and in the audit log; the public page and the status list say only that it was revoked, and
/// when.
pub async fn revoke(
    db: &DatabaseConnection,
    actor: &account::Model,
    id: &str,
    reason: &str,
) -> Result<(), AppError> {
    let record = record_to_manage(db, actor, id).await?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid(
            "reason",
            "Enter the reason for revoking this record.",
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::invalid(
            "reason",
            format!("The reason must be {MAX_REASON_CHARS} characters or fewer."),
        ));
    }
    if record.revoked_at.is_some() {
        return Err(AppError::Conflict(
            "This record has already been revoked.".to_owned(),
        ));
    }
    let mut active: completion_record::ActiveModel = record.into();
    active.revoked_at = Set(Some(Utc::now()));
    active.revoked_reason = Set(Some(reason.to_owned()));
    active.revoked_by = Set(Some(actor.id));
    let txn = db.begin().await?;
    let revoked = active.update(&txn).await?;
    super::audit::record(
        &txn,
        Some(actor.id),
        "record.revoked",
        &format!("record:{}", revoked.id),
        serde_json::json!({ "reason": reason }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Reverses a revocation (the same people who may revoke): the record is valid again and leaves the status
/// list. Audited with the reason the revocation had, so the history stays complete.
pub async fn reinstate(
    db: &DatabaseConnection,
    actor: &account::Model,
    id: &str,
) -> Result<(), AppError> {
    let record = record_to_manage(db, actor, id).await?;
    let Some(revoked_at) = record.revoked_at else {
        return Err(AppError::Conflict("This record is not revoked.".to_owned()));
    };
    let earlier_reason = record.revoked_reason.clone();
    let mut active: completion_record::ActiveModel = record.into();
    active.revoked_at = Set(None);
    active.revoked_reason = Set(None);
    active.revoked_by = Set(None);
    let txn = db.begin().await?;
    let reinstated = active.update(&txn).await?;
    super::audit::record(
        &txn,
        Some(actor.id),
        "record.reinstated",
        &format!("record:{}", reinstated.id),
        serde_json::json!({
            "revoked_at": revoked_at.to_rfc3339(),
            "revoked_reason": earlier_reason,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The longest revocation reason accepted: a sentence or two for the learner, not a case file.
pub const MAX_REASON_CHARS: usize = 500;

/// A kind of record's revocation status list as a signed BitstringStatusListCredential (JSON body and
/// VC-JWT).
pub async fn status_list(
    db: &DatabaseConnection,
    issuer: &Issuer,
    list: StatusList,
) -> Result<(Value, String), AppError> {
    let revoked_here = completion_record::Column::RevokedAt.is_not_null();
    let revoked = match list {
        StatusList::Modules => Condition::all()
            .add(completion_record::Column::PathwaySlug.is_null())
            .add(revoked_here),
        // A pathway record also counts as revoked while a module record it rests on is, so a verifier
        // that reads only the list learns it too; reinstating that module record clears the bit.
        StatusList::Pathways => Condition::all()
            .add(completion_record::Column::PathwaySlug.is_not_null())
            .add(
                Condition::any().add(revoked_here).add(
                    completion_record::Column::Id.in_subquery(
                        Query::select()
                            .column(record_basis::Column::RecordId)
                            .from(record_basis::Entity)
                            .and_where(
                                record_basis::Column::ModuleRecordId.in_subquery(
                                    Query::select()
                                        .column(completion_record::Column::Id)
                                        .from(completion_record::Entity)
                                        .and_where(
                                            completion_record::Column::RevokedAt.is_not_null(),
                                        )
                                        .to_owned(),
                                ),
                            )
                            .to_owned(),
                    ),
                ),
            ),
    };
    let revoked: Vec<i32> = completion_record::Entity::find()
        .select_only()
        .column(completion_record::Column::StatusIndex)
        .filter(revoked)
        .into_tuple()
        .all(db)
        .await?;
    let indices: Vec<usize> = revoked
        .into_iter()
        .filter_map(|i| usize::try_from(i).ok())
        .collect();
    let encoded =
        status_list::encode(&indices).map_err(|e| internal("encoding the status list", e))?;
    let body = serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": issuer.status_list_url(list),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.profile_id(),
        "validFrom": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "credentialSubject": {
            "id": format!("{}#list", issuer.status_list_url(list)),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
    });
    let token = jwt::sign(issuer, &body).map_err(|e| internal("signing the status list", e))?;
    Ok((body, token))
}

/// A record in the learner's list: a module record by its module's title and CPD hours now, a pathway
/// record by the title it states (a withdrawn one states nothing: its slug).
fn summary(
    record: &completion_record::Model,
    credential: Option<&AchievementCredential>,
    modules: &HashMap<i32, (String, f64)>,
) -> RecordSummary {
    let (kind, title, cpd_hours) = match (record.module_id, &record.pathway_slug) {
        (Some(module_id), _) => {
            let (title, cpd) = modules.get(&module_id).cloned().unwrap_or_default();
            (RecordKind::Module, title, Some(cpd))
        }
        (None, slug) => (
            RecordKind::Pathway,
            credential.map_or_else(
                || slug.clone().unwrap_or_default(),
                |c| c.credential_subject.achievement.name.clone(),
            ),
            None,
        ),
    };
    RecordSummary {
        id: record.id.clone(),
        kind,
        module_title: title,
        module_version: record.module_version,
        issued_on: record.issued_at.format("%Y-%m-%d").to_string(),
        cpd_hours,
        revoked: record.revoked_at.is_some(),
    }
}

/// The learner's records, evidence per framework competency, and CPD hours (revoked records excluded; a
/// pathway record adds no hours of its own, its modules' records carry them).
pub async fn portfolio(
    db: &DatabaseConnection,
    frameworks: &[Framework],
    learner: &account::Model,
) -> Result<Portfolio, AppError> {
    let records = completion_record::Entity::find()
        .filter(completion_record::Column::AccountId.eq(learner.id))
        .order_by_asc(completion_record::Column::IssuedAt)
        .all(db)
        .await?;
    let module_ids: Vec<i32> = records.iter().filter_map(|r| r.module_id).collect();
    let modules: HashMap<i32, (String, f64)> = module::Entity::find()
        .select_only()
        .column(module::Column::Id)
        .column(module::Column::Title)
        .column(module::Column::CpdHours)
        .filter(module::Column::Id.is_in(module_ids))
        .into_tuple::<(i32, String, f64)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, title, cpd)| (id, (title, cpd)))
        .collect();
    // Alignments as issued in each record's credential, so evidence matches what employers can verify.
    let mut evidence: HashMap<(String, String), Vec<RecordSummary>> = HashMap::new();
    let mut total_cpd_hours = 0.0;
    let mut summaries = Vec::new();
    for record in &records {
        let live = record.revoked_at.is_none() && record.withdrawn_at.is_none();
        // Read only where it is used: a live record's alignments and hours, a pathway record's title. A
        // withdrawn record's credential was deleted with its holder's account: it states nothing.
        let issued = if record.withdrawn_at.is_none() && (live || record.pathway_slug.is_some()) {
            Some(issued_credential(record)?)
        } else {
            None
        };
        let entry = summary(record, issued.as_ref(), &modules);
        if let Some(issued) = issued.as_ref().filter(|_| live) {
            let subject = &issued.credential_subject;
            total_cpd_hours += subject.credits_earned.unwrap_or_default();
            for a in &subject.achievement.alignment {
                let key = (a.target_framework.clone(), a.target_code.clone());
                evidence.entry(key).or_default().push(entry.clone());
            }
        }
        summaries.push(entry);
    }
    let frameworks = frameworks
        .iter()
        .map(|f| FrameworkEvidence {
            id: f.id.clone(),
            name: f.name.clone(),
            url: f.url.clone(),
            competencies: f
                .competencies
                .iter()
                .map(|c| CompetencyEvidence {
                    code: c.code.clone(),
                    name: c.name.clone(),
                    records: evidence
                        .get(&(f.name.clone(), c.code.clone()))
                        .cloned()
                        .unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    Ok(Portfolio {
        learner_name: learner.display_name.clone(),
        records: summaries,
        frameworks,
        total_cpd_hours,
    })
}

/// Portfolio evidence as CSV (one row per competency with evidence), for appraisal or FEDIP applications.
///
/// # Errors
///
/// [`AppError::Internal`] if the CSV cannot be written (see [`crate::ssr::csv::to_csv`]).
pub fn portfolio_csv(portfolio: &Portfolio) -> Result<String, AppError> {
    let mut rows = Vec::new();
    for framework in &portfolio.frameworks {
        for competency in &framework.competencies {
            for record in &competency.records {
                rows.push(vec![
                    framework.name.clone(),
                    competency.code.clone(),
                    competency.name.clone(),
                    record.module_title.clone(),
                    record
                        .module_version
                        .map(|v| v.to_string())
                        .unwrap_or_default(),
                    record.issued_on.clone(),
                    record.id.clone(),
                    record.cpd_hours.map(|h| h.to_string()).unwrap_or_default(),
                ]);
            }
        }
    }
    crate::ssr::csv::to_csv(
        &[
            "framework",
            "competency_code",
            "competency_name",
            "module",
            "module_version",
            "issued_on",
            "record_id",
            "cpd_hours",
        ],
        rows,
    )
}
