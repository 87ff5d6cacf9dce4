//! Learning events as xAPI 1.0.3 statements, for export to a learning record store.
//!
//! Every statement's id is a UUID (version 5) derived from what happened: the learner, the activity and the
//! module version or attempt, in this site's own namespace (see `services::site`). Recording the same event
//! twice therefore stores one statement, a statement can never be sent twice under different ids, and two
//! academies sending to one learning record store never reuse each other's ids.

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap, HashSet};
use uuid::Uuid;

use crate::error::AppError;
use crate::ssr::entities::{
    account, cohort, cohort_member, cohort_module, module, xapi_outbox, xapi_statement,
};
use crate::ssr::error::stored_json;

/// How learners are identified in statements: an opaque account (the default, no personal data leaves the
/// academy) or their email address (`mbox`), for an LRS that must match people across systems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorIdentity {
    Account,
    Mbox,
}

/// The `XAPI_ACTOR` setting's spelling.
impl std::str::FromStr for ActorIdentity {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        match value {
            "account" => Ok(ActorIdentity::Account),
            "mbox" => Ok(ActorIdentity::Mbox),
            other => Err(format!(
                "`{other}` is not an actor identity: use account or mbox"
            )),
        }
    }
}

/// Where statements point (activity IRIs are built from the site's address) and how actors are named.
#[derive(Debug, Clone)]
pub struct XapiSettings {
    pub base_url: String,
    pub actor: ActorIdentity,
    /// Whether new statements are queued for an external learning record store.
    pub forward: bool,
    /// This site's namespace for statement ids, from `services::site::statement_namespace`.
    pub statement_namespace: Uuid,
}

/// Something a learner did that is worth a statement.
#[derive(Debug, Clone)]
pub enum LearningEvent<'a> {
    LessonExperienced {
        slug: &'a str,
        title: &'a str,
    },
    LessonCompleted {
        slug: &'a str,
        title: &'a str,
    },
    QuestionAnswered {
        attempt_id: i32,
        scope: &'a str,
        question_id: &'a str,
        prompt: &'a str,
        correct: bool,
        response: String,
    },
    AssessmentFinished {
        attempt_id: i32,
        passed: bool,
        score: u32,
    },
    ModuleCompleted,
    RecordIssued {
        record_id: &'a str,
    },
}

impl LearningEvent<'_> {
    /// The lesson the event is about, if it is about one.
    pub fn lesson(&self) -> Option<&str> {
        match self {
            LearningEvent::LessonExperienced { slug, .. }
            | LearningEvent::LessonCompleted { slug, .. } => Some(slug),
            LearningEvent::QuestionAnswered { scope, .. }
                if *scope != crate::model::quizzes::ASSESSMENT_SCOPE =>
            {
                Some(scope)
            }
            _ => None,
        }
    }
}

/// The namespace every site made statement ids in before each site had its own. A database that already
/// holds statements keeps it (see `services::site`), so an event recorded before the upgrade keeps its id.
pub const LEGACY_NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2a4e_93b7_4d0e_8a51_c2f4_7e93_1b6d);

/// ADL "experienced": a lesson opened. Also read back to measure time on task.
pub const VERB_EXPERIENCED: &str = "http://adlnet.gov/expapi/verbs/experienced";
const VERB_COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
const VERB_ANSWERED: &str = "http://adlnet.gov/expapi/verbs/answered";
const VERB_PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
const VERB_FAILED: &str = "http://adlnet.gov/expapi/verbs/failed";
/// No ADL verb means "earned a credential"; this is the one the xAPI registry lists for it.
const VERB_EARNED: &str = "http://id.tincanapi.com/verb/earned";

fn activity(id: String, name: &str, kind: &str) -> Value {
    json!({
        "objectType": "Activity",
        "id": id,
        "definition": { "name": { "en-GB": name }, "type": kind },
    })
}

fn actor(settings: &XapiSettings, learner: &account::Model) -> Value {
    match settings.actor {
        ActorIdentity::Account => json!({
            "objectType": "Agent",
            "account": { "homePage": settings.base_url, "name": learner.id.to_string() },
        }),
        ActorIdentity::Mbox => json!({
            "objectType": "Agent",
            "name": learner.display_name,
            "mbox": format!("mailto:{}", learner.email),
        }),
    }
}

/// The first cohort of the learner's that takes this module, for the statement's context.
async fn cohort_for<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    module_id: i32,
) -> Result<Option<cohort::Model>, AppError> {
    Ok(cohorts_for(db, &[(account_id, module_id)])
        .await?
        .remove(&(account_id, module_id)))
}

