//! Group commit: learning events from many learners share one transaction, and so one flush to disk,
//! while each still succeeds or fails on its own.
//!
//! SQLite has one writer at a time, and with `synchronous=FULL` every commit waits for the disk (about
//! 1.5 ms here), which would cap a whole site at a few hundred completions a second. Instead, events queue
//! here; one task takes every event waiting (up to [`MAX_BATCH`]), runs them in savepoints of a single
//! transaction (on SQLite, `BEGIN IMMEDIATE`), commits once, and only then answers each caller. An event
//! that fails rolls back to its savepoint and is answered with its own error; the others are unaffected. If
//! the commit fails, every caller in the batch is told so, and nothing of it was stored: nothing is
//! acknowledged before it is on disk.
//!
//! Lesson events (openings and completions), which come in floods, are not run one by one: every one of a
//! kind waiting is written together in a few multi-row statements (`services::lesson_events`), inside one
//! savepoint. If the database refuses that (a constraint, a trigger), the savepoint is rolled back and each
//! is written again alone in a savepoint of its own, so one learner's failure never fails another's.
//!
//! PostgreSQL groups concurrent commits itself and serves many writers at once, so there only lesson
//! events queue here (written together, a completion costs a fraction of a statement instead of about
//! fifteen round trips); other events run in their own transactions on the pool (see [`Writes`]). Batches
//! write enrolments, progress and statements in key order, so servers sharing one PostgreSQL take those row
//! locks in the same order; a deadlock all the same (a module completed in both) fails one batch's
//! statement, which is then written one event at a time.

use std::future::Future;
use std::pin::Pin;

use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

use crate::error::AppError;
use crate::model::catalogue::ProgressSummary;
use crate::ssr::db::begin_write;
use crate::ssr::error::internal;
use crate::ssr::services::learning::Context;
use crate::ssr::services::lesson_events::{self, LearnerLesson, LessonCompletion, LessonOpening};

/// The most events one transaction holds; enough to absorb a burst from a few hundred connections while
/// keeping each transaction short.
pub const MAX_BATCH: usize = 128;

/// How many events may wait for the writer before callers wait to enqueue (back-pressure).
const QUEUE: usize = 4096;

/// A boxed future borrowing the transaction it runs in.
pub type TxnFuture<'t, T> = Pin<Box<dyn Future<Output = Result<T, AppError>> + Send + 't>>;

/// Sends an event's outcome once the batch's commit is known.
type Answer = Box<dyn FnOnce(Result<(), AppError>) + Send>;
/// An event that has run: how to answer it, and whether the database itself failed under it (full, busy,
/// out of reach), which SQLite may answer by rolling back the whole transaction.
struct Ran {
    answer: Answer,
    database_failed: bool,
}
/// An event waiting to run: given the batch's transaction, it runs in a savepoint and returns how to answer.
type Job = Box<
    dyn for<'t> FnOnce(&'t DatabaseTransaction) -> Pin<Box<dyn Future<Output = Ran> + Send + 't>>
        + Send,
>;

/// A kind of learning event that comes in floods and is written many at a time (`services::lesson_events`).
pub trait WrittenTogether: Clone + Send + Sync + 'static {
    /// What the learner is answered when it is stored.
    type Outcome: Send + 'static;

    /// Writes every request in `txn`: one outcome per request, in order, or a database error after which
    /// everything the call wrote must be rolled back.
    fn write_together<'t>(
        txn: &'t DatabaseTransaction,
        context: &'t Context,
        requests: &'t [Self],
    ) -> TxnFuture<'t, Vec<Result<Self::Outcome, AppError>>>;

    /// How it waits in the writer's queue.
    fn queued(waiting: Waiting<Self>) -> Queued;

    /// The learner and lesson it names, whose enrolment and progress rows it locks.
    fn learner_lesson(&self) -> &LearnerLesson;
}

impl WrittenTogether for LessonCompletion {
    type Outcome = ProgressSummary;

