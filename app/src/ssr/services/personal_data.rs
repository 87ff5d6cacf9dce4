//! A learner's rights over their data (UK GDPR articles 15 to 17 and 20): a copy of everything held about
//! them in one archive, erasure of their account, and the retention limit an operator may set.
//!
//! Erasure keeps what others rely on without keeping the person: the account row stays as an anonymous
//! tombstone (so audit entries still name an account id, and nothing else), completion records are withdrawn
//! (their public pages say only that, the status list is untouched, and the signed files the learner
//! downloaded still verify offline against the published keys), and everything else is deleted.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::passwords::verify_password;
use super::{audit, sessions};
use crate::error::AppError;
use crate::model::accounts::Role;
use crate::ssr::csv::to_csv;
use crate::ssr::entities::{
    account, account_identity, account_token, audit_event, cohort, cohort_lead, cohort_member,
    completion_record, enrolment, identity_provider, lesson_progress, lti_account, lti_course,
    lti_course_teacher, lti_erased_subject, lti_platform, mail_outbox, module, module_completion,
    pathway_completion, quiz_attempt, record_basis, self_assessment, session, xapi_outbox,
    xapi_statement,
};
use crate::ssr::error::internal;
use crate::ssr::error::stored_json;

fn at(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Everything the academy holds about one account, gathered for the export.
#[derive(Serialize)]
struct Everything {
    profile: Value,
    enrolments: Vec<Value>,
    lesson_progress: Vec<Value>,
    quiz_attempts: Vec<Value>,
    module_completions: Vec<Value>,
    pathway_completions: Vec<Value>,
    completion_records: Vec<Value>,
    cohort_memberships: Vec<Value>,
    cohorts_led: Vec<Value>,
    vle_courses_taught: Vec<Value>,
    self_assessments: Vec<Value>,
    organisation_sign_ins: Vec<Value>,
    sessions: Vec<Value>,
    xapi_statements: Vec<Value>,
    audit_events: Vec<Value>,
}

const README: &str = "Your data from Informatics Academy\n\n\
Everything the academy holds about your account, as JSON (data.json, all of it in one file) and as CSV\n\
(one file per kind of data, for a spreadsheet). Records are also included as the signed files you can\n\
show an employer (records/<id>.jwt); each verifies against the issuer's published keys.\n\n\
profile: your account as stored (your password is stored only as a one-way hash and is not included)\n\
enrolments, lesson_progress: the modules you enrolled in and the lessons you completed, with the version\n\
quiz_attempts: every answer you submitted, with its score\n\
module_completions, pathway_completions, completion_records: the modules and pathways you completed and\n\
the records issued (a pathway record names the module records it rests on)\n\
cohort_memberships: cohorts you joined, or a VLE course's roster added you to\n\
cohorts_led: cohorts you lead because a VLE course's roster names you as its instructor\n\
vle_courses_taught: VLE courses you opened the academy from as their teacher\n\
self_assessments: each self-assessment you took, with your ratings (1 new to this, 4 could teach it)\n\
organisation_sign_ins: the organisations and VLEs you sign in or launch from, and the identifier each gave\n\
the academy\n\
sessions: where your account is signed in\n\
xapi_statements: your learning events as xAPI statements\n\
audit_events: security and account events about your account or done by you\n";

/// Gathers the account's data.
async fn gather(db: &DatabaseConnection, account: &account::Model) -> Result<Everything, AppError> {
    let id = account.id;
    let titles: HashMap<i32, String> = module::Entity::find()
        .select_only()
        .column(module::Column::Id)
        .column(module::Column::Slug)
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let slug = |module_id: i32| titles.get(&module_id).cloned().unwrap_or_default();
    let enrolments = enrolment::Entity::find()
        .filter(enrolment::Column::AccountId.eq(id))
        .order_by_asc(enrolment::Column::EnrolledAt)
        .all(db)
        .await?
        .into_iter()
        .map(|e| json!({ "module": slug(e.module_id), "enrolled_at": at(e.enrolled_at) }))
        .collect();
    let lesson_progress = lesson_progress::Entity::find()
        .filter(lesson_progress::Column::AccountId.eq(id))
        .order_by_asc(lesson_progress::Column::CompletedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|p| {
            json!({
                "module": slug(p.module_id), "lesson": p.lesson_slug,
                "module_version": p.module_version, "completed_at": at(p.completed_at),
            })
        })
        .collect();
    let quiz_attempts = quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::AccountId.eq(id))
        .order_by_asc(quiz_attempt::Column::SubmittedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|a| {
            let answers: Value = stored_json("quiz_attempt", a.id, "answers", &a.answers)?;
            Ok(json!({
                "module": slug(a.module_id), "scope": a.scope.to_string(), "module_version": a.module_version,
                "attempt_number": a.attempt_number, "answers": answers, "correct": a.correct,
                "total": a.total, "score": a.score, "passed": a.passed, "submitted_at": at(a.submitted_at),
            }))
        })
        .collect::<Result<_, AppError>>()?;
    let module_completions = module_completion::Entity::find()
        .filter(module_completion::Column::AccountId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| json!({ "module": slug(c.module_id), "module_version": c.module_version, "completed_at": at(c.completed_at) }))
        .collect();
    let pathway_completions = pathway_completion::Entity::find()
        .filter(pathway_completion::Column::AccountId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| json!({ "pathway": c.pathway_slug, "completed_at": at(c.completed_at) }))
        .collect();
    // Each pathway record's module records, in order.
    let mut basis: HashMap<String, Vec<String>> = HashMap::new();
    for link in record_basis::Entity::find()
        .inner_join(completion_record::Entity)
        .filter(completion_record::Column::AccountId.eq(id))
        .order_by_asc(record_basis::Column::Position)
        .all(db)
        .await?
    {
        basis
            .entry(link.record_id)
            .or_default()
            .push(link.module_record_id);
    }
    let completion_records = completion_record::Entity::find()
        .filter(completion_record::Column::AccountId.eq(id))
        .order_by_asc(completion_record::Column::IssuedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|r| {
            let credential: Value =
                stored_json("completion_record", &r.id, "credential", &r.credential)?;
            let basis = basis.get(&r.id).cloned().unwrap_or_default();
            Ok(json!({
                "id": r.id, "module": r.module_id.map(slug), "module_version": r.module_version,
                "pathway": r.pathway_slug, "rests_on_records": basis,
                "issued_at": at(r.issued_at), "revoked_at": r.revoked_at.map(at),
                "revoked_reason": r.revoked_reason, "credential": credential, "jwt": r.jwt,
            }))
        })
        .collect::<Result<_, AppError>>()?;
    let memberships = cohort_member::Entity::find()
        .filter(cohort_member::Column::AccountId.eq(id))
        .all(db)
        .await?;
    let cohort_names: HashMap<i32, String> = cohort::Entity::find()
        .filter(cohort::Column::Id.is_in(memberships.iter().map(|m| m.cohort_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let cohort_memberships = memberships
        .into_iter()
        .map(|m| {
            json!({
                "cohort": cohort_names.get(&m.cohort_id), "joined_at": at(m.joined_at),
                "added_by_vle_roster": m.from_course_id.is_some(),
            })
        })
        .collect();
    let leads = cohort_lead::Entity::find()
        .filter(cohort_lead::Column::AccountId.eq(id))
        .find_also_related(cohort::Entity)
        .all(db)
        .await?;
    let cohorts_led = leads
        .into_iter()
        .map(|(l, c)| json!({ "cohort": c.map(|c| c.name), "since": at(l.added_at) }))
        .collect();
    let taught = lti_course_teacher::Entity::find()
        .filter(lti_course_teacher::Column::AccountId.eq(id))
        .all(db)
        .await?;
    let course_titles: HashMap<i32, String> = lti_course::Entity::find()
        .filter(lti_course::Column::Id.is_in(taught.iter().map(|t| t.course_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.title))
        .collect();
    let self_assessments = self_assessment::Entity::find()
        .filter(self_assessment::Column::AccountId.eq(id))
        .order_by_asc(self_assessment::Column::TakenAt)
        .all(db)
        .await?
        .into_iter()
        .map(|a| {
            json!({
                "taken_at": at(a.taken_at),
                "ratings": serde_json::from_str::<Value>(&a.ratings).unwrap_or(Value::Null),
            })
        })
        .collect();
    let vle_courses_taught = taught
        .into_iter()
        .map(|t| {
            json!({
                "course": course_titles.get(&t.course_id),
                "last_launched_at": at(t.last_launch_at),
            })
        })
        .collect();
    let links = account_identity::Entity::find()
        .filter(account_identity::Column::AccountId.eq(id))
        .find_also_related(identity_provider::Entity)
        .all(db)
        .await?;
    let vle_links = lti_account::Entity::find()
        .filter(lti_account::Column::AccountId.eq(id))
        .find_also_related(lti_platform::Entity)
        .all(db)
        .await?;
    let organisation_sign_ins = links
        .into_iter()
        .map(|(link, provider)| {
            json!({
                "organisation": provider.map(|p| p.display_name), "subject": link.subject,
                "linked_at": at(link.linked_at), "last_used_at": at(link.last_used_at),
            })
        })
        .chain(vle_links.into_iter().map(|(link, platform)| {
            json!({
                "organisation": platform.map(|p| p.name), "subject": link.subject,
                "linked_at": at(link.linked_at), "last_used_at": at(link.last_launch_at),
            })
        }))
        .collect();
    let sessions = session::Entity::find()
        .filter(session::Column::AccountId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| {
            json!({
                "browser": s.user_agent, "signed_in_at": s.signed_in_at.map(at),
                "last_seen_at": s.last_seen_at.map(at), "expires_at": at(s.expires_at),
            })
        })
        .collect();
    let xapi_statements = xapi_statement::Entity::find()
        .filter(xapi_statement::Column::AccountId.eq(id))
        .order_by_asc(xapi_statement::Column::Timestamp)
        .all(db)
        .await?
        .into_iter()
        .map(|s| stored_json("xapi_statement", &s.id, "statement", &s.statement))
        .collect::<Result<_, AppError>>()?;
    let subject = format!("account:{id}");
    let audit_events = audit_event::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(audit_event::Column::ActorId.eq(id))
                .add(audit_event::Column::Subject.eq(subject)),
        )
        .order_by_asc(audit_event::Column::At)
        .all(db)
        .await?
        .into_iter()
        .map(|e| json!({ "action": e.action, "subject": e.subject, "at": at(e.at) }))
        .collect();
    Ok(Everything {
        profile: json!({
            "id": account.id, "email": account.email, "display_name": account.display_name,
            "role": account.role.as_str(), "created_at": at(account.created_at),
            "email_verified_at": account.email_verified_at.map(at),
        }),
        enrolments,
        lesson_progress,
        quiz_attempts,
        module_completions,
        pathway_completions,
        completion_records,
        cohort_memberships,
        cohorts_led,
        vle_courses_taught,
        self_assessments,
        organisation_sign_ins,
        sessions,
        xapi_statements,
        audit_events,
    })
}

/// The CSV files: one per kind of data, the columns of its JSON objects (nested values as JSON text).
fn tables(everything: &Everything) -> Result<Vec<(&'static str, String)>, AppError> {
    let table = |name: &'static str, rows: &[Value]| -> Result<(&'static str, String), AppError> {
        let mut header: Vec<String> = Vec::new();
        for row in rows {
            for key in row.as_object().into_iter().flat_map(|o| o.keys()) {
                if !header.contains(key) {
                    header.push(key.clone());
                }
            }
        }
        let text = |v: &Value| match v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let body = to_csv(
            &header.iter().map(String::as_str).collect::<Vec<_>>(),
            rows.iter().map(|row| {
                header
                    .iter()
                    .map(|k| text(&row[k.as_str()]))
                    .collect::<Vec<String>>()
            }),
        )?;
        Ok((name, body))
    };
    Ok(vec![
        table("profile.csv", std::slice::from_ref(&everything.profile))?,
        table("enrolments.csv", &everything.enrolments)?,
        table("lesson_progress.csv", &everything.lesson_progress)?,
        table("quiz_attempts.csv", &everything.quiz_attempts)?,
        table("module_completions.csv", &everything.module_completions)?,
        table("pathway_completions.csv", &everything.pathway_completions)?,
        table("completion_records.csv", &everything.completion_records)?,
        table("cohort_memberships.csv", &everything.cohort_memberships)?,
        table("cohorts_led.csv", &everything.cohorts_led)?,
        table("vle_courses_taught.csv", &everything.vle_courses_taught)?,
        table("self_assessments.csv", &everything.self_assessments)?,
        table(
            "organisation_sign_ins.csv",
            &everything.organisation_sign_ins,
        )?,
        table("sessions.csv", &everything.sessions)?,
        table("audit_events.csv", &everything.audit_events)?,
    ])
}

/// Everything held about `account` as one zip: `data.json`, a CSV per kind of data, the signed records, and
/// a README saying what each file is.
pub async fn export(
    db: &DatabaseConnection,
    account: &account::Model,
) -> Result<Vec<u8>, AppError> {
    let everything = gather(db, account).await?;
    // Compressing is CPU work: off the async runtime, so a large export never stalls other requests.
    let bytes = crate::ssr::blocking::off_the_runtime("writing a data export", move || {
        archive(&everything)
    })
    .await??;
    tracing::info!(account = account.id, "personal data exported");
    Ok(bytes)
}

/// The export's files, compressed into one zip.
fn archive(everything: &Everything) -> Result<Vec<u8>, AppError> {
    let failed = |e: &dyn std::fmt::Display| internal("writing a data export", e.to_string());
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let mut add = |name: &str, bytes: &[u8]| -> Result<(), AppError> {
        zip.start_file(name, options).map_err(|e| failed(&e))?;
        zip.write_all(bytes).map_err(|e| failed(&e))
    };
    add("README.txt", README.as_bytes())?;
    let json = serde_json::to_vec_pretty(everything).map_err(|e| failed(&e))?;
    add("data.json", &json)?;
    for (name, body) in tables(everything)? {
        add(name, body.as_bytes())?;
    }
    add(
        "xapi_statements.json",
        &serde_json::to_vec_pretty(&everything.xapi_statements).map_err(|e| failed(&e))?,
    )?;
    for record in &everything.completion_records {
        if let (Some(id), Some(jwt)) = (record["id"].as_str(), record["jwt"].as_str())
            && !jwt.is_empty()
        {
            add(&format!("records/{id}.jwt"), jwt.as_bytes())?;
        }
    }
    let cursor = zip.finish().map_err(|e| failed(&e))?;
    Ok(cursor.into_inner())
}

/// What an erasure removed, for the confirmation and the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Erasure {
    pub records_withdrawn: u64,
    pub statements_deleted: u64,
    pub attempts_deleted: u64,
}

/// How recently a person without a password must have signed in to erase their account.
pub const RECENT_SIGN_IN_MINUTES: i64 = 15;

/// Erases the account: checks the password, then in one transaction deletes the learner's data everywhere,
/// withdraws their records and leaves an anonymous tombstone. Course leads and admins are refused until an
/// admin makes them learners: their modules and cohorts need a new owner first.
pub async fn erase_account(
    db: &DatabaseConnection,
    account: &account::Model,
    password: &str,
    signed_in_at: Option<DateTime<Utc>>,
) -> Result<Erasure, AppError> {
    if account.role != Role::Learner {
        return Err(AppError::Conflict(
            "Course leads and admins cannot delete their own accounts: their modules and cohorts need a new \
             owner first. Ask an admin to hand them over and make your account a learner account."
                .to_owned(),
        ));
    }
    // An account made by an organisation's sign-in has no password: its holder confirms with its address,
    // in a session their organisation signed in moments ago (someone else at a shared workstation cannot).
    if account.password_hash.is_empty() {
        let recent = signed_in_at
            .is_some_and(|at| Utc::now() - at < chrono::Duration::minutes(RECENT_SIGN_IN_MINUTES));
        if !recent {
            return Err(AppError::invalid(
                "delete_password",
                format!(
                    "For your safety, sign out, sign in again with your organisation, then delete your account \
                     within {RECENT_SIGN_IN_MINUTES} minutes."
                ),
            ));
        }
        if super::accounts::normalise_email(password) != account.email {
            return Err(AppError::invalid(
                "delete_password",
                "Type your email address exactly as it is shown on this page.",
            ));
        }
    } else if !verify_password(password.to_owned(), account.password_hash.clone()).await? {
        return Err(AppError::invalid(
            "delete_password",
            "Your password is not right.",
        ));
    }
    let id = account.id;
    let txn = db.begin().await?;
    // The account is marked first, before any of the learner's data is deleted: a lesson, an attempt, a link
    // issued or used for this learner on another server holds the account until it commits, so this waits for
    // it and the deletes below see what it wrote; one that starts after this waits here and is then refused.
    // Nothing is left behind either way.
    let now = Utc::now();
    let mut tombstone: account::ActiveModel = account.clone().into();
    tombstone.email = Set(format!("erased-{id}@erased.invalid"));
    tombstone.display_name = Set("Erased account".to_owned());
    tombstone.password_hash = Set(String::new());
    tombstone.role = Set(Role::Learner);
    tombstone.email_verified_at = Set(None);
    tombstone.erased_at = Set(Some(now));
    tombstone.update(&txn).await?;
    sessions::end_all(&txn, id, None).await?;
    account_token::Entity::delete_many()
        .filter(account_token::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    // The organisation's and VLEs' identifiers for the person go too: signing in or launching there again
    // makes a new account. With a VLE link go (by the schema's cascade) the activities they launched from
    // and any score still waiting for the VLE's gradebook.
    account_identity::Entity::delete_many()
        .filter(account_identity::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    // A VLE's roster would make the person an account again: it is told, by a digest of its identifier for
    // them, not to.
    let vle_links = lti_account::Entity::find()
        .filter(lti_account::Column::AccountId.eq(id))
        .all(&txn)
        .await?;
    if !vle_links.is_empty() {
        lti_erased_subject::Entity::insert_many(vle_links.iter().map(|link| {
            lti_erased_subject::ActiveModel {
                platform_id: Set(link.platform_id),
                subject_digest: Set(crate::ssr::secrets::digest(&link.subject)),
                erased_at: Set(now),
                ..Default::default()
            }
        }))
        .on_conflict(
            OnConflict::columns([
                lti_erased_subject::Column::PlatformId,
                lti_erased_subject::Column::SubjectDigest,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    lti_account::Entity::delete_many()
        .filter(lti_account::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    // The cohorts they led and the VLE courses they taught.
    cohort_lead::Entity::delete_many()
        .filter(cohort_lead::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    lti_course_teacher::Entity::delete_many()
        .filter(lti_course_teacher::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    self_assessment::Entity::delete_many()
        .filter(self_assessment::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    let statement_ids: Vec<String> = xapi_statement::Entity::find()
        .select_only()
        .column(xapi_statement::Column::Id)
        .filter(xapi_statement::Column::AccountId.eq(id))
        .into_tuple()
        .all(&txn)
        .await?;
    for chunk in statement_ids.chunks(500) {
        xapi_outbox::Entity::delete_many()
            .filter(xapi_outbox::Column::StatementId.is_in(chunk.to_vec()))
            .exec(&txn)
            .await?;
    }
    let statements = xapi_statement::Entity::delete_many()
        .filter(xapi_statement::Column::AccountId.eq(id))
        .exec(&txn)
        .await?
        .rows_affected;
    let attempts = quiz_attempt::Entity::delete_many()
        .filter(quiz_attempt::Column::AccountId.eq(id))
        .exec(&txn)
        .await?
        .rows_affected;
    lesson_progress::Entity::delete_many()
        .filter(lesson_progress::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    enrolment::Entity::delete_many()
        .filter(enrolment::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    module_completion::Entity::delete_many()
        .filter(module_completion::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    pathway_completion::Entity::delete_many()
        .filter(pathway_completion::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    cohort_member::Entity::delete_many()
        .filter(cohort_member::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    mail_outbox::Entity::delete_many()
        .filter(mail_outbox::Column::Recipient.eq(&account.email))
        .exec(&txn)
        .await?;
    let withdrawn = completion_record::Entity::update_many()
        .col_expr(
            completion_record::Column::WithdrawnAt,
            Expr::value(Some(now)),
        )
        .col_expr(completion_record::Column::Credential, Expr::value(""))
        .col_expr(completion_record::Column::Jwt, Expr::value(""))
        .col_expr(
            completion_record::Column::RevokedReason,
            Expr::value(Option::<String>::None),
        )
        .filter(completion_record::Column::AccountId.eq(id))
        .exec(&txn)
        .await?
        .rows_affected;
    let erasure = Erasure {
        records_withdrawn: withdrawn,
        statements_deleted: statements,
        attempts_deleted: attempts,
    };
    audit::record(
        &txn,
        Some(id),
        "account.erased",
        &format!("account:{id}"),
        json!(erasure),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(
        account = id,
        ?erasure,
        "account erased at its holder's request"
    );
    Ok(erasure)
}

/// What one retention round removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub statements_deleted: u64,
    pub attempts_deleted: u64,
}

/// Rows removed per table per round, so a first run on a large database never holds a long lock.
const RETENTION_BATCH: u64 = 1_000;

async fn oldest_ids<C: ConnectionTrait>(
    db: &C,
    cutoff: DateTime<Utc>,
) -> Result<(Vec<String>, Vec<i32>), AppError> {
    let statements = xapi_statement::Entity::find()
        .select_only()
        .column(xapi_statement::Column::Id)
        .filter(xapi_statement::Column::Timestamp.lt(cutoff))
        .order_by_asc(xapi_statement::Column::Timestamp)
        .limit(RETENTION_BATCH)
        .into_tuple()
        .all(db)
        .await?;
    let attempts = quiz_attempt::Entity::find()
        .select_only()
        .column(quiz_attempt::Column::Id)
        .filter(quiz_attempt::Column::SubmittedAt.lt(cutoff))
        .order_by_asc(quiz_attempt::Column::SubmittedAt)
        .limit(RETENTION_BATCH)
        .into_tuple()
        .all(db)
        .await?;
    Ok((statements, attempts))
}

/// Deletes up to a batch of xAPI statements and quiz attempts older than `days` (one transaction per round;
/// call again while it reports deletions). Completions and records are kept: they are the evidence learners
/// were promised.
pub async fn apply_retention(
    db: &DatabaseConnection,
    days: u32,
) -> Result<RetentionReport, AppError> {
    let cutoff = Utc::now() - Duration::days(i64::from(days));
    let txn = db.begin().await?;
    let (statements, attempts) = oldest_ids(&txn, cutoff).await?;
    xapi_outbox::Entity::delete_many()
        .filter(xapi_outbox::Column::StatementId.is_in(statements.clone()))
        .exec(&txn)
        .await?;
    let statements_deleted = xapi_statement::Entity::delete_many()
        .filter(xapi_statement::Column::Id.is_in(statements))
        .exec(&txn)
        .await?
        .rows_affected;
    let attempts_deleted = quiz_attempt::Entity::delete_many()
        .filter(quiz_attempt::Column::Id.is_in(attempts))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    if statements_deleted + attempts_deleted > 0 {
        tracing::info!(
            statements_deleted,
            attempts_deleted,
            days,
            "retention limit applied"
        );
    }
    Ok(RetentionReport {
        statements_deleted,
        attempts_deleted,
    })
}
