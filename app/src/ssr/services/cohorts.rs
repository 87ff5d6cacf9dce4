//! Cohorts: creating them, joining by code, removing learners, and the progress matrix a course lead sees.
//!
//! The dashboard costs a fixed number of queries whatever the cohort's size: the cohort, its modules, its
//! members and their accounts, the modules' lessons, the members' progress and completions.

use chrono::{NaiveDate, Utc};
use rand::seq::IndexedRandom;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use std::collections::{HashMap, HashSet};

use super::audit;
use super::progress::{completion_rows, ensure_enrolled};
use super::quizzes::Answers;
use crate::error::{AppError, FieldError};
use crate::model::accounts::Role;
use crate::model::cohorts::{
    CellStatus, CohortDashboard, CohortModuleView, CohortSummary, FunnelRow, LearnerCohort,
    MatrixRow, ModuleItemAnalysis, ProgressCell,
};
use crate::ssr::entities::{
    account, cohort, cohort_lead, cohort_member, cohort_module, lesson, lesson_progress,
    lti_course_teacher, module, module_completion, module_version, quiz_attempt,
};
use crate::ssr::error::stored_json;
use crate::ssr::group_commit::Writes;

/// Letters and digits that cannot be mistaken for one another when read aloud or copied from a slide.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

fn new_join_code() -> String {
    let mut rng = rand::rng();
    (0..8)
        .map(|_| char::from(*CODE_ALPHABET.choose(&mut rng).unwrap_or(&b'A')))
        .collect()
}

fn may_lead(account: &account::Model) -> bool {
    matches!(account.role, Role::CourseLead | Role::Admin)
}

