//! Marking questions on the server, storing attempts, and enforcing an assessment's attempt policy.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::{BTreeSet, HashMap};

use super::catalogue::find_module;
use crate::error::AppError;
use crate::model::quizzes::{
    ASSESSMENT_SCOPE, AttemptView, QuestionKind, QuestionResult, QuestionView, QuizView,
};
use crate::ssr::content::{AssessmentSpec, QuestionSpec, RevealAnswers};
use crate::ssr::entities::quiz_attempt::AttemptScope;
use crate::ssr::entities::{lesson, module, quiz_attempt};
use crate::ssr::error::internal;

/// The learner's choices: question id → chosen option indices.
pub type Answers = HashMap<String, BTreeSet<usize>>;

/// Reads the form encoding (`answers[question][key] = index`) into [`Answers`].
pub fn parse_answers(form: &HashMap<String, HashMap<String, String>>) -> Result<Answers, AppError> {
    let mut answers = Answers::new();
    for (question, choices) in form {
        let chosen = answers.entry(question.clone()).or_default();
        for value in choices.values() {
            let index = value.trim().parse::<usize>().map_err(|_| {
                AppError::BadRequest(format!(
                    "answer `{value}` to question `{question}` is not an option number"
                ))
            })?;
            chosen.insert(index);
        }
    }
    Ok(answers)
}

/// The options a learner sees: true-false questions get "True" and "False".
fn option_texts(question: &QuestionSpec) -> Vec<String> {
    match question.kind {
        QuestionKind::TrueFalse => vec!["True".to_owned(), "False".to_owned()],
        _ => question.options.iter().map(|o| o.text.clone()).collect(),
    }
}

fn correct_options(question: &QuestionSpec) -> BTreeSet<usize> {
    match question.kind {
        QuestionKind::TrueFalse => {
            BTreeSet::from([if question.answer == Some(true) { 0 } else { 1 }])
        }
        _ => question
            .options
            .iter()
            .enumerate()
            .filter(|(_, o)| o.correct)
            .map(|(i, _)| i)
            .collect(),
    }
}

/// The answer key: every question answered correctly. For tooling that must pass an assessment (checking
/// that every shipped module issues a valid record); marking itself compares against the same key.
pub fn answer_key(questions: &[QuestionSpec]) -> Answers {
    questions
        .iter()
        .map(|q| (q.id.clone(), correct_options(q)))
        .collect()
}

/// Strips the answers: this is all the browser sees before submitting.
pub fn question_views(questions: &[QuestionSpec]) -> Vec<QuestionView> {
    questions
        .iter()
        .map(|q| QuestionView {
            id: q.id.clone(),
            kind: q.kind,
            prompt: q.prompt.clone(),
            options: option_texts(q),
        })
        .collect()
}

/// Marks answers. A question is right only when exactly the correct options were chosen (for
/// multiple-choice, all of them and nothing else); an unanswered question is wrong.
pub fn mark(questions: &[QuestionSpec], answers: &Answers) -> (Vec<QuestionResult>, u32) {
    let mut correct_count = 0;
    let results = questions
        .iter()
        .map(|q| {
            let chosen = answers.get(&q.id).cloned().unwrap_or_default();
            let right = correct_options(q);
            let correct = chosen == right;
            if correct {
                correct_count += 1;
            }
            let feedback = chosen
                .iter()
                .filter_map(|&i| q.options.get(i).and_then(|o| o.feedback.clone()))
                .collect();
            QuestionResult {
                id: q.id.clone(),
                correct,
                chosen: chosen.into_iter().collect(),
                correct_options: Some(right.into_iter().collect()),
                explanation: q.explanation.clone(),
                feedback,
            }
        })
        .collect();
    (results, correct_count)
}

/// Whether a learner may now see which options were correct: always for lesson checks (they are practice),
/// and for an assessment as its `reveal_answers` setting says, judged on every attempt so far.
pub fn answers_revealed(
    policy: Option<&AssessmentSpec>,
    passed: bool,
    attempts_used: usize,
) -> bool {
    let Some(policy) = policy else {
        return true;
    };
    let out_of_attempts = policy
        .max_attempts
        .is_some_and(|max| attempts_used >= max as usize);
    match policy.reveal_answers {
        RevealAnswers::AfterPass => passed,
        RevealAnswers::AfterFinalAttempt => passed || out_of_attempts,
        RevealAnswers::Never => false,
    }
}

