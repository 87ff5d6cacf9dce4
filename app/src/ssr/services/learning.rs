//! One service per learning event: opening a lesson, completing a lesson, submitting an attempt.
//!
//! Each is all or nothing: the progress or attempt it writes, the module completion and record it may earn,
//! and the xAPI statements describing all of that (with their LRS outbox rows) commit together or not at
//! all. Where writes are grouped (see `group_commit`) an event runs in a savepoint of a transaction shared
//! with other learners' events and committed once for all of them; lesson openings and completions are
//! written many at a time by `lesson_events`. Each returns what the page needs, so a server function calls one of these and
//! returns. Anything that must follow a learning event (grade passback to a VLE, a notification) belongs
//! here, beside the statements, so it shares the event's transaction.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseTransaction};
use std::sync::Arc;

use super::catalogue::find_module;
use super::completion;
use super::lesson_events::{LearnerLesson, LessonCompletion, LessonOpening};
use super::progress;
use super::quizzes::{
    Answers, AttemptPermission, answers_revealed, attempts, attempts_used, mark, permission,
    questions_for, score_percent, withhold_answers,
};
use super::xapi::{self, XapiSettings};
use crate::error::AppError;
use crate::model::catalogue::ProgressSummary;
use crate::model::quizzes::{ASSESSMENT_SCOPE, AttemptView};
use crate::ssr::content::{Framework, Pathway};
use crate::ssr::entities::quiz_attempt;
use crate::ssr::error::internal;
use crate::ssr::group_commit::Writes;
use crate::ssr::records::Issuer;
use crate::ssr::state::AppState;

/// What a learning event needs besides the database: who signs records, the frameworks they align to, the
/// pathways a completed module may complete, and how statements are written. Owned (shared pointers), so an event can wait in the group-commit queue.
#[derive(Clone)]
pub struct Context {
    pub issuer: Arc<Issuer>,
    pub frameworks: Arc<[Framework]>,
    pub pathways: Arc<[Pathway]>,
    pub xapi: Arc<XapiSettings>,
}

impl Context {
    /// Whether both are the same server's (one issuer, one set of frameworks and settings), so their events
    /// can be written together.
    pub fn is_same(&self, other: &Context) -> bool {
        Arc::ptr_eq(&self.issuer, &other.issuer)
            && Arc::ptr_eq(&self.frameworks, &other.frameworks)
            && Arc::ptr_eq(&self.pathways, &other.pathways)
            && Arc::ptr_eq(&self.xapi, &other.xapi)
    }
}

impl From<&AppState> for Context {
    fn from(state: &AppState) -> Self {
        Context {
            issuer: state.issuer.clone(),
            frameworks: state.frameworks.clone(),
            pathways: state.pathways.clone(),
            xapi: state.xapi.clone(),
        }
    }
}

/// The learner opened a lesson (the lesson page's beacon reports it once the page is shown; rendering the
/// page writes nothing, so it can be cached). Recorded as "experienced", which time on task reads. Written
/// with other learners' openings when the database groups writes (see `lesson_events`).
pub async fn open_lesson(
    writes: impl Into<Writes>,
    context: Context,
    account_id: i32,
    module_slug: &str,
    lesson_slug: &str,
) -> Result<(), AppError> {
    let request = LessonOpening(LearnerLesson::new(account_id, module_slug, lesson_slug));
    writes.into().together(context, request).await
}

/// Marks a lesson complete (enrolling the learner if needed), pinned to the module version and lesson
/// content the learner saw; completing it again refreshes that pin. When it was the last lesson, the module
/// may be completed and its record issued. Returns the module's progress after. Written with other
/// learners' completions when the database groups writes (see `lesson_events`).
pub async fn complete_lesson(
    writes: impl Into<Writes>,
    context: Context,
    account_id: i32,
    module_slug: &str,
    lesson_slug: &str,
) -> Result<ProgressSummary, AppError> {
    let request = LessonCompletion(LearnerLesson::new(account_id, module_slug, lesson_slug));
    let writes = writes.into();
    let summary = writes.together(context.clone(), request).await?;
    if summary.total > 0 && summary.next_lesson.is_none() {
        super::pathway_records::settle(&writes, &context, account_id, module_slug).await;
    }
    Ok(summary)
}

/// "Completed the module" and "earned the record", once the learner holds the module's record.
pub(crate) fn completion_events<'a>(
    record_id: Option<&'a str>,
    events: &mut Vec<xapi::LearningEvent<'a>>,
) {
    if let Some(record_id) = record_id {
        events.push(xapi::LearningEvent::ModuleCompleted);
        events.push(xapi::LearningEvent::RecordIssued { record_id });
    }
}

/// Marks and stores an attempt at a lesson's questions or the module assessment, under the assessment's
/// attempt policy (checked and numbered in the same transaction as the insert); a passed assessment may
/// complete the module and issue its record.
pub async fn submit_attempt(
    writes: impl Into<Writes>,
    context: Context,
    account_id: i32,
    module_slug: &str,
    scope: &str,
    answers: Answers,
) -> Result<AttemptView, AppError> {
    let writes = writes.into();
    let (slug, scope, settling) = (module_slug.to_owned(), scope.to_owned(), context.clone());
    let attempt = writes
        .run(move |txn| {
            Box::pin(async move {
                submit_attempt_in(txn, &context, account_id, &slug, &scope, answers).await
            })
        })
        .await?;
    if attempt.passed {
        super::pathway_records::settle(&writes, &settling, account_id, module_slug).await;
    }
    Ok(attempt)
}