    fn write_together<'t>(
        txn: &'t DatabaseTransaction,
        context: &'t Context,
        requests: &'t [Self],
    ) -> TxnFuture<'t, Vec<Result<ProgressSummary, AppError>>> {
        Box::pin(lesson_events::complete_together(txn, context, requests))
    }

    fn queued(waiting: Waiting<Self>) -> Queued {
        Queued(Item::Completion(waiting))
    }

    fn learner_lesson(&self) -> &LearnerLesson {
        &self.0
    }
}

impl WrittenTogether for LessonOpening {
    type Outcome = ();

    fn write_together<'t>(
        txn: &'t DatabaseTransaction,
        context: &'t Context,
        requests: &'t [Self],
    ) -> TxnFuture<'t, Vec<Result<(), AppError>>> {
        Box::pin(lesson_events::open_together(txn, context, requests))
    }

    fn queued(waiting: Waiting<Self>) -> Queued {
        Queued(Item::Opening(waiting))
    }

    fn learner_lesson(&self) -> &LearnerLesson {
        &self.0
    }
}

/// An event waiting to be written with others of its kind, and where its outcome goes.
pub struct Waiting<T: WrittenTogether> {
    context: Context,
    request: T,
    answer: oneshot::Sender<Result<T::Outcome, AppError>>,
}

/// What waits for the writer (opaque outside this module: only the writer takes it apart).
pub struct Queued(Item);

enum Item {
    /// An event run on its own, in a savepoint.
    Alone(Job),
    /// A lesson completion, written together with every other one waiting.
    Completion(Waiting<LessonCompletion>),
    /// A lesson opened, written together with every other one waiting.
    Opening(Waiting<LessonOpening>),
}

/// How learning events reach the database.
#[derive(Clone, Debug)]
pub enum Writes {
    /// Each event opens its own write transaction (tests, one-off commands).
    Direct(DatabaseConnection),
    /// SQLite: every event queues for the single writer task.
    Grouped(GroupCommit),
    /// PostgreSQL: lesson events (openings and completions), which come in floods, queue to be written
    /// together; other events run in transactions of their own on the pool, since PostgreSQL serves many
    /// writers at once.
    LessonEventsGrouped {
        db: DatabaseConnection,
        lesson_events: GroupCommit,
    },
}

impl Writes {
    /// Everything grouped on SQLite, lesson events grouped elsewhere. Must be called inside the tokio
    /// runtime (it starts the writer).
    pub fn for_database(db: &DatabaseConnection) -> Self {
        match db.get_database_backend() {
            sea_orm::DatabaseBackend::Sqlite => Writes::Grouped(GroupCommit::start(db.clone())),
            _ => Writes::LessonEventsGrouped {
                db: db.clone(),
                lesson_events: GroupCommit::start(db.clone()),
            },
        }
    }

    /// Runs `work` in a transaction of its own or in a savepoint of a shared one; returns once its changes
    /// are committed (or have failed).
    pub async fn run<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t DatabaseTransaction) -> TxnFuture<'t, T> + Send + 'static,
    {
        match self {
            Writes::Direct(db) | Writes::LessonEventsGrouped { db, .. } => {
                let txn = begin_write(db).await?;
                let value = work(&txn).await?;
                txn.commit().await?;
                Ok(value)
            }
            Writes::Grouped(group) => group.run(work).await,
        }
    }

    /// Writes a lesson event: alone in its own transaction, or together with the others of its kind
    /// waiting; returns once it is committed (or has failed).
    pub async fn together<T: WrittenTogether>(
        &self,
        context: Context,
        request: T,
    ) -> Result<T::Outcome, AppError> {
        match self {
            Writes::Direct(db) => {
                let txn = begin_write(db).await?;
                let requests = [request];
                let outcome = only_outcome(T::write_together(&txn, &context, &requests).await?)?;
                txn.commit().await?;
                Ok(outcome)
            }
            Writes::Grouped(group)
            | Writes::LessonEventsGrouped {
                lesson_events: group,
                ..
            } => group.together(context, request).await,
        }
    }
}

