//! Group commit for SQLite: learning events from many learners share one transaction, and so one flush to
//! disk, while each still succeeds or fails on its own.
//!
//! SQLite has one writer at a time, and with `synchronous=FULL` every commit waits for the disk (about
//! 1.5 ms here), which would cap a whole site at a few hundred completions a second. Instead, events queue
//! here; one task takes every event waiting (up to [`MAX_BATCH`]), runs each inside its own savepoint of a
//! single `BEGIN IMMEDIATE` transaction, commits once, and only then answers each caller. An event that fails
//! rolls back to its savepoint and is answered with its own error; the others are unaffected. If the commit
//! fails, every caller in the batch is told so, and nothing of it was stored: nothing is acknowledged before
//! it is on disk.
//!
//! PostgreSQL groups concurrent commits itself and serves many writers at once, so events there run in
//! their own transactions on the pool (see [`Writes`]).

use std::future::Future;
use std::pin::Pin;

use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

use crate::error::AppError;
use crate::ssr::db::begin_write;

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

/// How learning events reach the database: grouped on SQLite, one transaction each on PostgreSQL.
#[derive(Clone, Debug)]
pub enum Writes {
    /// Each event opens its own write transaction.
    Direct(DatabaseConnection),
    /// Events queue for the single writer task.
    Grouped(GroupCommit),
}

impl Writes {
    /// Grouped for SQLite, direct otherwise. Must be called inside the tokio runtime (it starts the writer).
    pub fn for_database(db: &DatabaseConnection) -> Self {
        match db.get_database_backend() {
            sea_orm::DatabaseBackend::Sqlite => Writes::Grouped(GroupCommit::start(db.clone())),
            _ => Writes::Direct(db.clone()),
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
            Writes::Direct(db) => {
                let txn = begin_write(db).await?;
                let value = work(&txn).await?;
                txn.commit().await?;
                Ok(value)
            }
            Writes::Grouped(group) => group.run(work).await,
        }
    }
}

/// A plain connection writes directly: what tests and one-off commands use.
impl From<&DatabaseConnection> for Writes {
    fn from(db: &DatabaseConnection) -> Self {
        Writes::Direct(db.clone())
    }
}

/// The queue in front of SQLite's single writer; cheap to clone.
#[derive(Clone, Debug)]
pub struct GroupCommit {
    queue: mpsc::Sender<Job>,
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
            .send(job)
            .await
            .map_err(|_| AppError::Unavailable)?;
        // A batch dropped unanswered (the database refused to start a transaction) stored nothing.
        answered.await.unwrap_or(Err(AppError::Unavailable))
    }
}

/// Runs `work` in a savepoint of `txn`: released when it succeeds, rolled back when it fails, so a failed
/// event leaves nothing behind and the batch goes on.
async fn in_savepoint<T, F>(txn: &DatabaseTransaction, work: F) -> Result<T, AppError>
where
    F: for<'t> FnOnce(&'t DatabaseTransaction) -> TxnFuture<'t, T>,
{
    let savepoint = txn.begin().await?;
    match work(&savepoint).await {
        Ok(value) => {
            savepoint.commit().await?;
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback) = savepoint.rollback().await {
                tracing::warn!(error = %rollback, "could not roll back a failed learning event");
            }
            Err(error)
        }
    }
}

/// The writer: takes every job waiting and writes them as one batch, for as long as anyone can send.
async fn write_batches(db: DatabaseConnection, mut waiting: mpsc::Receiver<Job>) {
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

/// Runs `jobs` in one transaction, commits, then answers each with its own outcome or the commit's failure.
///
/// When the database itself fails under an event (its disk full, an I/O error, the lock not granted), SQLite
/// may already have rolled back the whole transaction, and anything run after it would commit on its own.
/// The batch stops there: it is rolled back, the events not yet run are answered "unavailable" without
/// running, and so is every event before it, whose work went with the transaction.
async fn write_batch(db: DatabaseConnection, jobs: Vec<Job>) {
    let txn = match begin_write(&db).await {
        Ok(txn) => txn,
        Err(error) => {
            // Dropping the jobs answers each caller "unavailable"; none of them ran.
            tracing::error!(%error, events = jobs.len(), "could not start a write transaction");
            return;
        }
    };
    let mut answers = Vec::with_capacity(jobs.len());
    let mut jobs = jobs.into_iter();
    let mut database_failed = false;
    for job in jobs.by_ref() {
        let ran = job(&txn).await;
        answers.push(ran.answer);
        if ran.database_failed {
            database_failed = true;
            break;
        }
    }
    let committed: Result<(), AppError> = if database_failed {
        // Dropping the events not run answers each of them "unavailable".
        drop(jobs);
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
