//! Each table of the cohort dashboard as CSV, so a course lead can take any of them into a spreadsheet or a
//! report: the progress matrix, the completion funnel, overdue learners, assessment items and time on task.

use crate::error::AppError;
use crate::model::cohorts::CohortDashboard;
use crate::ssr::csv::to_csv;

/// A table of the cohort dashboard, named by its download's file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DashboardTable {
    Progress,
    Funnel,
    Overdue,
    Items,
    TimeOnTask,
}

impl DashboardTable {
    /// Every table, with the file name it downloads as.
    pub const ALL: [(DashboardTable, &'static str); 5] = [
        (DashboardTable::Progress, "progress.csv"),
        (DashboardTable::Funnel, "funnel.csv"),
        (DashboardTable::Overdue, "overdue.csv"),
        (DashboardTable::Items, "items.csv"),
        (DashboardTable::TimeOnTask, "time-on-task.csv"),
    ];

    /// The table a file name asks for, if any.
    pub fn from_file_name(name: &str) -> Option<DashboardTable> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(t, _)| *t)
    }

    /// The file name this table downloads as (and is asked for by).
    pub fn file_name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(t, _)| *t == self)
            .map_or("table.csv", |(_, n)| n)
    }
}

/// A figure to `decimals` places, or an empty cell when there is none.
fn optional(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(String::new, |v| format!("{v:.decimals$}"))
}

/// One table of the dashboard as CSV, with a header row, for the table's download link.
///
/// # Errors
///
/// [`AppError::Internal`] if the CSV cannot be written (see [`to_csv`]).
pub fn table_csv(dashboard: &CohortDashboard, table: DashboardTable) -> Result<String, AppError> {
    match table {
        DashboardTable::Progress => super::cohorts::dashboard_csv(dashboard),
        DashboardTable::Funnel => to_csv(
            &[
                "module",
                "members",
                "started",
                "all lessons completed",
                "module completed",
            ],
            dashboard.funnel.iter().map(|row| {
                vec![
                    row.module_title.clone(),
                    row.members.to_string(),
                    row.started.to_string(),
                    row.all_lessons.to_string(),
                    row.completed.to_string(),
                ]
            }),
        ),
        DashboardTable::Overdue => to_csv(
            &["learner", "module", "due"],
            dashboard
                .overdue
                .iter()
                .map(|(learner, module, due)| vec![learner.clone(), module.clone(), due.clone()]),
        ),
        DashboardTable::Items => {
            let mut rows = Vec::new();
            for analysis in &dashboard.item_analysis {
                for item in &analysis.items {
                    let (wrong, count) = item
                        .most_chosen_wrong
                        .as_ref()
                        .map_or((String::new(), String::new()), |(text, n)| {
                            (text.clone(), n.to_string())
                        });
                    rows.push(vec![
                        analysis.module_title.clone(),
                        analysis.learners.to_string(),
                        item.id.clone(),
                        item.prompt.clone(),
                        optional(item.facility, 3),
                        optional(item.discrimination, 3),
                        wrong,
                        count,
                    ]);
                }
            }
            to_csv(
                &[
                    "module",
                    "learners",
                    "question id",
                    "question",
                    "facility",
                    "discrimination",
                    "most chosen wrong option",
                    "chosen by",
                ],
                rows,
            )
        }
        DashboardTable::TimeOnTask => to_csv(
            &[
                "module",
                "lessons measured",
                "lessons not measured",
                "median minutes per lesson",
                "estimated minutes per lesson",
                "total hours measured",
            ],
            dashboard.time_on_task.iter().map(|row| {
                vec![
                    row.module_title.clone(),
                    row.measured.to_string(),
                    row.unmeasured.to_string(),
                    optional(row.median_minutes, 1),
                    optional(row.estimated_minutes, 1),
                    format!("{:.2}", row.total_hours),
                ]
            }),
        ),
    }
}