/// Withholds the answer key from marked results: the learner still sees which questions were wrong and the
/// explanations, but not which options were correct, nor the per-option feedback (often naming the right
/// option).
pub fn withhold_answers(results: &mut [QuestionResult]) {
    for result in results {
        result.correct_options = None;
        result.feedback.clear();
    }
}

/// Whole-number percentage, rounded down (so 69.9% never passes a 70% mark).
pub fn score_percent(correct: u32, total: u32) -> u32 {
    (correct * 100).checked_div(total).unwrap_or(0)
}

/// The questions of one scope in the module's current version, and the assessment policy if any.
pub(crate) async fn questions_for<C: ConnectionTrait>(
    db: &C,
    found: &module::Model,
    scope: &str,
) -> Result<(Vec<QuestionSpec>, Option<AssessmentSpec>), AppError> {
    if scope == ASSESSMENT_SCOPE {
        let spec = match found.current_version(db).await?.assessment_spec()? {
            Some(spec) => spec,
            None => {
                return Err(AppError::NotFound(format!(
                    "An assessment for “{}”",
                    found.title
                )));
            }
        };
        Ok((spec.questions.clone(), Some(spec)))
    } else {
        let json: String = lesson::Entity::find()
            .select_only()
            .column(lesson::Column::Questions)
            .filter(lesson::Column::ModuleId.eq(found.id))
            .filter(lesson::Column::Slug.eq(scope))
            .into_tuple()
            .one(db)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("The lesson “{scope}”")))?;
        let questions =
            serde_json::from_str(&json).map_err(|e| internal("reading lesson questions", e))?;
        Ok((questions, None))
    }
}

/// The learner's attempts at one scope, oldest first.
pub(crate) async fn attempts<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    module_id: i32,
    scope: &str,
) -> Result<Vec<quiz_attempt::Model>, AppError> {
    Ok(quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::AccountId.eq(account_id))
        .filter(quiz_attempt::Column::ModuleId.eq(module_id))
        .filter(quiz_attempt::Column::Scope.eq(AttemptScope::named(scope)))
        .order_by_asc(quiz_attempt::Column::SubmittedAt)
        .order_by_asc(quiz_attempt::Column::Id)
        .all(db)
        .await?)
}

/// How many attempts the learner has used: the highest attempt number, so attempts removed by the retention
/// limit are still counted (and never handed back); the count for rows from before numbering.
pub fn attempts_used(previous: &[quiz_attempt::Model]) -> usize {
    previous
        .iter()
        .filter_map(|a| a.attempt_number)
        .filter_map(|n| usize::try_from(n).ok())
        .max()
        .unwrap_or(0)
        .max(previous.len())
}

/// Whether another attempt is allowed now, and if not, from when (None: never, out of attempts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptPermission {
    Allowed,
    AlreadyPassed,
    OutOfAttempts,
    WaitUntil(DateTime<Utc>),
}

/// An assessment's attempt policy applied to the attempts so far. Lesson checks are always open.
pub fn permission(
    policy: Option<&AssessmentSpec>,
    previous: &[quiz_attempt::Model],
    now: DateTime<Utc>,
) -> AttemptPermission {
    let Some(policy) = policy else {
        return AttemptPermission::Allowed;
    };
    if previous.iter().any(|a| a.passed) {
        return AttemptPermission::AlreadyPassed;
    }
    if let Some(max) = policy.max_attempts
        && attempts_used(previous) >= max as usize
    {
        return AttemptPermission::OutOfAttempts;
    }
    if let (Some(hours), Some(last)) = (policy.cooldown_hours, previous.last()) {
        let next = last.submitted_at + Duration::hours(i64::from(hours));
        if next > now {
            return AttemptPermission::WaitUntil(next);
        }
    }
    AttemptPermission::Allowed
}