/// Creates a cohort owned by `lead`, taking `module_slugs` with optional due dates (`YYYY-MM-DD`).
pub async fn create(
    db: &DatabaseConnection,
    lead: &account::Model,
    name: &str,
    module_slugs: Vec<String>,
    due: &HashMap<String, String>,
) -> Result<i32, AppError> {
    if !may_lead(lead) {
        return Err(AppError::Forbidden);
    }
    let name = name.trim();
    let mut errors = Vec::new();
    if name.is_empty() {
        errors.push(FieldError::new("name", "Enter a name for the cohort."));
    } else if name.chars().count() > 120 {
        errors.push(FieldError::new(
            "name",
            "The name must be 120 characters or fewer.",
        ));
    }
    if module_slugs.is_empty() {
        errors.push(FieldError::new("modules", "Choose at least one module."));
    }
    let modules = module::Entity::find()
        .filter(module::Column::Slug.is_in(module_slugs.clone()))
        .filter(module::Column::Listed.eq(true))
        .all(db)
        .await?;
    for slug in &module_slugs {
        if !modules.iter().any(|m| &m.slug == slug) {
            errors.push(FieldError::new(
                "modules",
                format!("There is no published module “{slug}”."),
            ));
        }
    }
    let mut due_dates = HashMap::new();
    for (slug, value) in due {
        let value = value.trim();
        if value.is_empty() || !module_slugs.contains(slug) {
            continue;
        }
        match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(date) => {
                due_dates.insert(slug.clone(), date);
            }
            Err(_) => errors.push(FieldError::new(
                &format!("due_{slug}"),
                format!("Enter the due date for “{slug}” as a date, for example 2027-03-31."),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid {
            errors,
            values: vec![("name".into(), name.to_owned())],
        });
    }

    let txn = db.begin().await?;
    let created = insert_cohort(&txn, lead.id, name).await?;
    for m in &modules {
        cohort_module::ActiveModel {
            cohort_id: Set(created.id),
            module_id: Set(m.id),
            due_on: Set(due_dates.get(&m.slug).copied()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        Some(lead.id),
        "cohort.created",
        &format!("cohort:{}", created.id),
        serde_json::json!({ "name": name, "modules": module_slugs }),
    )
    .await?;
    txn.commit().await?;
    Ok(created.id)
}

/// Adds accounts to a cohort as members, a batch at a time (one already a member stays as they are);
/// `from_course` marks members a VLE course's roster added, whom a later sync of it may remove.
pub(crate) async fn add_members<C: ConnectionTrait>(
    txn: &C,
    cohort_id: i32,
    accounts: &[i32],
    from_course: Option<i32>,
) -> Result<(), AppError> {
    let now = Utc::now();
    for batch in accounts.chunks(500) {
        cohort_member::Entity::insert_many(batch.iter().map(|id| cohort_member::ActiveModel {
            cohort_id: Set(cohort_id),
            account_id: Set(*id),
            joined_at: Set(now),
            from_course_id: Set(from_course),
            ..Default::default()
        }))
        .on_conflict(
            OnConflict::columns([
                cohort_member::Column::CohortId,
                cohort_member::Column::AccountId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

/// Makes a cohort owned by `owner_id` with a fresh join code (its modules are the caller's to add).
pub(crate) async fn insert_cohort<C: ConnectionTrait>(
    txn: &C,
    owner_id: i32,
    name: &str,
) -> Result<cohort::Model, AppError> {
    let name: String = name.trim().chars().take(120).collect();
    for _ in 0..5 {
        let code = new_join_code();
        let taken = cohort::Entity::find()
            .filter(cohort::Column::JoinCode.eq(&code))
            .one(txn)
            .await?
            .is_some();
        if !taken {
            return Ok(cohort::ActiveModel {
                name: Set(name),
                owner_id: Set(owner_id),
                join_code: Set(code),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(txn)
            .await?);
        }
    }
    Err(crate::ssr::error::internal(
        "cohort",
        "could not draw a free join code",
    ))
}

async fn cohort_modules<C: ConnectionTrait>(
    db: &C,
    cohort_ids: &[i32],
) -> Result<Vec<(cohort_module::Model, module::Model)>, AppError> {
    Ok(cohort_module::Entity::find()
        .filter(cohort_module::Column::CohortId.is_in(cohort_ids.to_vec()))
        .find_also_related(module::Entity)
        .order_by_asc(cohort_module::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(link, found)| found.map(|m| (link, m)))
        .collect())
}

fn module_view(link: &cohort_module::Model, found: &module::Model) -> CohortModuleView {
    CohortModuleView {
        slug: found.slug.clone(),
        title: found.title.clone(),
        due_on: link.due_on.map(|d| d.format("%Y-%m-%d").to_string()),
    }
}

/// The cohorts a course lead runs (an admin sees all).
pub async fn list_for_lead(
    db: &DatabaseConnection,
    lead: &account::Model,
) -> Result<Vec<CohortSummary>, AppError> {
    if !sees_cohorts(db, lead).await? {
        return Err(AppError::Forbidden);
    }
    let led = led_cohorts(db, lead).await?;
    let mut query = cohort::Entity::find().order_by_desc(cohort::Column::CreatedAt);
    if lead.role != Role::Admin {
        let mut mine = Condition::any().add(cohort::Column::Id.is_in(led));
        if may_lead(lead) {
            mine = mine.add(cohort::Column::OwnerId.eq(lead.id));
        }
        query = query.filter(mine);
    }
    let cohorts = query.all(db).await?;
    let ids: Vec<i32> = cohorts.iter().map(|c| c.id).collect();
    let modules = cohort_modules(db, &ids).await?;
    let members: Vec<i32> = cohort_member::Entity::find()
        .select_only()
        .column(cohort_member::Column::CohortId)
        .filter(cohort_member::Column::CohortId.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(cohorts
        .into_iter()
        .map(|c| CohortSummary {
            member_count: u32::try_from(members.iter().filter(|&&m| m == c.id).count())
                .unwrap_or(u32::MAX),
            modules: modules
                .iter()
                .filter(|(l, _)| l.cohort_id == c.id)
                .map(|(l, m)| module_view(l, m))
                .collect(),
            id: c.id,
            name: c.name,
            join_code: c.join_code,
        })
        .collect())
}

/// The cohorts someone leads beside their owner (a VLE course's instructors lead its cohort), whatever
/// their role.
async fn led_cohorts(
    db: &DatabaseConnection,
    account: &account::Model,
) -> Result<Vec<i32>, AppError> {
    Ok(cohort_lead::Entity::find()
        .select_only()
        .column(cohort_lead::Column::CohortId)
        .filter(cohort_lead::Column::AccountId.eq(account.id))
        .into_tuple()
        .all(db)
        .await?)
}

/// Whether someone has cohorts to see, for the navigation: a course lead or admin, a lead of a cohort from a
/// VLE course's roster, or a VLE course's teacher (who syncs its roster into a cohort).
pub async fn sees_cohorts(
    db: &DatabaseConnection,
    account: &account::Model,
) -> Result<bool, AppError> {
    if may_lead(account) {
        return Ok(true);
    }
    let leads = cohort_lead::Entity::find()
        .filter(cohort_lead::Column::AccountId.eq(account.id))
        .one(db)
        .await?
        .is_some();
    Ok(leads
        || lti_course_teacher::Entity::find()
            .filter(lti_course_teacher::Column::AccountId.eq(account.id))
            .one(db)
            .await?
            .is_some())
}

/// A cohort the lead may manage: their own while they are a course lead, one they lead beside its owner
/// (from a VLE course's roster), or any for an admin.
async fn managed(
    db: &DatabaseConnection,
    lead: &account::Model,
    id: i32,
) -> Result<cohort::Model, AppError> {
    let leads_it = || async {
        Ok::<bool, AppError>(
            cohort_lead::Entity::find()
                .filter(cohort_lead::Column::CohortId.eq(id))
                .filter(cohort_lead::Column::AccountId.eq(lead.id))
                .one(db)
                .await?
                .is_some(),
        )
    };
    // Someone without the course lead role is refused before the cohort is looked for (they do not learn
    // which cohorts exist), unless a roster made them its lead.
    if !may_lead(lead) && !leads_it().await? {
        return Err(AppError::Forbidden);
    }
    let found = cohort::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("The cohort".to_owned()))?;
    if lead.role == Role::Admin || found.owner_id == lead.id || leads_it().await? {
        Ok(found)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Adds a learner to the cohort with this code and enrols them in its modules, in one transaction (through
/// the database's writer, as every learning event). Joining twice is harmless.
pub async fn join(
    writes: impl Into<Writes>,
    learner: &account::Model,
    code: &str,
) -> Result<i32, AppError> {
    super::email_links::require_verified(learner)?;
    let code: String = code
        .trim()
        .to_uppercase()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let learner_id = learner.id;
    writes
        .into()
        .run(move |txn| {
            Box::pin(async move {
                let found = cohort::Entity::find()
                    .filter(cohort::Column::JoinCode.eq(&code))
                    .one(txn)
                    .await?
                    .ok_or_else(|| {
                        AppError::invalid(
                            "code",
                            "There is no cohort with that code. Check it with your course lead.",
                        )
                    })?;
                // Held until the membership is written, so an erasure on another server cannot slip between.
                super::accounts::hold_learner(txn, learner_id).await?;
                add_members(txn, found.id, &[learner_id], None).await?;
                let modules = cohort_modules(txn, &[found.id]).await?;
                ensure_enrolled(
                    txn,
                    modules.iter().map(|(link, _)| (learner_id, link.module_id)),
                )
                .await?;
                Ok(found.id)
            })
        })
        .await
}

/// Removes a learner from a cohort. Their enrolments, progress and records are theirs and are kept.
pub async fn remove_member(
    db: &DatabaseConnection,
    lead: &account::Model,
    cohort_id: i32,
    account_id: i32,
) -> Result<(), AppError> {
    let found = managed(db, lead, cohort_id).await?;
    let txn = db.begin().await?;
    let removed = cohort_member::Entity::delete_many()
        .filter(cohort_member::Column::CohortId.eq(found.id))
        .filter(cohort_member::Column::AccountId.eq(account_id))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(AppError::NotFound("That learner in this cohort".to_owned()));
    }
    audit::record(
        &txn,
        Some(lead.id),
        "cohort.member_removed",
        &format!("cohort:{}", found.id),
        serde_json::json!({ "account_id": account_id }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A learner leaves a cohort. Their enrolments, progress and records are theirs and stay; the cohort's lead
/// no longer sees them. Audited, so the lead can tell a departure from a removal.
pub async fn leave(
    db: &DatabaseConnection,
    learner: &account::Model,
    cohort_id: i32,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let left = cohort_member::Entity::delete_many()
        .filter(cohort_member::Column::CohortId.eq(cohort_id))
        .filter(cohort_member::Column::AccountId.eq(learner.id))
        .exec(&txn)
        .await?;
    if left.rows_affected == 0 {
        return Err(AppError::NotFound(
            "Your membership of that cohort".to_owned(),
        ));
    }
    audit::record(
        &txn,
        Some(learner.id),
        "cohort.member_left",
        &format!("cohort:{cohort_id}"),
        serde_json::json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Lesson totals and every member's standing in every cohort module, from four queries.
struct Standing {
    totals: HashMap<i32, u32>,
    completed_lessons: HashMap<(i32, i32), u32>,
    completed_modules: HashSet<(i32, i32)>,
}

async fn standing(
    db: &DatabaseConnection,
    members: &[i32],
    modules: &[i32],
) -> Result<Standing, AppError> {
    let lessons: Vec<(i32, String, String)> = lesson::Entity::find()
        .select_only()
        .columns([
            lesson::Column::ModuleId,
            lesson::Column::Slug,
            lesson::Column::ContentHash,
        ])
        .filter(lesson::Column::ModuleId.is_in(modules.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    let mut totals = HashMap::new();
    let mut current = HashMap::new();
    for (module_id, slug, hash) in lessons {
        *totals.entry(module_id).or_insert(0) += 1;
        current.insert((module_id, slug), hash);
    }
    let filter = Condition::all()
        .add(lesson_progress::Column::AccountId.is_in(members.to_vec()))
        .add(lesson_progress::Column::ModuleId.is_in(modules.to_vec()));
    let mut completed_lessons = HashMap::new();
    for (account_id, module_id, slug, hash) in completion_rows(db, filter).await? {
        if current.get(&(module_id, slug)) == Some(&hash) {
            *completed_lessons
                .entry((account_id, module_id))
                .or_insert(0) += 1;
        }
    }
    let completed_modules: HashSet<(i32, i32)> = module_completion::Entity::find()
        .select_only()
        .columns([
            module_completion::Column::AccountId,
            module_completion::Column::ModuleId,
        ])
        .filter(module_completion::Column::AccountId.is_in(members.to_vec()))
        .filter(module_completion::Column::ModuleId.is_in(modules.to_vec()))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(Standing {
        totals,
        completed_lessons,
        completed_modules,
    })
}

impl Standing {
    fn cell(&self, account_id: i32, link: &cohort_module::Model, today: NaiveDate) -> ProgressCell {
        let total = self.totals.get(&link.module_id).copied().unwrap_or(0);
        let done = self
            .completed_lessons
            .get(&(account_id, link.module_id))
            .copied()
            .unwrap_or(0);
        let status = if self
            .completed_modules
            .contains(&(account_id, link.module_id))
        {
            CellStatus::Completed
        } else if done > 0 {
            CellStatus::InProgress
        } else {
            CellStatus::NotStarted
        };
        ProgressCell {
            status,
            lessons_completed: done,
            lessons_total: total,
            overdue: status != CellStatus::Completed && link.due_on.is_some_and(|due| due < today),
        }
    }
}

/// The course lead's dashboard: progress matrix, completion funnel per module, overdue learners.
pub async fn dashboard(
    db: &DatabaseConnection,
    lead: &account::Model,
    id: i32,
) -> Result<CohortDashboard, AppError> {
    let found = managed(db, lead, id).await?;
    let modules = cohort_modules(db, &[found.id]).await?;
    let member_ids: Vec<i32> = cohort_member::Entity::find()
        .select_only()
        .column(cohort_member::Column::AccountId)
        .filter(cohort_member::Column::CohortId.eq(found.id))
        .into_tuple()
        .all(db)
        .await?;
    let members = account::Entity::find()
        .filter(account::Column::Id.is_in(member_ids.clone()))
        .order_by_asc(account::Column::DisplayName)
        .order_by_asc(account::Column::Id)
        .all(db)
        .await?;
    let module_ids: Vec<i32> = modules.iter().map(|(l, _)| l.module_id).collect();
    let standing = standing(db, &member_ids, &module_ids).await?;
    let today = Utc::now().date_naive();
    let rows: Vec<MatrixRow> = members
        .iter()
        .map(|m| MatrixRow {
            account_id: m.id,
            name: m.display_name.clone(),
            // An address the academy made for a VLE account is no one's: shown as none.
            email: if crate::model::accounts::is_real_address(&m.email) {
                m.email.clone()
            } else {
                String::new()
            },
            cells: modules
                .iter()
                .map(|(l, _)| standing.cell(m.id, l, today))
                .collect(),
        })
        .collect();
    let count = |f: &dyn Fn(&ProgressCell) -> bool, i: usize| {
        u32::try_from(
            rows.iter()
                .filter(|r| r.cells.get(i).is_some_and(f))
                .count(),
        )
        .unwrap_or(u32::MAX)
    };
    let funnel = modules
        .iter()
        .enumerate()
        .map(|(i, (_, m))| FunnelRow {
            module_title: m.title.clone(),
            members: u32::try_from(rows.len()).unwrap_or(u32::MAX),
            started: count(
                &|c| c.lessons_completed > 0 || c.status == CellStatus::Completed,
                i,
            ),
            all_lessons: count(
                &|c| c.lessons_total > 0 && c.lessons_completed == c.lessons_total,
                i,
            ),
            completed: count(&|c| c.status == CellStatus::Completed, i),
        })
        .collect();
    let overdue = rows
        .iter()
        .flat_map(|r| {
            r.cells
                .iter()
                .zip(&modules)
                .filter(|(c, _)| c.overdue)
                .map(|(_, (l, m))| {
                    (
                        r.name.clone(),
                        m.title.clone(),
                        l.due_on
                            .map(|d| d.format("%Y-%m-%d").to_string())
                            .unwrap_or_default(),
                    )
                })
        })
        .collect();
    let item_analysis = item_analysis(db, &modules, &member_ids).await?;
    let module_models: Vec<module::Model> = modules.iter().map(|(_, m)| m.clone()).collect();
    let time_on_task = super::time_on_task::for_modules(db, &module_models, &member_ids).await?;
    Ok(CohortDashboard {
        item_analysis,
        time_on_task,
        id: found.id,
        name: found.name,
        join_code: found.join_code,
        modules: modules.iter().map(|(l, m)| module_view(l, m)).collect(),
        rows,
        funnel,
        overdue,
    })
}

/// Item analysis of each cohort module's assessment (current version), from members' first attempts.
async fn item_analysis(
    db: &DatabaseConnection,
    modules: &[(cohort_module::Model, module::Model)],
    members: &[i32],
) -> Result<Vec<ModuleItemAnalysis>, AppError> {
    let ids: Vec<i32> = modules.iter().map(|(_, m)| m.id).collect();
    let versions = module_version::Entity::find()
        .filter(module_version::Column::ModuleId.is_in(ids.clone()))
        .filter(module_version::Column::Assessment.is_not_null())
        .all(db)
        .await?;
    let attempts = quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::ModuleId.is_in(ids))
        .filter(quiz_attempt::Column::AccountId.is_in(members.to_vec()))
        .filter(quiz_attempt::Column::Scope.eq(quiz_attempt::AttemptScope::Assessment))
        .order_by_asc(quiz_attempt::Column::SubmittedAt)
        .order_by_asc(quiz_attempt::Column::Id)
        .all(db)
        .await?;
    let mut analyses = Vec::new();
    for (_, m) in modules {
        let current = versions
            .iter()
            .find(|v| v.module_id == m.id && v.version == m.version);
        let Some(spec) = current.map(|v| v.assessment_spec()).transpose()?.flatten() else {
            continue;
        };
        let mut seen = HashSet::new();
        let firsts: Vec<Answers> = attempts
            .iter()
            .filter(|a| {
                a.module_id == m.id && a.module_version == m.version && seen.insert(a.account_id)
            })
            .map(|a| stored_json("quiz_attempt", a.id, "answers", &a.answers))
            .collect::<Result<_, AppError>>()?;
        analyses.push(ModuleItemAnalysis {
            module_title: m.title.clone(),
            learners: u32::try_from(firsts.len()).unwrap_or(u32::MAX),
            items: super::item_analysis::analyse(&spec.questions, &firsts),
        });
    }
    Ok(analyses)
}

/// The progress matrix as CSV (one row per learner, a column per module), for the `progress.csv` download.
///
/// # Errors
///
/// [`AppError::Internal`] if the CSV cannot be written (see [`crate::ssr::csv::to_csv`]).
pub fn dashboard_csv(dashboard: &CohortDashboard) -> Result<String, AppError> {
    let header: Vec<&str> = ["learner", "email"]
        .into_iter()
        .chain(dashboard.modules.iter().map(|m| m.title.as_str()))
        .collect();
    let rows = dashboard.rows.iter().map(|row| {
        [row.name.clone(), row.email.clone()]
            .into_iter()
            .chain(row.cells.iter().map(|cell| {
                format!(
                    "{} ({}/{}){}",
                    cell.status.label(),
                    cell.lessons_completed,
                    cell.lessons_total,
                    if cell.overdue { " overdue" } else { "" }
                )
            }))
            .collect::<Vec<String>>()
    });
    crate::ssr::csv::to_csv(&header, rows)
}

/// The learner's cohorts, with each module's due date and their progress.
pub async fn for_learner(
    db: &DatabaseConnection,
    account_id: i32,
) -> Result<Vec<LearnerCohort>, AppError> {
    let cohort_ids = cohort_member::cohort_ids_of(db, account_id).await?;
    if cohort_ids.is_empty() {
        return Ok(Vec::new());
    }
    let cohorts = cohort::Entity::find()
        .filter(cohort::Column::Id.is_in(cohort_ids.clone()))
        .order_by_asc(cohort::Column::Name)
        .all(db)
        .await?;
    let modules = cohort_modules(db, &cohort_ids).await?;
    let module_ids: Vec<i32> = modules.iter().map(|(l, _)| l.module_id).collect();
    let standing = standing(db, &[account_id], &module_ids).await?;
    let today = Utc::now().date_naive();
    Ok(cohorts
        .into_iter()
        .map(|c| LearnerCohort {
            id: c.id,
            modules: modules
                .iter()
                .filter(|(l, _)| l.cohort_id == c.id)
                .map(|(l, m)| (module_view(l, m), standing.cell(account_id, l, today)))
                .collect(),
            name: c.name,
        })
        .collect())
}