/// The outcome of a call made with one request.
fn only_outcome<O>(mut outcomes: Vec<Result<O, AppError>>) -> Result<O, AppError> {
    outcomes.pop().unwrap_or_else(|| {
        Err(internal(
            "writing a lesson event",
            "no outcome for the request",
        ))
    })
}

/// A plain connection writes directly: what tests and one-off commands use.
impl From<&DatabaseConnection> for Writes {
    fn from(db: &DatabaseConnection) -> Self {
        Writes::Direct(db.clone())
    }
}

/// The queue in front of a database writer task (SQLite's only writer; on PostgreSQL, the lesson events'); cheap
/// to clone.
#[derive(Clone, Debug)]
pub struct GroupCommit {
    queue: mpsc::Sender<Queued>,
}

impl GroupCommit {
    /// Starts the writer task on the current tokio runtime; it ends when every handle is dropped.
    pub fn start(db: DatabaseConnection) -> Self {
        let (queue, waiting) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(db, waiting));
        GroupCommit { queue }
    }

    async fn run<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t DatabaseTransaction) -> TxnFuture<'t, T> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel::<Result<T, AppError>>();
        let job: Job = Box::new(move |txn: &DatabaseTransaction| {
            Box::pin(async move {
                let outcome = in_savepoint(txn, work).await;
                let database_failed = matches!(outcome, Err(AppError::Unavailable));
                let answer = Box::new(move |committed: Result<(), AppError>| {
                    // The caller may have gone (the browser closed); the event stands either way.
                    let _ = answer.send(committed.and(outcome));
                }) as Answer;
                Ran {
                    answer,
                    database_failed,
                }
            })
        });
        self.queue
            .send(Queued(Item::Alone(job)))
            .await
            .map_err(|_| AppError::Unavailable)?;
        // A batch dropped unanswered (the database refused to start a transaction) stored nothing.
        answered.await.unwrap_or(Err(AppError::Unavailable))
    }

    async fn together<T: WrittenTogether>(
        &self,
        context: Context,
        request: T,
    ) -> Result<T::Outcome, AppError> {
        let (answer, answered) = oneshot::channel();
        self.queue
            .send(T::queued(Waiting {
                context,
                request,
                answer,
            }))
            .await
            .map_err(|_| AppError::Unavailable)?;
        answered.await.unwrap_or(Err(AppError::Unavailable))
    }
}

/// Runs `work` in a savepoint of `txn`: released when it succeeds, rolled back when it fails, so a failed
/// event leaves nothing behind and the batch goes on. A savepoint that cannot be taken, released or rolled
/// back is the database failing ("unavailable"), which stops the batch: on PostgreSQL the transaction would
/// otherwise stay aborted, and its commit would quietly undo the events answered as stored before it.
async fn in_savepoint<T, F>(txn: &DatabaseTransaction, work: F) -> Result<T, AppError>
where
    F: for<'t> FnOnce(&'t DatabaseTransaction) -> TxnFuture<'t, T>,
{
    let unavailable = |step: &str, error: sea_orm::DbErr| {
        tracing::error!(%error, "could not {step} a savepoint");
        AppError::Unavailable
    };
    let savepoint = txn.begin().await.map_err(|e| unavailable("take", e))?;
    match work(&savepoint).await {
        Ok(value) => {
            savepoint
                .commit()
                .await
                .map_err(|e| unavailable("release", e))?;
            Ok(value)
        }
        Err(error) => {
            savepoint
                .rollback()
                .await
                .map_err(|e| unavailable("roll back", e))?;
            Err(error)
        }
    }
}

/// The writer: takes every job waiting and writes them as one batch, for as long as anyone can send.
async fn write_batches(db: DatabaseConnection, mut waiting: mpsc::Receiver<Queued>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while waiting.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let jobs = std::mem::replace(&mut batch, Vec::with_capacity(MAX_BATCH));
        // In a task of its own, so a panic in one event fails its batch (uncommitted, each caller answered
        // "unavailable") but never stops the writer.
        if let Err(error) = tokio::spawn(write_batch(db.clone(), jobs)).await {
            tracing::error!(%error, "a batch of learning events failed");
        }
    }
}