async fn submit_attempt_in(
    txn: &DatabaseTransaction,
    context: &Context,
    account_id: i32,
    module_slug: &str,
    scope: &str,
    answers: Answers,
) -> Result<AttemptView, AppError> {
    let learner = super::accounts::hold_learner(txn, account_id).await?;
    let found = find_module(txn, module_slug).await?;
    let (questions, policy) = questions_for(txn, &found, scope).await?;
    if questions.is_empty() {
        return Err(AppError::NotFound("Questions for this lesson".to_owned()));
    }
    if let Some(unknown) = answers
        .keys()
        .find(|id| !questions.iter().any(|q| &q.id == *id))
    {
        return Err(AppError::BadRequest(format!(
            "there is no question `{unknown}` here"
        )));
    }
    let previous = attempts(txn, account_id, found.id, scope).await?;
    match permission(policy.as_ref(), &previous, Utc::now()) {
        AttemptPermission::Allowed => {}
        AttemptPermission::AlreadyPassed => {
            return Err(AppError::Conflict(
                "You have already passed this assessment.".to_owned(),
            ));
        }
        AttemptPermission::OutOfAttempts => {
            return Err(AppError::Conflict(
                "You have used all your attempts at this assessment. Please contact your course lead.".to_owned(),
            ));
        }
        AttemptPermission::WaitUntil(at) => {
            return Err(AppError::Conflict(format!(
                "You can try this assessment again from {} (UTC).",
                at.format("%-d %B %Y at %H:%M")
            )));
        }
    }
    let (mut results, correct) = mark(&questions, &answers);
    let total = u32::try_from(questions.len()).unwrap_or(u32::MAX);
    let score = score_percent(correct, total);
    let passed = policy.as_ref().is_some_and(|p| score >= p.pass_mark);
    // Assessment attempts are numbered under a unique index: two submissions racing for the same number
    // (or past the limit) cannot both be stored, whatever the timing.
    let attempt_number = policy
        .as_ref()
        .map(|_| i32::try_from(attempts_used(&previous) + 1).unwrap_or(i32::MAX));
    let stored = quiz_attempt::ActiveModel {
        account_id: Set(account_id),
        module_id: Set(found.id),
        module_version: Set(found.version),
        scope: Set(quiz_attempt::AttemptScope::named(scope)),
        answers: Set(serde_json::to_string(&answers).map_err(|e| internal("storing answers", e))?),
        correct: Set(i32::try_from(correct).unwrap_or(i32::MAX)),
        total: Set(i32::try_from(total).unwrap_or(i32::MAX)),
        score: Set(i32::try_from(score).unwrap_or(i32::MAX)),
        passed: Set(passed),
        submitted_at: Set(Utc::now()),
        attempt_number: Set(attempt_number),
        ..Default::default()
    }
    .insert(txn)
    .await;
    let stored = match stored {
        Ok(stored) => stored,
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            return Err(AppError::Conflict(
                "Another attempt at this assessment was submitted at the same moment, and only one \
                 counts. Open the assessment again to see its result."
                    .to_owned(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let record_id = if passed {
        // Holds the learner's enrolment before reading their progress, as a lesson completion does: a last
        // lesson completed on another server at the same moment is then seen here, or sees this pass.
        progress::ensure_enrolled(txn, [(account_id, found.id)]).await?;
        completion::complete_in(
            txn,
            &context.issuer,
            &context.frameworks,
            &context.pathways,
            &learner,
            &found,
        )
        .await?
    } else {
        None
    };

    let mut events: Vec<xapi::LearningEvent<'_>> = results
        .iter()
        .map(|result| xapi::LearningEvent::QuestionAnswered {
            attempt_id: stored.id,
            scope,
            question_id: &result.id,
            prompt: questions
                .iter()
                .find(|q| q.id == result.id)
                .map_or("", |q| q.prompt.as_str()),
            correct: result.correct,
            response: answers
                .get(&result.id)
                .map(|chosen| {
                    chosen
                        .iter()
                        .map(usize::to_string)
                        .collect::<Vec<_>>()
                        .join("[,]")
                })
                .unwrap_or_default(),
        })
        .collect();
    if scope == ASSESSMENT_SCOPE {
        events.push(xapi::LearningEvent::AssessmentFinished {
            attempt_id: stored.id,
            passed,
            score,
        });
    }
    completion_events(record_id.as_deref(), &mut events);
    xapi::store(txn, &context.xapi, &learner, &found, &events).await?;

    let revealed = answers_revealed(policy.as_ref(), passed, attempts_used(&previous) + 1);
    if !revealed {
        withhold_answers(&mut results);
    }
    Ok(AttemptView {
        attempt_id: stored.id,
        correct,
        total,
        score,
        passed,
        answers_revealed: revealed,
        submitted_at: stored.submitted_at.to_rfc3339(),
        results,
    })
}
