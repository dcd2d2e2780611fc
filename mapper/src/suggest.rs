//! "Did you mean …?": the known name nearest to a mistyped one (Jaro–Winkler,
//! through strsim), for target names and template keys.

/// How alike two names must be (Jaro–Winkler, 0 to 1) to suggest one for the other.
const THRESHOLD: f64 = 0.8;

/// The candidate most like `word` (any case), if one is alike enough and not `word` itself.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= THRESHOLD)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// ` (did you mean `x`?)`, or nothing.
pub fn suffix<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(word, candidates).map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn near_names_are_suggested_and_far_ones_not() {
        let targets = ["contacts", "leads"];
        assert_eq!(did_you_mean("contax", targets), Some("contacts"));
        assert_eq!(did_you_mean("lead", targets), Some("leads"));
        assert_eq!(did_you_mean("Contacts", targets), Some("contacts"));
        assert_eq!(did_you_mean("invoices", targets), None);
        let keys = ["column", "field", "converter", "nullValue"];
        assert_eq!(did_you_mean("colum", keys), Some("column"));
        assert_eq!(did_you_mean("feild", keys), Some("field"));
        assert_eq!(did_you_mean("nullvalue", keys), Some("nullValue"));
        assert_eq!(did_you_mean("zzz", keys), None);
    }
}