/// Runs `queued` in one transaction, commits, then answers each with its own outcome or the commit's
/// failure. Lesson openings, then lesson completions, are written together, a kind at a time; every other
/// event runs in its own savepoint, before them if it was queued before the first lesson event, else after.
///
/// When the database itself fails under an event (its disk full, an I/O error, the lock not granted), SQLite
/// may already have rolled back the whole transaction, and anything run after it would commit on its own.
/// The batch stops there: it is rolled back, the events not yet run are answered "unavailable" without
/// running, and so is every event before it, whose work went with the transaction.
async fn write_batch(db: DatabaseConnection, queued: Vec<Queued>) {
    let txn = match begin_write(&db).await {
        Ok(txn) => txn,
        Err(error) => {
            // Dropping the jobs answers each caller "unavailable"; none of them ran.
            tracing::error!(%error, events = queued.len(), "could not start a write transaction");
            return;
        }
    };
    // Openings are written before completions, so a lesson opened and then completed in one batch is
    // stored in that order (time on task reads it); other events queued before the first lesson event run
    // before them, the rest after.
    let (mut before, mut openings, mut completions, mut after) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for Queued(item) in queued {
        match item {
            Item::Opening(waiting) => openings.push(waiting),
            Item::Completion(waiting) => completions.push(waiting),
            Item::Alone(job) if openings.is_empty() && completions.is_empty() => before.push(job),
            Item::Alone(job) => after.push(job),
        }
    }
    let mut answers =
        Vec::with_capacity(before.len() + openings.len() + completions.len() + after.len());
    let mut database_failed = run_alone(&txn, before, &mut answers).await;
    if !database_failed {
        database_failed = write_kind(&txn, openings, &mut answers).await;
    }
    if !database_failed {
        database_failed = write_kind(&txn, completions, &mut answers).await;
    }
    if !database_failed {
        database_failed = run_alone(&txn, after, &mut answers).await;
    }
    // Events not run were dropped, which answers each of them "unavailable".
    let committed: Result<(), AppError> = if database_failed {
        if let Err(error) = txn.rollback().await {
            tracing::warn!(%error, "rolling back a failed batch (SQLite may have done so already)");
        }
        tracing::error!(
            events = answers.len(),
            "the database failed under a batch of learning events; none of it was stored"
        );
        Err(AppError::Unavailable)
    } else {
        txn.commit().await.map_err(|error| {
            tracing::error!(%error, events = answers.len(), "a batch of learning events did not commit");
            AppError::from(error)
        })
    };
    for answer in answers {
        answer(committed.clone());
    }
}

/// Runs each job in its own savepoint, adding how to answer it; true (and the rest dropped unrun) when the
/// database itself failed under one.
async fn run_alone(txn: &DatabaseTransaction, jobs: Vec<Job>, answers: &mut Vec<Answer>) -> bool {
    for job in jobs {
        let ran = job(txn).await;
        answers.push(ran.answer);
        if ran.database_failed {
            return true;
        }
    }
    false
}

/// Writes every waiting event of one kind, a group per context, adding how to answer each; true (and the
/// rest dropped unwritten) when the database itself failed.
async fn write_kind<T: WrittenTogether>(
    txn: &DatabaseTransaction,
    waiting: Vec<Waiting<T>>,
    answers: &mut Vec<Answer>,
) -> bool {
    for group in same_context(waiting) {
        let ran = write_group(txn, group).await;
        answers.extend(ran.answers);
        if ran.database_failed {
            return true;
        }
    }
    false
}

/// Events in groups that share one context (in a running server, all of them: the context is the server's
/// own), so each group is written with the issuer and settings its callers gave.
fn same_context<T: WrittenTogether>(waiting: Vec<Waiting<T>>) -> Vec<Vec<Waiting<T>>> {
    let mut groups: Vec<Vec<Waiting<T>>> = Vec::new();
    for event in waiting {
        match groups
            .iter_mut()
            .find(|group| group[0].context.is_same(&event.context))
        {
            Some(group) => group.push(event),
            None => groups.push(vec![event]),
        }
    }
    groups
}

