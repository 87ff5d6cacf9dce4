//! CSV for exports that course leads and learners open in a spreadsheet.

/// One quoted CSV field. A value starting with `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet
/// shows it as text instead of running it as a formula (CSV injection).
pub fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    format!("\"{}\"", value.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn quotes_and_neutralises_formulas() {
        assert_eq!(field("Dr \"Ada\" Lovelace"), "\"Dr \"\"Ada\"\" Lovelace\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("\t=1+1"), "\"'\t=1+1\"");
    }
}
