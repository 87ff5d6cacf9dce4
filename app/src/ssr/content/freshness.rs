//! Freshness is part of the content: every lesson and framework says when its facts were last checked
//! against their sources, and anything not checked within the review period is flagged (a warning from
//! `check` and at start-up, a list on the authoring page), never refused: an old lesson may still be right.

use chrono::NaiveDate;
use std::path::Path;

use super::diagnostics::ContentError;
use super::model::{CheckedOn, Library};

/// How long a check stays good. Set with `CONTENT_REVIEW_AFTER_DAYS`; a year by default, since NHS policy,
/// regulation and guidance move on about that fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewPolicy {
    pub review_after_days: u32,
}

impl Default for ReviewPolicy {
    fn default() -> Self {
        Self {
            review_after_days: 365,
        }
    }
}

/// Why a lesson or framework checked on some day is flagged for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewFlag {
    /// The date is still to come: a typo, or a check not yet done.
    InTheFuture,
    /// Checked longer ago than the review period.
    Due,
}

impl ReviewPolicy {
    /// Whether something last checked on `checked` (never, for `None`) is due for another check on `today`.
    pub fn is_due(self, checked: Option<NaiveDate>, today: NaiveDate) -> bool {
        checked.is_none_or(|date| (today - date).num_days() > i64::from(self.review_after_days))
    }

    /// Why something checked on `checked` is flagged on `today`, if it is: the one rule behind `check`'s
    /// warnings and start-up's count of what is due.
    pub fn flag(self, checked: NaiveDate, today: NaiveDate) -> Option<ReviewFlag> {
        if checked > today {
            Some(ReviewFlag::InTheFuture)
        } else if self.is_due(Some(checked), today) {
            Some(ReviewFlag::Due)
        } else {
            None
        }
    }

    /// Whether a lesson checked on `checked` (never, for `None`) is flagged on `today`.
    pub fn flags(self, checked: Option<NaiveDate>, today: NaiveDate) -> bool {
        checked.is_none_or(|date| self.flag(date, today).is_some())
    }
}

/// One warning per lesson or framework due for review, at the line that holds its date (or the top of a
/// lesson that has none), sorted by path and line like errors.
pub fn review_warnings(
    library: &Library,
    today: NaiveDate,
    policy: ReviewPolicy,
) -> Vec<ContentError> {
    let due = |checked: &CheckedOn, what: &str| {
        let message = match policy.flag(checked.date, today)? {
            ReviewFlag::InTheFuture => format!(
                "`checked` is {}, a day still to come: write the day the facts were actually checked",
                checked.date
            ),
            ReviewFlag::Due => format!(
                "{what} was last checked on {}, more than {} days ago: check it against its sources \
                 and update `checked`",
                checked.date, policy.review_after_days
            ),
        };
        Some(ContentError {
            path: checked.path.clone(),
            line: checked.line,
            column: checked.column,
            message,
        })
    };
    let mut warnings: Vec<ContentError> = library
        .frameworks
        .iter()
        .filter_map(|framework| due(&framework.checked, "this framework"))
        .collect();
    for lesson in library.modules.iter().flat_map(|m| &m.lessons) {
        warnings.extend(match &lesson.checked {
            Some(checked) => due(checked, "this lesson"),
            None => Some(unchecked(&lesson.path)),
        });
    }
    warnings.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    warnings
}

fn unchecked(path: &Path) -> ContentError {
    ContentError {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message: "this lesson does not say when its facts were last checked: add `checked = \"YYYY-MM-DD\"` \
                  to its front matter once they are"
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn a_check_is_good_for_the_review_period_and_not_a_day_more() {
        let policy = ReviewPolicy {
            review_after_days: 365,
        };
        let checked = Some(day("2025-12-01"));
        assert!(!policy.is_due(checked, day("2026-12-01")));
        assert!(policy.is_due(checked, day("2026-12-02")));
        assert!(policy.is_due(None, day("2026-12-01")));
    }

    #[test]
    fn never_checked_overdue_and_future_dates_are_flagged_and_nothing_else() {
        let policy = ReviewPolicy {
            review_after_days: 365,
        };
        let today = day("2026-12-01");
        assert_eq!(policy.flag(day("2026-06-01"), today), None);
        assert_eq!(policy.flag(day("2025-11-30"), today), Some(ReviewFlag::Due));
        assert_eq!(
            policy.flag(day("2026-12-02"), today),
            Some(ReviewFlag::InTheFuture)
        );
        assert!(policy.flags(None, today));
        assert!(policy.flags(Some(day("2026-12-02")), today));
        assert!(!policy.flags(Some(day("2026-06-01")), today));
    }
}
