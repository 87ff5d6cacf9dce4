//! Time on task, where it can be measured: from the moment a learner first opened a lesson (its xAPI
//! "experienced" statement) to the moment they marked it complete.
//!
//! The engine sends no heartbeat from the browser, so this is a measurement of elapsed time, not of
//! attention. A gap longer than [`LONGEST_MEASURED`] means the learner left and came back, and says nothing
//! about the lesson; such completions, and those with no recorded opening, are counted as unmeasured rather
//! than guessed.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

use crate::error::AppError;
use crate::model::cohorts::TimeOnTaskRow;
use crate::ssr::entities::{lesson, lesson_progress, module, xapi_statement};
use crate::ssr::services::xapi::VERB_EXPERIENCED;

/// The longest opening-to-completion gap counted as time on task.
pub const LONGEST_MEASURED: Duration = Duration::hours(2);

fn median(sorted: &[f64]) -> Option<f64> {
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// Time on task for each module, over the given learners. Three queries whatever the cohort's size.
pub async fn for_modules(
    db: &DatabaseConnection,
    modules: &[module::Model],
    learners: &[i32],
) -> Result<Vec<TimeOnTaskRow>, AppError> {
    let module_ids: Vec<i32> = modules.iter().map(|m| m.id).collect();
    let completions: Vec<(i32, i32, String, DateTime<Utc>)> = lesson_progress::Entity::find()
        .select_only()
        .columns([
            lesson_progress::Column::AccountId,
            lesson_progress::Column::ModuleId,
            lesson_progress::Column::LessonSlug,
            lesson_progress::Column::CompletedAt,
        ])
        .filter(lesson_progress::Column::ModuleId.is_in(module_ids.clone()))
        .filter(lesson_progress::Column::AccountId.is_in(learners.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    let openings: Vec<(i32, i32, String, DateTime<Utc>)> = xapi_statement::Entity::find()
        .select_only()
        .columns([
            xapi_statement::Column::AccountId,
            xapi_statement::Column::ModuleId,
            xapi_statement::Column::LessonSlug,
            xapi_statement::Column::Timestamp,
        ])
        .filter(xapi_statement::Column::Verb.eq(VERB_EXPERIENCED))
        .filter(xapi_statement::Column::ModuleId.is_in(module_ids.clone()))
        .filter(xapi_statement::Column::LessonSlug.is_not_null())
        .filter(xapi_statement::Column::AccountId.is_in(learners.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    let estimates: Vec<(i32, i32)> = lesson::Entity::find()
        .select_only()
        .columns([lesson::Column::ModuleId, lesson::Column::Minutes])
        .filter(lesson::Column::ModuleId.is_in(module_ids))
        .into_tuple()
        .all(db)
        .await?;

    // Every opening of each lesson by each learner (one per module version), oldest first.
    let mut opened: HashMap<(i32, i32, &str), Vec<DateTime<Utc>>> = HashMap::new();
    for (account, module_id, lesson_slug, at) in &openings {
        opened
            .entry((*account, *module_id, lesson_slug))
            .or_default()
            .push(*at);
    }
    for times in opened.values_mut() {
        times.sort_unstable();
    }

    Ok(modules
        .iter()
        .map(|m| {
            let mut minutes = Vec::new();
            let mut unmeasured = 0u32;
            for (account, _, lesson_slug, completed_at) in
                completions.iter().filter(|c| c.1 == m.id)
            {
                // The latest opening before completing: the version of the lesson that was completed.
                let start = opened
                    .get(&(*account, m.id, lesson_slug.as_str()))
                    .and_then(|times| times.iter().rev().find(|t| *t <= completed_at));
                match start.map(|t| *completed_at - *t) {
                    Some(gap) if gap <= LONGEST_MEASURED => {
                        minutes.push(gap.num_milliseconds() as f64 / 60_000.0);
                    }
                    _ => unmeasured += 1,
                }
            }
            minutes.sort_unstable_by(f64::total_cmp);
            let lesson_minutes: Vec<f64> = estimates
                .iter()
                .filter(|(module_id, _)| *module_id == m.id)
                .map(|(_, minutes)| f64::from(*minutes))
                .collect();
            TimeOnTaskRow {
                module_title: m.title.clone(),
                measured: u32::try_from(minutes.len()).unwrap_or(u32::MAX),
                unmeasured,
                median_minutes: median(&minutes),
                estimated_minutes: (!lesson_minutes.is_empty())
                    .then(|| lesson_minutes.iter().sum::<f64>() / lesson_minutes.len() as f64),
                total_hours: minutes.iter().sum::<f64>() / 60.0,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[1.0, 2.0, 10.0, 20.0]), Some(6.0));
    }
}
