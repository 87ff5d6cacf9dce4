//! A soak: many learners at once through the real HTTP stack (a TCP socket, the production router and
//! middleware), each reading lessons, marking them complete, answering the lesson quizzes and taking the
//! assessment, for a bounded time. What the server acknowledged is then counted in the database.
//!
//! Used by the suite's short soak (`tests/suite/soak.rs`, a few seconds on each database) and by
//! `scripts/soak` (the release server, 500 learners, a minute; figures in RELIABILITY.md).

use app::ssr::content::Library;
use app::ssr::entities::{completion_record, lesson_progress, module};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One module as a learner works through it: its lessons (each with the form fields that answer its quiz
/// correctly, if it has one) and the fields that pass its assessment.
#[derive(Debug, Clone)]
pub struct Course {
    pub slug: String,
    pub lessons: Vec<(String, Vec<(String, String)>)>,
    pub assessment: Option<Vec<(String, String)>>,
}

/// The courses of a loaded library, fewest lessons first (so a short run still reaches assessments).
pub fn courses(library: &Library) -> Vec<Course> {
    let fields = |questions: &[app::ssr::content::QuestionSpec]| -> Vec<(String, String)> {
        let mut fields = Vec::new();
        for (question, chosen) in app::ssr::services::quizzes::answer_key(questions) {
            for option in chosen {
                fields.push((
                    format!("answers[{question}][o{option}]"),
                    option.to_string(),
                ));
            }
        }
        fields
    };
    let mut courses: Vec<Course> = library
        .modules
        .iter()
        .map(|m| Course {
            slug: m.slug.clone(),
            lessons: m
                .lessons
                .iter()
                .map(|l| (l.slug.clone(), fields(&l.questions)))
                .collect(),
            assessment: m.assessment.as_ref().map(|a| fields(&a.questions)),
        })
        .collect();
    courses.sort_by_key(|c| (c.lessons.len(), c.slug.clone()));
    courses
}

/// A signed-in learner: the account and the session cookie's value.
#[derive(Debug, Clone)]
pub struct Learner {
    pub account_id: i32,
    pub cookie: String,
}

/// Creates `count` learners with live sessions (see `load`).
pub async fn learners(db: &DatabaseConnection, count: usize) -> anyhow::Result<Vec<Learner>> {
    let accounts = crate::load::create_accounts(db, count).await?;
    let learners = &accounts[1..];
    let cookies = crate::load::sign_in(db, learners, "soak").await?;
    Ok(learners
        .iter()
        .zip(cookies)
        .map(|(a, cookie)| Learner {
            account_id: a.id,
            cookie,
        })
        .collect())
}

/// What a run saw.
#[derive(Debug, Default)]
pub struct SoakReport {
    pub requests: u64,
    /// Responses by status code.
    pub statuses: BTreeMap<u16, u64>,
    /// The first few 5xx answers and transport failures, each as `METHOD path: what`.
    pub failures: Vec<String>,
    pub failure_count: u64,
    /// Lesson completions the server acknowledged (200), as (account, module, lesson).
    pub completions: Vec<(i32, String, String)>,
    pub quizzes_marked: u64,
    pub assessments_marked: u64,
    /// Every request's time, in microseconds, sorted after the run.
    pub latencies_us: Vec<u64>,
    pub elapsed: Duration,
}

impl SoakReport {
    /// The latency at `fraction` (0.5 for the median), in milliseconds.
    pub fn percentile_ms(&self, fraction: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let last = self.latencies_us.len() - 1;
        let at = ((last as f64) * fraction).round() as usize;
        self.latencies_us[at.min(last)] as f64 / 1000.0
    }

    /// A one-line summary for logs and RELIABILITY.md.
    pub fn summary(&self) -> String {
        format!(
            "{} requests in {:.1} s ({:.0}/s), statuses {:?}, {} completions acknowledged, {} quizzes and {} assessments marked, p50 {:.1} ms, p99 {:.1} ms, {} failures",
            self.requests,
            self.elapsed.as_secs_f64(),
            self.requests as f64 / self.elapsed.as_secs_f64().max(0.001),
            self.statuses,
            self.completions.len(),
            self.quizzes_marked,
            self.assessments_marked,
            self.percentile_ms(0.5),
            self.percentile_ms(0.99),
            self.failure_count,
        )
    }
}

/// Shared by the learners' tasks.
struct Tally {
    report: Mutex<SoakReport>,
}

impl Tally {
    fn count(&self, change: impl FnOnce(&mut SoakReport)) {
        if let Ok(mut report) = self.report.lock() {
            change(&mut report);
        }
    }

    fn note(
        &self,
        method: &str,
        path: &str,
        outcome: &Result<(u16, String), String>,
        took: Duration,
    ) {
        let Ok(mut report) = self.report.lock() else {
            return;
        };
        report.requests += 1;
        report
            .latencies_us
            .push(u64::try_from(took.as_micros()).unwrap_or(u64::MAX));
        let failure = match outcome {
            Ok((status, body)) => {
                *report.statuses.entry(*status).or_default() += 1;
                (*status >= 500).then(|| format!("{method} {path}: {status} {}", first_line(body)))
            }
            Err(error) => Some(format!("{method} {path}: {error}")),
        };
        if let Some(failure) = failure {
            report.failure_count += 1;
            if report.failures.len() < 20 {
                report.failures.push(failure);
            }
        }
    }
}

fn first_line(body: &str) -> String {
    body.chars().take(200).collect()
}

/// Runs `learners` against the server at `base` (e.g. `http://127.0.0.1:3000`) until `length` has passed.
/// Every `tabs_every`-th learner works in two tabs at once (the same steps, racing each other).
pub async fn run(
    base: String,
    learners: Vec<Learner>,
    courses: Arc<[Course]>,
    length: Duration,
    tabs_every: usize,
) -> SoakReport {
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(learners.len())
        .timeout(Duration::from_secs(30))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            return SoakReport {
                failures: vec![format!("cannot build an HTTP client: {e}")],
                failure_count: 1,
                ..SoakReport::default()
            };
        }
    };
    let tally = Arc::new(Tally {
        report: Mutex::new(SoakReport::default()),
    });
    let started = Instant::now();
    let deadline = started + length;
    let mut tasks = tokio::task::JoinSet::new();
    for (n, learner) in learners.into_iter().enumerate() {
        let tabs = if tabs_every > 0 && n.is_multiple_of(tabs_every) {
            2
        } else {
            1
        };
        for _ in 0..tabs {
            let walk = Walk {
                client: client.clone(),
                base: base.trim_end_matches('/').to_owned(),
                learner: learner.clone(),
                courses: courses.clone(),
                tally: tally.clone(),
                deadline,
                cut_off: std::sync::atomic::AtomicBool::new(false),
            };
            tasks.spawn(walk.run(n));
        }
    }
    while tasks.join_next().await.is_some() {}
    let mut report = match Arc::try_unwrap(tally) {
        Ok(tally) => tally.report.into_inner().unwrap_or_default(),
        Err(shared) => shared
            .report
            .lock()
            .map(|mut r| std::mem::take(&mut *r))
            .unwrap_or_default(),
    };
    report.elapsed = started.elapsed();
    report.latencies_us.sort_unstable();
    report
}

