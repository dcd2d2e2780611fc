//! Text that was UTF-8, read once as Windows-1252 and saved again as UTF-8
//! (mojibake: `JosÃ©` for `José`, `Ã‰milie` for `Émilie`, `â€™` for `’`).
//! Legacy systems that pass exports through a Latin-1 step write it. The
//! repair is exact: the text's characters, written back as Windows-1252
//! bytes, are valid UTF-8 again. Names and addresses never hold `Ã©` as
//! written, so text that repairs so is repaired (with a warning, by the
//! caller); text that does not is left alone.

use encoding_rs::WINDOWS_1252;

/// The text `value` was before it was read as Windows-1252, when it is
/// mojibake; `None` when it is not (ASCII, real accents, or characters
/// Windows-1252 cannot write).
pub fn repair(value: &str) -> Option<String> {
    if value.is_ascii() || !looks_double_encoded(value) {
        return None;
    }
    let (bytes, _, unmappable) = WINDOWS_1252.encode(value);
    if unmappable {
        return None;
    }
    let repaired = std::str::from_utf8(&bytes).ok()?;
    (repaired != value).then(|| repaired.to_string())
}

/// Whether some character is a UTF-8 lead byte read as Windows-1252 (`Â`
/// to `ô`) followed by one that is a continuation byte read so (0x80 to
/// 0xBF: `€`, `‰`, `©`, `¼` and the like): the shape every repaired
/// character has. A cheap filter before encoding the whole value.
fn looks_double_encoded(value: &str) -> bool {
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if ('\u{c2}'..='\u{f4}').contains(&c)
            && let Some(&next) = chars.peek()
            && is_continuation(next)
        {
            return true;
        }
    }
    false
}

/// Whether `c` is what Windows-1252 reads a byte 0x80–0xBF as.
fn is_continuation(c: char) -> bool {
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = WINDOWS_1252.encode(c.encode_utf8(&mut buf));
    !unmappable && bytes.len() == 1 && (0x80..=0xbf).contains(&bytes[0])
}

#[cfg(test)]
mod tests {
    use super::repair;

    #[test]
    fn double_encoded_text_is_repaired() {
        assert_eq!(repair("JosÃ©").as_deref(), Some("José"));
        assert_eq!(repair("MÃ¼ller").as_deref(), Some("Müller"));
        assert_eq!(repair("Ã‰milie CÃ´tÃ©").as_deref(), Some("Émilie Côté"));
        assert_eq!(repair("Oâ€™Brien").as_deref(), Some("O’Brien"));
        assert_eq!(repair("MontrÃ©al, QuÃ©bec").as_deref(), Some("Montréal, Québec"));
    }

    #[test]
    fn real_text_is_left_alone() {
        for text in [
            "José",
            "Müller",
            "Zoë O'Brien",
            "Smith",
            "Çağlar",
            "Ørsted",
            "Ægir",
            "Ã",
            "naïve — café",
            "東京",
        ] {
            assert_eq!(repair(text), None, "{text}");
        }
        // Characters Windows-1252 cannot write: not mojibake of this kind.
        assert_eq!(repair("Ã© Ł"), None);
    }
}