fn attempt_view(
    attempt: &quiz_attempt::Model,
    questions: &[QuestionSpec],
    revealed: bool,
) -> Result<AttemptView, AppError> {
    let answers: Answers = serde_json::from_str(&attempt.answers).map_err(|e| {
        internal(
            "reading an attempt",
            format!("quiz_attempt {}: {e}", attempt.id),
        )
    })?;
    let (mut results, correct) = mark(questions, &answers);
    if !revealed {
        withhold_answers(&mut results);
    }
    Ok(AttemptView {
        answers_revealed: revealed,
        attempt_id: attempt.id,
        correct,
        total: u32::try_from(results.len()).unwrap_or(0),
        score: u32::try_from(attempt.score).unwrap_or(0),
        passed: attempt.passed,
        submitted_at: attempt.submitted_at.to_rfc3339(),
        results,
    })
}

/// The quiz page's data for a scope.
pub async fn quiz_view(
    db: &DatabaseConnection,
    module_slug: &str,
    scope: &str,
    account_id: Option<i32>,
) -> Result<QuizView, AppError> {
    let found = find_module(db, module_slug).await?;
    let (questions, policy) = questions_for(db, &found, scope).await?;
    let previous = match account_id {
        Some(id) => attempts(db, id, found.id, scope).await?,
        None => Vec::new(),
    };
    let permission = permission(policy.as_ref(), &previous, Utc::now());
    let passed = previous.iter().any(|a| a.passed);
    let revealed = answers_revealed(policy.as_ref(), passed, attempts_used(&previous));
    let last_attempt = match previous.last() {
        Some(last) if last.module_version == found.version => {
            Some(attempt_view(last, &questions, revealed)?)
        }
        _ => None,
    };
    Ok(QuizView {
        module_slug: found.slug,
        module_title: found.title,
        scope: scope.to_owned(),
        questions: question_views(&questions),
        pass_mark: policy.as_ref().map(|p| p.pass_mark),
        attempts_used: u32::try_from(attempts_used(&previous)).unwrap_or(u32::MAX),
        max_attempts: policy.as_ref().and_then(|p| p.max_attempts),
        next_attempt_at: match &permission {
            AttemptPermission::WaitUntil(at) => Some(at.to_rfc3339()),
            _ => None,
        },
        can_attempt: account_id.is_some() && permission == AttemptPermission::Allowed,
        signed_in: account_id.is_some(),
        last_attempt,
        passed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::content::OptionSpec;

    fn choice(id: &str, kind: QuestionKind, correct: &[bool]) -> QuestionSpec {
        QuestionSpec {
            id: id.into(),
            kind,
            prompt: "?".into(),
            explanation: "because".into(),
            options: correct
                .iter()
                .enumerate()
                .map(|(i, &c)| OptionSpec {
                    text: format!("option {i}"),
                    correct: c,
                    feedback: (!c).then(|| format!("not {i}")),
                })
                .collect(),
            answer: None,
        }
    }

    fn answers(pairs: &[(&str, &[usize])]) -> Answers {
        pairs
            .iter()
            .map(|(id, chosen)| ((*id).to_owned(), chosen.iter().copied().collect()))
            .collect()
    }

    #[test]
    fn multiple_choice_needs_every_correct_option_and_no_wrong_one() {
        let q = [choice("m", QuestionKind::Multiple, &[true, false, true])];
        assert_eq!(mark(&q, &answers(&[("m", &[0, 2])])).1, 1);
        assert_eq!(
            mark(&q, &answers(&[("m", &[0])])).1,
            0,
            "partly right is wrong"
        );
        assert_eq!(
            mark(&q, &answers(&[("m", &[0, 1, 2])])).1,
            0,
            "a wrong extra is wrong"
        );
    }

    #[test]
    fn true_false_and_single_choice_are_marked_with_feedback_for_the_chosen_option() {
        let mut tf = choice("tf", QuestionKind::TrueFalse, &[]);
        tf.answer = Some(false);
        let single = choice("s", QuestionKind::Single, &[false, true]);
        let (results, correct) = mark(&[tf, single], &answers(&[("tf", &[1]), ("s", &[0])]));
        assert_eq!(correct, 1);
        assert!(results[0].correct);
        assert!(!results[1].correct);
        assert_eq!(results[1].feedback, ["not 0"]);
        assert_eq!(results[1].correct_options, Some(vec![1]));
    }

    #[test]
    fn unanswered_questions_count_as_wrong_and_scores_round_down() {
        let q = [
            choice("a", QuestionKind::Single, &[true, false]),
            choice("b", QuestionKind::Single, &[true, false]),
            choice("c", QuestionKind::Single, &[true, false]),
        ];
        let (_, correct) = mark(&q, &answers(&[("a", &[0]), ("b", &[0])]));
        assert_eq!(correct, 2);
        assert_eq!(score_percent(correct, 3), 66);
    }

    #[test]
    fn the_browser_view_carries_no_answers() {
        let views = question_views(&[choice("a", QuestionKind::Single, &[true, false])]);
        let json = serde_json::to_string(&views).expect("serialise");
        assert!(
            !json.contains("correct") && !json.contains("feedback") && !json.contains("because"),
            "{json}"
        );
    }

    fn attempt(passed: bool, hours_ago: i64) -> quiz_attempt::Model {
        quiz_attempt::Model {
            id: 1,
            account_id: 1,
            module_id: 1,
            module_version: 1,
            scope: AttemptScope::Assessment,
            answers: "{}".into(),
            correct: 0,
            total: 1,
            score: 0,
            passed,
            submitted_at: Utc::now() - Duration::hours(hours_ago),
            attempt_number: Some(1),
        }
    }

    #[test]
    fn answers_are_revealed_only_as_the_assessment_allows() {
        let policy = |reveal| AssessmentSpec {
            pass_mark: 70,
            max_attempts: Some(3),
            cooldown_hours: None,
            reveal_answers: reveal,
            questions: Vec::new(),
        };
        let after_final = policy(RevealAnswers::AfterFinalAttempt);
        assert!(!answers_revealed(Some(&after_final), false, 1));
        assert!(!answers_revealed(Some(&after_final), false, 2));
        assert!(answers_revealed(Some(&after_final), false, 3));
        assert!(answers_revealed(Some(&after_final), true, 1));
        let after_pass = policy(RevealAnswers::AfterPass);
        assert!(!answers_revealed(Some(&after_pass), false, 3));
        assert!(answers_revealed(Some(&after_pass), true, 2));
        let never = policy(RevealAnswers::Never);
        assert!(!answers_revealed(Some(&never), true, 3));
        let unlimited = AssessmentSpec {
            max_attempts: None,
            ..after_final
        };
        assert!(!answers_revealed(Some(&unlimited), false, 50));
        assert!(
            answers_revealed(None, false, 1),
            "lesson checks are practice"
        );
    }

    #[test]
    fn attempts_removed_by_retention_are_still_counted() {
        let mut second = attempt(false, 1);
        second.attempt_number = Some(2);
        assert_eq!(
            attempts_used(&[second]),
            2,
            "attempt 1 was deleted, not handed back"
        );
        assert_eq!(attempts_used(&[]), 0);
    }

    #[test]
    fn attempt_policy_enforces_limits_and_cooldown() {
        let policy = AssessmentSpec {
            pass_mark: 70,
            max_attempts: Some(2),
            cooldown_hours: Some(24),
            reveal_answers: RevealAnswers::default(),
            questions: Vec::new(),
        };
        let now = Utc::now();
        assert_eq!(
            permission(Some(&policy), &[], now),
            AttemptPermission::Allowed
        );
        assert!(matches!(
            permission(Some(&policy), &[attempt(false, 1)], now),
            AttemptPermission::WaitUntil(_)
        ));
        assert_eq!(
            permission(Some(&policy), &[attempt(false, 25)], now),
            AttemptPermission::Allowed
        );
        assert_eq!(
            permission(
                Some(&policy),
                &[attempt(false, 50), attempt(false, 25)],
                now
            ),
            AttemptPermission::OutOfAttempts
        );
        assert_eq!(
            permission(Some(&policy), &[attempt(true, 1)], now),
            AttemptPermission::AlreadyPassed
        );
        assert_eq!(
            permission(None, &[attempt(false, 0)], now),
            AttemptPermission::Allowed
        );
    }
}