/// For each (learner, module) pair, the learner's first cohort (lowest id) that takes the module: the
/// context of many learners' statements in two queries, however many pairs there are.
pub async fn cohorts_for<C: ConnectionTrait>(
    db: &C,
    pairs: &[(i32, i32)],
) -> Result<HashMap<(i32, i32), cohort::Model>, AppError> {
    let account_ids: BTreeSet<i32> = pairs.iter().map(|(account, _)| *account).collect();
    let memberships: Vec<(i32, i32)> = cohort_member::Entity::find()
        .select_only()
        .columns([
            cohort_member::Column::AccountId,
            cohort_member::Column::CohortId,
        ])
        .filter(cohort_member::Column::AccountId.is_in(account_ids))
        .into_tuple()
        .all(db)
        .await?;
    if memberships.is_empty() {
        return Ok(HashMap::new());
    }
    let cohort_ids: BTreeSet<i32> = memberships.iter().map(|(_, cohort)| *cohort).collect();
    let module_ids: BTreeSet<i32> = pairs.iter().map(|(_, module)| *module).collect();
    // (cohort, module) → cohort, for the cohorts that take one of these modules.
    let taking: HashMap<(i32, i32), cohort::Model> = cohort_module::Entity::find()
        .filter(cohort_module::Column::CohortId.is_in(cohort_ids))
        .filter(cohort_module::Column::ModuleId.is_in(module_ids))
        .find_also_related(cohort::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(taken, cohort)| Some(((taken.cohort_id, taken.module_id), cohort?)))
        .collect();
    let mut found = HashMap::new();
    for &(account_id, module_id) in pairs {
        let first = memberships
            .iter()
            .filter(|(member, _)| *member == account_id)
            .filter_map(|(_, cohort_id)| taking.get(&(*cohort_id, module_id)))
            .min_by_key(|cohort| cohort.id);
        if let Some(cohort) = first {
            found.insert((account_id, module_id), cohort.clone());
        }
    }
    Ok(found)
}

/// Builds the statement for an event (without storing it); returns (id, verb, object id, statement).
pub fn statement(
    settings: &XapiSettings,
    learner: &account::Model,
    found: &module::Model,
    cohort: Option<&cohort::Model>,
    event: &LearningEvent<'_>,
    now: DateTime<Utc>,
) -> (Uuid, &'static str, Value) {
    let base = &settings.base_url;
    let module_iri = format!("{base}/modules/{}", found.slug);
    let module_activity = activity(
        module_iri.clone(),
        &found.title,
        "http://adlnet.gov/expapi/activities/module",
    );
    let lesson_iri = |slug: &str| format!("{module_iri}/lessons/{slug}");
    let (key, verb, object, result, parent) = match event {
        LearningEvent::LessonExperienced { slug, title } => (
            format!(
                "experienced|{}|{}|{}|{slug}",
                learner.id, found.slug, found.version
            ),
            VERB_EXPERIENCED,
            activity(
                lesson_iri(slug),
                title,
                "http://adlnet.gov/expapi/activities/lesson",
            ),
            None,
            Some(module_activity.clone()),
        ),
        LearningEvent::LessonCompleted { slug, title } => (
            format!(
                "completed|{}|{}|{}|{slug}",
                learner.id, found.slug, found.version
            ),
            VERB_COMPLETED,
            activity(
                lesson_iri(slug),
                title,
                "http://adlnet.gov/expapi/activities/lesson",
            ),
            Some(json!({ "completion": true })),
            Some(module_activity.clone()),
        ),
        LearningEvent::QuestionAnswered {
            attempt_id,
            scope,
            question_id,
            prompt,
            correct,
            response,
        } => {
            let mut question = activity(
                format!("{module_iri}/questions/{question_id}"),
                prompt,
                "http://adlnet.gov/expapi/activities/cmi.interaction",
            );
            question["definition"]["interactionType"] = json!("choice");
            let parent = if *scope == crate::model::quizzes::ASSESSMENT_SCOPE {
                activity(
                    format!("{module_iri}/assessment"),
                    &found.title,
                    "http://adlnet.gov/expapi/activities/assessment",
                )
            } else {
                activity(
                    lesson_iri(scope),
                    &found.title,
                    "http://adlnet.gov/expapi/activities/lesson",
                )
            };
            (
                format!("answered|{attempt_id}|{question_id}"),
                VERB_ANSWERED,
                question,
                Some(json!({ "success": correct, "response": response })),
                Some(parent),
            )
        }
        LearningEvent::AssessmentFinished {
            attempt_id,
            passed,
            score,
        } => (
            format!("assessed|{attempt_id}"),
            if *passed { VERB_PASSED } else { VERB_FAILED },
            activity(
                format!("{module_iri}/assessment"),
                &found.title,
                "http://adlnet.gov/expapi/activities/assessment",
            ),
            Some(
                json!({ "success": passed, "completion": true, "score": { "scaled": f64::from(*score) / 100.0, "raw": score, "min": 0, "max": 100 } }),
            ),
            Some(module_activity.clone()),
        ),
        LearningEvent::ModuleCompleted => (
            format!("module-completed|{}|{}", learner.id, found.slug),
            VERB_COMPLETED,
            module_activity.clone(),
            Some(json!({ "completion": true })),
            None,
        ),
        LearningEvent::RecordIssued { record_id } => (
            format!("record|{record_id}"),
            VERB_EARNED,
            activity(
                format!("{base}/records/{record_id}"),
                &found.title,
                "http://id.tincanapi.com/activitytype/badge",
            ),
            None,
            Some(module_activity.clone()),
        ),
    };
    let id = Uuid::new_v5(&settings.statement_namespace, key.as_bytes());
    let mut context = json!({
        "platform": "Informatics Academy",
        "language": "en-GB",
        "extensions": { format!("{base}/xapi/extensions/module-version"): found.version },
        "contextActivities": {},
    });
    if let Some(parent) = parent {
        context["contextActivities"]["parent"] = json!([parent]);
    }
    if let Some(cohort) = cohort {
        context["contextActivities"]["grouping"] = json!([activity(
            format!("{base}/cohorts/{}", cohort.id),
            &cohort.name,
            "http://id.tincanapi.com/activitytype/group",
        )]);
    }
    let mut statement = json!({
        "id": id.to_string(),
        "actor": actor(settings, learner),
        "verb": { "id": verb, "display": { "en-GB": verb.rsplit('/').next().unwrap_or(verb) } },
        "object": object,
        "context": context,
        "timestamp": now.to_rfc3339_opts(SecondsFormat::Millis, true),
        "version": "1.0.3",
    });
    if let Some(result) = result {
        statement["result"] = result;
    }
    (id, verb, statement)
}

