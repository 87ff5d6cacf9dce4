//! Each table of the cohort dashboard as CSV, so a course lead can take any of them into a spreadsheet or a
//! report: the progress matrix, the completion funnel, overdue learners, assessment items and time on task.

use crate::model::cohorts::CohortDashboard;
use crate::ssr::csv::field;

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

    pub fn file_name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(t, _)| *t == self)
            .map_or("table.csv", |(_, n)| n)
    }
}

fn line(fields: &[String]) -> String {
    let mut line = fields.join(",");
    line.push('\n');
    line
}

fn optional(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(String::new, |v| format!("{v:.decimals$}"))
}

/// One table of the dashboard as CSV, with a header row.
pub fn table_csv(dashboard: &CohortDashboard, table: DashboardTable) -> String {
    match table {
        DashboardTable::Progress => super::cohorts::dashboard_csv(dashboard),
        DashboardTable::Funnel => {
            let mut csv =
                String::from("module,members,started,all lessons completed,module completed\n");
            for row in &dashboard.funnel {
                csv.push_str(&line(&[
                    field(&row.module_title),
                    row.members.to_string(),
                    row.started.to_string(),
                    row.all_lessons.to_string(),
                    row.completed.to_string(),
                ]));
            }
            csv
        }
        DashboardTable::Overdue => {
            let mut csv = String::from("learner,module,due\n");
            for (learner, module, due) in &dashboard.overdue {
                csv.push_str(&line(&[field(learner), field(module), field(due)]));
            }
            csv
        }
        DashboardTable::Items => {
            let mut csv = String::from(
                "module,learners,question id,question,facility,discrimination,most chosen wrong option,chosen by\n",
            );
            for analysis in &dashboard.item_analysis {
                for item in &analysis.items {
                    let (wrong, count) = item
                        .most_chosen_wrong
                        .as_ref()
                        .map_or((String::new(), String::new()), |(text, n)| {
                            (text.clone(), n.to_string())
                        });
                    csv.push_str(&line(&[
                        field(&analysis.module_title),
                        analysis.learners.to_string(),
                        field(&item.id),
                        field(&item.prompt),
                        optional(item.facility, 3),
                        optional(item.discrimination, 3),
                        field(&wrong),
                        count,
                    ]));
                }
            }
            csv
        }
        DashboardTable::TimeOnTask => {
            let mut csv = String::from(
                "module,lessons measured,lessons not measured,median minutes per lesson,estimated minutes per lesson,total hours measured\n",
            );
            for row in &dashboard.time_on_task {
                csv.push_str(&line(&[
                    field(&row.module_title),
                    row.measured.to_string(),
                    row.unmeasured.to_string(),
                    optional(row.median_minutes, 1),
                    optional(row.estimated_minutes, 1),
                    format!("{:.2}", row.total_hours),
                ]));
            }
            csv
        }
    }
}
