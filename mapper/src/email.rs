//! E-mail addresses: the one rule that reads them, shared by the `email`
//! converter, `map --auto`'s choice of it and the runner's matching.
//!
//! Exports write addresses the way people typed or pasted them: with
//! spaces around, in capitals, as a `mailto:` link, with the display name of
//! a mail client (`Zoë O'Brien <zoe@example.com>`), or with the `;` or `,`
//! of an address list after them. An address is read out of that wrapping,
//! validated by the `email_address` library (RFC 5321/5322 syntax, a domain
//! of at least two labels, no IP literal) and written in lower case, the
//! form a CRM compares. A cell that holds two addresses is not one address.

use email_address::{EmailAddress, Options};

/// Why a cell holds no e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Two addresses or more in one cell (`a@example.com; b@example.com`).
    #[error(
        "holds {count} addresses; a field holds one (map the others to other fields, or split the column)"
    )]
    Several {
        /// How many addresses the cell holds.
        count: usize,
    },
    /// The text is no address.
    #[error("is not an e-mail address ({why})")]
    Invalid {
        /// What the library found wrong, in words.
        why: &'static str,
    },
}

/// Reads the address a cell holds, in lower case (`jose.munoz@example.com`
/// from ` JOSE.MUNOZ@EXAMPLE.COM `, `mailto:jose.munoz@example.com?subject=Hi`,
/// `José Muñoz <jose.munoz@example.com>` or `jose.munoz@example.com;`).
pub fn parse(text: &str) -> Result<String, EmailError> {
    let count = text.matches('@').count();
    let t = unwrap(text);
    if count > 1 && text.trim().contains([';', ',', ' ', '\t', '\n']) {
        return Err(EmailError::Several { count });
    }
    let options =
        Options::default().with_minimum_sub_domains(2).without_domain_literal().without_display_text();
    match EmailAddress::parse_with_options(t, options) {
        Ok(address) => Ok(address.as_str().to_lowercase()),
        Err(e) => Err(EmailError::Invalid { why: describe(&e) }),
    }
}

/// Each address of a cell that holds two or more, separated by `;`, `,`,
/// `/`, spaces or line breaks, when every part is one valid address.
pub fn several(cell: &str) -> Option<Vec<&str>> {
    if cell.matches('@').count() < 2 {
        return None;
    }
    let parts: Vec<&str> = cell
        .split(|c: char| matches!(c, ';' | ',' | '/' | '|') || c.is_whitespace())
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    (parts.len() >= 2 && parts.iter().all(|p| parse(p).is_ok())).then_some(parts)
}

/// The address inside its wrapping: spaces, quotes, `mailto:` and its
/// query, a display name's `<…>`, a list's trailing `;` or `,`.
fn unwrap(text: &str) -> &str {
    let mut t = text.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'');
    // `Name <address>`: the address is in the last brackets.
    if let Some(open) = t.rfind('<')
        && let Some(close) = t[open..].find('>')
    {
        t = &t[open + 1..open + close];
    }
    t = t.trim_matches(|c: char| c.is_whitespace() || matches!(c, ';' | ',' | '.' | '<' | '>' | '"' | '\''));
    if t.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("mailto:")) {
        t = &t[7..];
        t = t.split_once('?').map_or(t, |(address, _)| address);
    }
    t.trim()
}

fn describe(e: &email_address::Error) -> &'static str {
    use email_address::Error as E;
    match e {
        E::MissingSeparator => "no `@`",
        E::LocalPartEmpty => "nothing before the `@`",
        E::LocalPartTooLong => "more than 64 characters before the `@`",
        E::DomainEmpty => "nothing after the `@`",
        E::DomainTooLong | E::SubDomainTooLong => "a domain too long",
        E::DomainTooFew => "a domain without a `.`",
        E::SubDomainEmpty | E::DomainInvalidSeparator => "a misplaced `.` in the domain",
        E::UnbalancedQuotes => "unbalanced quotes",
        E::InvalidComment => "a malformed comment",
        E::InvalidIPAddress | E::UnsupportedDomainLiteral => "an IP address as the domain",
        E::InvalidCharacter | E::UnsupportedDisplayName | E::MissingDisplayName | E::MissingEndBracket => {
            "a character an address cannot hold"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_read_out_of_their_wrapping_in_lower_case() {
        for (cell, want) in [
            ("ann@example.com", "ann@example.com"),
            (" JOSE.MUNOZ@EXAMPLE.COM ", "jose.munoz@example.com"),
            ("mailto:renee.cote@example.com", "renee.cote@example.com"),
            ("MAILTO:renee.cote@example.com?subject=Hello", "renee.cote@example.com"),
            ("jurgen.muller@example.com;", "jurgen.muller@example.com"),
            ("jurgen.muller@example.com,", "jurgen.muller@example.com"),
            ("Zoe O'Brien <zoe.obrien@example.com>", "zoe.obrien@example.com"),
            ("\"O'Brien, Zoe\" <zoe.obrien@example.com>", "zoe.obrien@example.com"),
            ("<zoe.obrien@example.com>", "zoe.obrien@example.com"),
            ("'ann+crm@mail.example.co.uk'", "ann+crm@mail.example.co.uk"),
            ("zoë@bücher.de", "zoë@bücher.de"),
        ] {
            assert_eq!(parse(cell).as_deref(), Ok(want), "{cell:?}");
        }
    }

    #[test]
    fn text_that_is_no_single_address_is_refused_saying_why() {
        assert_eq!(parse("ann.example.com"), Err(EmailError::Invalid { why: "no `@`" }));
        assert_eq!(parse("ann@localhost"), Err(EmailError::Invalid { why: "a domain without a `.`" }));
        assert_eq!(parse("@example.com"), Err(EmailError::Invalid { why: "nothing before the `@`" }));
        assert_eq!(parse("ann@[10.0.0.1]"), Err(EmailError::Invalid { why: "an IP address as the domain" }));
        assert!(matches!(parse("ann smith@example.com"), Err(EmailError::Invalid { .. })));
        assert!(matches!(parse("416-555-0101"), Err(EmailError::Invalid { .. })));
        assert_eq!(parse("a@example.com; b@example.com"), Err(EmailError::Several { count: 2 }));
        assert_eq!(parse("a@example.com,b@example.com"), Err(EmailError::Several { count: 2 }));
        assert_eq!(parse("Ann <a@example.com>, Bo <b@example.com>"), Err(EmailError::Several { count: 2 }));
    }

    #[test]
    fn a_cell_of_several_valid_addresses_is_split_and_any_other_is_not() {
        assert_eq!(super::several("ann@x.com; ann.lee@y.org"), Some(vec!["ann@x.com", "ann.lee@y.org"]));
        assert_eq!(super::several("a@x.com, b@y.com / c@z.com"), Some(vec!["a@x.com", "b@y.com", "c@z.com"]));
        assert_eq!(super::several("ann@x.com"), None);
        assert_eq!(super::several("Ann <ann@x.com>; bob@y"), None, "one part is no address");
        assert_eq!(super::several("ann@x.com and bob@y.com"), None);
    }
}
