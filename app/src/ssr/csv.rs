//! CSV for exports that course leads and learners open in a spreadsheet: the progress matrix and the other
//! cohort tables, the portfolio, and the CSV files in the personal-data export.
//!
//! Every export is written by [`to_csv`], so quoting (done by the `csv` crate, to RFC 4180) and the
//! protection against spreadsheet formulas are the same everywhere.

use ::csv::{QuoteStyle, WriterBuilder};

use crate::error::AppError;
use crate::ssr::error::internal;

/// What the log says when a CSV file cannot be written.
const CONTEXT: &str = "writing a CSV file";

/// A CSV file: the `header` line, then one line per row, each ending in `\n`.
///
/// It exists so that every export quotes and neutralises its cells in one way. Header labels are quoted
/// only where CSV requires it (a comma, a quote or a line break). In the rows, every field that is not a
/// number is quoted and numbers are left bare (`QuoteStyle::NonNumeric`), so text stays text and figures
/// stay figures in a spreadsheet. A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return
/// (other than a plain number such as `-0.25`) gets a leading `'`, so a spreadsheet shows it as text
/// instead of running it as a formula (CSV injection). A header with no columns (an empty list in the
/// personal-data export) gives an empty file.
///
/// # Errors
///
/// [`AppError::Internal`] (with the cause logged) if a row's length differs from the header's, or if the
/// `csv` crate fails to write.
pub fn to_csv(
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<String, AppError> {
    if header.is_empty() {
        return Ok(String::new());
    }
    let mut head = WriterBuilder::new()
        .quote_style(QuoteStyle::Necessary)
        .from_writer(Vec::new());
    head.write_record(header.iter().map(|label| neutralised(label)))
        .map_err(|e| internal(CONTEXT, e))?;
    let bytes = head.into_inner().map_err(|e| internal(CONTEXT, e))?;
    let mut body = WriterBuilder::new()
        .quote_style(QuoteStyle::NonNumeric)
        .from_writer(bytes);
    for row in rows {
        if row.len() != header.len() {
            return Err(internal(
                CONTEXT,
                format!(
                    "a row of {} fields under a header of {}",
                    row.len(),
                    header.len()
                ),
            ));
        }
        body.write_record(row.iter().map(|cell| neutralised(cell)))
            .map_err(|e| internal(CONTEXT, e))?;
    }
    let bytes = body.into_inner().map_err(|e| internal(CONTEXT, e))?;
    String::from_utf8(bytes).map_err(|e| internal(CONTEXT, e))
}

/// The cell with a leading `'` if a spreadsheet would otherwise read it as a formula.
fn neutralised(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_number(value) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// Whether the value is a decimal number (an optional sign, digits and at most one point), which a
/// spreadsheet reads as that number and nothing else.
fn is_plain_number(value: &str) -> bool {
    let unsigned = value.strip_prefix(['-', '+']).unwrap_or(value);
    unsigned.bytes().any(|b| b.is_ascii_digit())
        && unsigned.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && unsigned.bytes().filter(|&b| b == b'.').count() <= 1
}

#[cfg(test)]
mod tests {
    use super::to_csv;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn quotes_text_but_not_numbers_or_plain_labels() {
        let csv = to_csv(
            &["name", "score", "a, b"],
            [
                row(&["Dr \"Ada\" Lovelace", "2", "0.67"]),
                row(&["1.1", "", "x"]),
            ],
        )
        .expect("csv");
        assert_eq!(
            csv,
            "name,score,\"a, b\"\n\"Dr \"\"Ada\"\" Lovelace\",2,0.67\n1.1,\"\",\"x\"\n"
        );
    }

    #[test]
    fn neutralises_formulas_but_not_negative_numbers() {
        let csv = to_csv(
            &["=SUM(A1)", "b", "c", "d"],
            [row(&["=HYPERLINK(\"x\")", "\t=1+1", "-0.250", "-1+1"])],
        )
        .expect("csv");
        assert_eq!(
            csv,
            "'=SUM(A1),b,c,d\n\"'=HYPERLINK(\"\"x\"\")\",\"'\t=1+1\",-0.250,\"'-1+1\"\n"
        );
    }

    #[test]
    fn refuses_a_row_of_the_wrong_length_and_writes_nothing_without_columns() {
        assert!(to_csv(&["a", "b"], [row(&["1"])]).is_err());
        assert_eq!(to_csv(&[], Vec::<Vec<String>>::new()).expect("csv"), "");
    }
}