/// Stores the statements for one learning event inside the caller's transaction, so they commit (or not)
/// with the progress, attempt or record they describe. All are written in one batch; a statement recorded
/// before (the same event again) is left as it was, and only new ones are queued for the LRS.
pub async fn store<C: ConnectionTrait>(
    txn: &C,
    settings: &XapiSettings,
    learner: &account::Model,
    found: &module::Model,
    events: &[LearningEvent<'_>],
) -> Result<(), AppError> {
    if events.is_empty() {
        return Ok(());
    }
    let cohort = cohort_for(txn, learner.id, found.id).await?;
    let rows = statement_rows(
        settings,
        learner,
        found,
        cohort.as_ref(),
        events,
        Utc::now(),
    );
    store_rows(txn, settings, rows).await
}

/// The stored rows for one learning event's statements, built in memory, so the rows of many events can
/// be written together by [`store_rows`].
pub fn statement_rows(
    settings: &XapiSettings,
    learner: &account::Model,
    found: &module::Model,
    cohort: Option<&cohort::Model>,
    events: &[LearningEvent<'_>],
    now: DateTime<Utc>,
) -> Vec<xapi_statement::ActiveModel> {
    events
        .iter()
        .map(|event| {
            let (id, verb, statement) =
                self::statement(settings, learner, found, cohort, event, now);
            xapi_statement::ActiveModel {
                id: Set(id.to_string()),
                account_id: Set(learner.id),
                verb: Set(verb.to_owned()),
                object_id: Set(statement["object"]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()),
                module_id: Set(Some(found.id)),
                lesson_slug: Set(event.lesson().map(str::to_owned)),
                timestamp: Set(now),
                statement: Set(statement.to_string()),
            }
        })
        .collect()
}

/// Writes statement rows in three statements however many there are: a statement recorded before (the
/// same event again, in this call or earlier) is left as it was, and only new ones are queued for the LRS.
pub async fn store_rows<C: ConnectionTrait>(
    txn: &C,
    settings: &XapiSettings,
    rows: Vec<xapi_statement::ActiveModel>,
) -> Result<(), AppError> {
    let mut seen = HashSet::new();
    let rows: Vec<xapi_statement::ActiveModel> = rows
        .into_iter()
        .filter(|row| {
            row.id
                .try_as_ref()
                .is_some_and(|id| seen.insert(id.clone()))
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let already: HashSet<String> = xapi_statement::Entity::find()
        .select_only()
        .column(xapi_statement::Column::Id)
        .filter(xapi_statement::Column::Id.is_in(seen))
        .into_tuple::<String>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    // In id order, so servers sharing one PostgreSQL lock the same statements in the same order.
    let mut fresh: Vec<xapi_statement::ActiveModel> = rows
        .into_iter()
        .filter(|row| row.id.try_as_ref().is_some_and(|id| !already.contains(id)))
        .collect();
    fresh.sort_by(|a, b| a.id.try_as_ref().cmp(&b.id.try_as_ref()));
    if fresh.is_empty() {
        return Ok(());
    }
    let new_ids: Vec<String> = fresh
        .iter()
        .filter_map(|row| row.id.try_as_ref().cloned())
        .collect();
    let now = Utc::now();
    xapi_statement::Entity::insert_many(fresh)
        .on_conflict(
            OnConflict::column(xapi_statement::Column::Id)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    if settings.forward {
        // The statement and its place in the outbox commit together: none is stored but never sent.
        xapi_outbox::Entity::insert_many(new_ids.into_iter().map(|id| xapi_outbox::ActiveModel {
            statement_id: Set(id),
            attempts: Set(0),
            next_attempt_at: Set(now),
            last_error: Set(None),
            last_attempt_at: Set(None),
            sent_at: Set(None),
            parked_at: Set(None),
        }))
        .on_conflict(
            OnConflict::column(xapi_outbox::Column::StatementId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

/// Records one event on its own (a repeat is ignored): for events that change nothing else, such as a
/// lesson opened.
pub async fn record(
    db: &DatabaseConnection,
    settings: &XapiSettings,
    learner: &account::Model,
    found: &module::Model,
    event: LearningEvent<'_>,
) -> Result<(), AppError> {
    let txn = crate::ssr::db::begin_write(db).await?;
    store(&txn, settings, learner, found, &[event]).await?;
    txn.commit().await?;
    Ok(())
}

/// Statements per page of the export: a page is built in memory, so it is bounded.
pub const EXPORT_PAGE: u64 = 500;

/// Where the next page starts: the last statement's timestamp and id (keyset paging, so a page costs the
/// same however far into the export it is, and statements recorded meanwhile are neither skipped nor
/// repeated).
fn cursor(row: &xapi_statement::Model) -> String {
    // Nanoseconds: SQLite keeps the timestamp exactly as written, so a coarser position would repeat rows.
    format!(
        "{}_{}",
        row.timestamp.timestamp_nanos_opt().unwrap_or_default(),
        row.id
    )
}

fn parse_cursor(after: &str) -> Result<(DateTime<Utc>, String), AppError> {
    let bad = || {
        AppError::invalid(
            "after",
            "`after` is not a page position from this export: follow the `more` link as given",
        )
    };
    let (nanos, id) = after.split_once('_').ok_or_else(bad)?;
    let nanos: i64 = nanos.parse().map_err(|_| bad())?;
    let at = DateTime::from_timestamp_nanos(nanos);
    Ok((at, id.to_owned()))
}

/// One page of the statements recorded in `[since, until)` (an end left `None` is open), oldest first, as
/// an xAPI `StatementResult`, and the position of the next page when there is one.
pub async fn export(
    db: &DatabaseConnection,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    after: Option<&str>,
    page: u64,
) -> Result<(Value, Option<String>), AppError> {
    use sea_orm::{Condition, QuerySelect};
    let mut query = xapi_statement::Entity::find();
    if let Some(since) = since {
        query = query.filter(xapi_statement::Column::Timestamp.gte(since));
    }
    if let Some(until) = until {
        query = query.filter(xapi_statement::Column::Timestamp.lt(until));
    }
    if let Some(after) = after {
        let (at, id) = parse_cursor(after)?;
        query = query.filter(
            Condition::any()
                .add(xapi_statement::Column::Timestamp.gt(at))
                .add(
                    Condition::all()
                        .add(xapi_statement::Column::Timestamp.eq(at))
                        .add(xapi_statement::Column::Id.gt(id)),
                ),
        );
    }
    let mut rows = query
        .order_by_asc(xapi_statement::Column::Timestamp)
        .order_by_asc(xapi_statement::Column::Id)
        .limit(page + 1)
        .all(db)
        .await?;
    let more = if rows.len() as u64 > page {
        rows.truncate(usize::try_from(page).unwrap_or(usize::MAX));
        rows.last().map(cursor)
    } else {
        None
    };
    let statements = rows
        .iter()
        .map(|r| stored_json("xapi_statement", &r.id, "statement", &r.statement))
        .collect::<Result<Vec<Value>, AppError>>()?;
    Ok((json!({ "statements": statements }), more))
}
