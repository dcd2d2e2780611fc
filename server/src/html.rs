//! HTML building blocks: escaping, the page layout, tables' links, the
//! match-quality histogram (SVG drawn here, no script).

use ferry_runner::users::{Role, Session};

/// The stylesheet, embedded.
pub const STYLE: &str = include_str!("../assets/style.css");

/// Escapes text for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a value for a URL query.
pub fn url(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A whole document.
pub fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{} · ferry</title><link rel=\"stylesheet\" href=\"/assets/style.css\"></head><body>{body}</body></html>",
        esc(title)
    )
}

/// A signed-in page: the header (user, privilege, sign out), the flash
/// message of the last form (`msg`, `err`), and the body.
pub fn page(session: &Session, title: &str, flash: (Option<&str>, Option<&str>), body: &str) -> String {
    let role = match session.role {
        Role::Manage => "manage (ImportProcessManage)",
        Role::View => "view (ImportProcessView)",
    };
    let mut notes = String::new();
    if let Some(m) = flash.0 {
        notes.push_str(&format!("<p class=\"msg\" id=\"msg\">{}</p>", esc(m)));
    }
    if let Some(e) = flash.1 {
        notes.push_str(&format!("<p class=\"err\" id=\"err\">{}</p>", esc(e)));
    }
    let header = format!(
        "<header><a href=\"/\" class=\"brand\">ferry · Import workspace</a>\
<span class=\"who\">{} · {role} <form method=\"post\" action=\"/logout\" class=\"inline\">{}\
<button type=\"submit\" class=\"link\">Sign out</button></form></span></header>",
        esc(&session.user),
        csrf_field(session)
    );
    document(title, &format!("{header}<main>{notes}{body}</main>"))
}

/// The hidden CSRF field of a form.
pub fn csrf_field(session: &Session) -> String {
    format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", esc(&session.csrf))
}

/// A POST form with one button, back to `redirect` (a manage user's action).
pub fn action_button(session: &Session, action: &str, redirect: &str, label: &str, id: &str) -> String {
    if session.role != Role::Manage {
        return String::new();
    }
    format!(
        "<form method=\"post\" action=\"{}\" class=\"inline\">{}<input type=\"hidden\" name=\"_redirect\" value=\"{}\">\
<button type=\"submit\" id=\"{id}\">{}</button></form>",
        esc(action),
        csrf_field(session),
        esc(redirect),
        esc(label)
    )
}

/// Links to the previous and next pages of a paged table.
pub fn pager(base: &str, offset: u64, limit: u64, shown: usize, total: u64) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    let mut out = format!(
        "<nav class=\"pager\">{}–{} of {total} ",
        if shown == 0 { offset } else { offset + 1 },
        offset + shown as u64
    );
    if offset > 0 {
        out.push_str(&format!(
            "<a href=\"{}{sep}offset={}\" id=\"prev\">← previous</a> ",
            esc(base),
            offset.saturating_sub(limit)
        ));
    }
    if offset + (shown as u64) < total {
        out.push_str(&format!(
            "<a href=\"{}{sep}offset={}\" id=\"next\">next →</a>",
            esc(base),
            offset + limit
        ));
    }
    out.push_str("</nav>");
    out
}

/// The match-quality histogram: staged records per tenth of best quality.
pub fn histogram(counts: &[u64; 11], match_threshold: u32, potential_threshold: u32) -> String {
    let (width, height, left, bottom) = (440.0, 160.0, 36.0, 24.0);
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let bar = (width - left) / counts.len() as f64;
    let mut svg = format!(
        "<svg class=\"histogram\" id=\"histogram\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" \
xmlns=\"http://www.w3.org/2000/svg\"><title>Staged records by match quality</title>"
    );
    for (i, &n) in counts.iter().enumerate() {
        let h = (height - bottom - 12.0) * n as f64 / max;
        let x = left + i as f64 * bar;
        let y = height - bottom - h;
        let low = i as u32 * 10;
        let class = if low >= match_threshold {
            "match"
        } else if low >= potential_threshold {
            "potential"
        } else {
            "non"
        };
        let label = if i == 10 { "100".to_string() } else { format!("{low}–{}", low + 9) };
        svg.push_str(&format!(
            "<rect class=\"{class}\" x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\"><title>quality {label}: {n}</title></rect>",
            x + 2.0,
            bar - 4.0
        ));
        if n > 0 {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"count\">{n}</text>",
                x + bar / 2.0,
                y - 2.0
            ));
        }
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"axis\">{}</text>",
            x + bar / 2.0,
            height - bottom + 14.0,
            if i == 10 { "100".to_string() } else { low.to_string() }
        ));
    }
    svg.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{0}\" x2=\"{width}\" y2=\"{0}\" class=\"base\"/></svg>",
        height - bottom
    ));
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc("<a href=\"x\">O'Neil & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;"
        );
    }

    #[test]
    fn the_histogram_has_a_bar_per_tenth_and_counts_them() {
        let mut counts = [0u64; 11];
        counts[7] = 3;
        counts[10] = 1;
        let svg = histogram(&counts, 75, 50);
        assert_eq!(svg.matches("<rect").count(), 11);
        assert!(svg.contains("quality 70–79: 3"), "{svg}");
        assert!(svg.contains("quality 100: 1"), "{svg}");
    }
}