/// One learner (in one tab) working through the courses in turn.
struct Walk {
    client: reqwest::Client,
    base: String,
    learner: Learner,
    courses: Arc<[Course]>,
    tally: Arc<Tally>,
    deadline: Instant,
    /// Set when the server could not be reached: the learner gives up (as a browser shows an error page)
    /// instead of retrying in a tight loop.
    cut_off: std::sync::atomic::AtomicBool,
}

impl Walk {
    fn over(&self) -> bool {
        Instant::now() >= self.deadline || self.cut_off.load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn run(self, n: usize) {
        let count = self.courses.len();
        if count == 0 {
            return;
        }
        // Every fourth learner tries the assessment before the lessons (as a confident learner may), so a
        // short run marks assessments as well as lessons.
        let assessment_first = n.is_multiple_of(4);
        for step in 0.. {
            let course = &self.courses[(n + step) % count];
            if !self.take(course, assessment_first).await {
                return;
            }
        }
    }

    /// Works through one course; false once the time is up.
    async fn take(&self, course: &Course, assessment_first: bool) -> bool {
        let module = course.slug.as_str();
        self.post("/api/enrol", &[("module".into(), module.into())])
            .await;
        if assessment_first && !self.assess(course).await {
            return false;
        }
        for (lesson, quiz) in &course.lessons {
            if self.over() {
                return false;
            }
            self.get(&format!("/modules/{module}/lessons/{lesson}"))
                .await;
            if !quiz.is_empty() {
                let mut fields = vec![
                    ("module".to_owned(), module.to_owned()),
                    ("scope".to_owned(), lesson.clone()),
                ];
                fields.extend(quiz.iter().cloned());
                if self.post("/api/submit-quiz", &fields).await == Some(200) {
                    self.tally.count(|r| r.quizzes_marked += 1);
                }
            }
            let answer = self
                .post(
                    "/api/complete-lesson",
                    &[
                        ("module".into(), module.into()),
                        ("lesson".into(), lesson.clone()),
                    ],
                )
                .await;
            if answer == Some(200) {
                let done = (self.learner.account_id, module.to_owned(), lesson.clone());
                self.tally.count(|r| r.completions.push(done));
            }
        }
        if !assessment_first && !self.assess(course).await {
            return false;
        }
        !self.over()
    }

    /// Takes the course's assessment, if it has one; false once the time is up.
    async fn assess(&self, course: &Course) -> bool {
        let module = course.slug.as_str();
        if let Some(assessment) = &course.assessment {
            if self.over() {
                return false;
            }
            self.get(&format!("/modules/{module}/assessment")).await;
            let mut fields = vec![
                ("module".to_owned(), module.to_owned()),
                ("scope".to_owned(), "assessment".to_owned()),
            ];
            fields.extend(assessment.iter().cloned());
            if self.post("/api/submit-quiz", &fields).await == Some(200) {
                self.tally.count(|r| r.assessments_marked += 1);
            }
        }
        !self.over()
    }

    async fn get(&self, path: &str) -> Option<u16> {
        let request = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", format!("academy_session={}", self.learner.cookie))
            .header("accept", "text/html");
        self.send("GET", path, request).await
    }

    /// A server function called the way the hydrated page calls it (JSON answer).
    async fn post(&self, path: &str, fields: &[(String, String)]) -> Option<u16> {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", format!("academy_session={}", self.learner.cookie))
            .header("accept", "application/json")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_body(fields));
        self.send("POST", path, request).await
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        request: reqwest::RequestBuilder,
    ) -> Option<u16> {
        let started = Instant::now();
        let outcome = match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let body = response.text().await.unwrap_or_default();
                Ok((status, body))
            }
            Err(e) => {
                self.cut_off
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                Err(e.to_string())
            }
        };
        self.tally.note(method, path, &outcome, started.elapsed());
        outcome.ok().map(|(status, _)| status)
    }
}