/// How a group of events went: how to answer each, and whether the database itself failed.
struct RanGroup {
    answers: Vec<Answer>,
    database_failed: bool,
}

/// Writes a group of events together in a savepoint; if the database refuses, rolls that back and writes
/// each alone in a savepoint of its own.
async fn write_group<T: WrittenTogether>(
    txn: &DatabaseTransaction,
    group: Vec<Waiting<T>>,
) -> RanGroup {
    let context = group[0].context.clone();
    let requests: Vec<T> = group.iter().map(|w| w.request.clone()).collect();
    let together = in_savepoint(txn, move |savepoint| {
        Box::pin(async move {
            let outcomes = T::write_together(savepoint, &context, &requests).await?;
            if outcomes.len() == requests.len() {
                Ok(outcomes)
            } else {
                // Never expected; rolled back with the savepoint, then each is written alone.
                Err(internal(
                    "writing lesson events",
                    "the outcomes do not match the requests",
                ))
            }
        })
    })
    .await;
    match together {
        Ok(outcomes) => RanGroup {
            answers: group
                .into_iter()
                .zip(outcomes)
                .map(|(w, outcome)| answer_with(w.answer, outcome))
                .collect(),
            database_failed: false,
        },
        Err(AppError::Unavailable) => RanGroup {
            answers: group
                .into_iter()
                .map(|w| answer_with(w.answer, Err(AppError::Unavailable)))
                .collect(),
            database_failed: true,
        },
        // Refused together (a constraint, a trigger): rolled back, so each is written again on its own.
        Err(_) => write_one_by_one(txn, group).await,
    }
}

/// Writes each event of a refused group alone, in a savepoint of its own, in the order a batch takes its locks
/// (`lesson_events::lock_order`: by learner, then module; a learner's own events keep the order they came in).
/// The savepoints share one transaction, so each keeps its rows locked until the commit: taken in request
/// order, another server's batch could wait on this one while this one waits on it.
async fn write_one_by_one<T: WrittenTogether>(
    txn: &DatabaseTransaction,
    group: Vec<Waiting<T>>,
) -> RanGroup {
    let order = match lesson_events::lock_order(
        txn,
        group.iter().map(|w| w.request.learner_lesson()),
    )
    .await
    {
        Ok(order) => order,
        // The database failing here fails the batch, as it would the first event.
        Err(_) => {
            return RanGroup {
                answers: group
                    .into_iter()
                    .map(|w| answer_with(w.answer, Err(AppError::Unavailable)))
                    .collect(),
                database_failed: true,
            };
        }
    };
    let mut slots: Vec<Option<Waiting<T>>> = group.into_iter().map(Some).collect();
    let group: Vec<Waiting<T>> = order
        .into_iter()
        .filter_map(|at| slots.get_mut(at)?.take())
        .collect();
    let mut answers = Vec::with_capacity(group.len());
    for waiting in group {
        let Waiting {
            context,
            request,
            answer,
        } = waiting;
        let outcome = in_savepoint(txn, move |savepoint| {
            Box::pin(async move {
                let requests = [request];
                only_outcome(T::write_together(savepoint, &context, &requests).await?)
            })
        })
        .await;
        let failed = matches!(outcome, Err(AppError::Unavailable));
        answers.push(answer_with(answer, outcome));
        if failed {
            // Dropping the events not written answers each of them "unavailable".
            return RanGroup {
                answers,
                database_failed: true,
            };
        }
    }
    RanGroup {
        answers,
        database_failed: false,
    }
}

/// How to answer an event once the batch's commit is known.
fn answer_with<O: Send + 'static>(
    answer: oneshot::Sender<Result<O, AppError>>,
    outcome: Result<O, AppError>,
) -> Answer {
    Box::new(move |committed: Result<(), AppError>| {
        // The caller may have gone (the browser closed); the event stands either way.
        let _ = answer.send(committed.and(outcome));
    })
}