fn form_body(fields: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// What the database holds against what the server acknowledged.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Reconciliation {
    pub acknowledged: usize,
    /// Acknowledged completions with no row: must be empty.
    pub lost: Vec<(i32, String, String)>,
    /// Completion records by (account, module) held more than once: must be empty.
    pub issued_twice: Vec<(i32, i32, usize)>,
    pub records: usize,
}

/// Counts every acknowledged completion in `lesson_progress`, and looks for records issued twice.
pub async fn reconcile(
    db: &DatabaseConnection,
    report: &SoakReport,
) -> Result<Reconciliation, sea_orm::DbErr> {
    let accounts: HashSet<i32> = report.completions.iter().map(|c| c.0).collect();
    let slugs: HashMap<i32, String> = module::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.slug))
        .collect();
    let mut stored: HashSet<(i32, String, String)> = HashSet::new();
    let ids: Vec<i32> = accounts.iter().copied().collect();
    for chunk in ids.chunks(500) {
        for row in lesson_progress::Entity::find()
            .filter(lesson_progress::Column::AccountId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            if let Some(slug) = slugs.get(&row.module_id) {
                stored.insert((row.account_id, slug.clone(), row.lesson_slug));
            }
        }
    }
    let unique: HashSet<&(i32, String, String)> = report.completions.iter().collect();
    let mut lost: Vec<(i32, String, String)> = unique
        .into_iter()
        .filter(|c| !stored.contains(*c))
        .cloned()
        .collect();
    lost.sort();
    let mut per_pair: BTreeMap<(i32, i32), usize> = BTreeMap::new();
    let records = completion_record::Entity::find().all(db).await?;
    // Module records only (the soak's content has no pathways).
    for record in &records {
        if let Some(module_id) = record.module_id {
            *per_pair.entry((record.account_id, module_id)).or_default() += 1;
        }
    }
    Ok(Reconciliation {
        acknowledged: report.completions.len(),
        lost,
        issued_twice: per_pair
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|((a, m), n)| (a, m, n))
            .collect(),
        records: records.len(),
    })
}
