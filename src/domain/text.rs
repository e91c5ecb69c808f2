//! Text from servers and files, made safe to print: control characters
//! (an escape sequence can retitle a terminal or hide a line) and the
//! invisible format characters (a right-to-left override shows a name
//! backwards) are shown as `\u{1b}`-style escapes instead of being sent to
//! the terminal.

use std::borrow::Cow;

/// A character that changes how text around it is shown rather than
/// showing itself: controls (but tab), bidi embeddings, overrides and
/// isolates, zero-width characters and the other invisible format marks.
pub fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// Whether `text` shows as what it is: no hidden character (see
/// [`is_hidden`]) in it.
pub fn is_plain(text: &str) -> bool {
    !text.chars().any(is_hidden)
}

/// `text` with every hidden character (see [`is_hidden`]) escaped.
pub fn printable(text: &str) -> Cow<'_, str> {
    if is_plain(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hidden(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` cut to at most `max` characters, the cut said with "…".
pub fn cut(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max.saturating_sub(1)) {
        Some((end, _)) if text[end..].chars().nth(1).is_some() => {
            Cow::Owned(format!("{}…", &text[..end]))
        }
        _ => Cow::Borrowed(text),
    }
}

/// `text` without the source locations some libraries put in their errors
/// (`os error at /home/…/winit-0.30/src/…/mod.rs:765: reason`): a user
/// gets the reason, not the build machine's paths.
pub fn without_source_locations(text: &str) -> String {
    static LOCATION: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\s*\bat\s+\S+\.rs:\d+(?::\d+)?:").expect("a valid pattern")
    });
    LOCATION.replace_all(text, ":").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_characters_and_keeps_the_rest() {
        assert_eq!(printable("plain text é"), "plain text é");
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
        assert_eq!(
            printable("a\u{1b}]0;owned\u{7}b\nc\u{9b}"),
            "a\\u{1b}]0;owned\\u{7}b\\u{a}c\\u{9b}"
        );
        assert_eq!(printable("tab\tkept"), "tab\tkept");
    }

    #[test]
    fn long_texts_are_cut_and_say_so() {
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abcd", 4), "abcd");
        assert_eq!(cut("ééééé", 3), "éé…");
        assert_eq!(cut("", 3), "");
        assert_eq!(cut(&"x".repeat(30_000_000), 1000).chars().count(), 1000);
    }

    #[test]
    fn source_locations_are_taken_out_of_errors() {
        assert_eq!(
            without_source_locations(
                "winit EventLoopError: os error at /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/winit-0.30.13/src/platform_impl/linux/mod.rs:765: neither WAYLAND_DISPLAY nor DISPLAY is set."
            ),
            "winit EventLoopError: os error: neither WAYLAND_DISPLAY nor DISPLAY is set."
        );
        assert_eq!(
            without_source_locations("look at the door"),
            "look at the door"
        );
    }

    #[test]
    fn bidi_and_zero_width_characters_are_shown_too() {
        assert_eq!(printable("admin\u{202E}txt.exe"), "admin\\u{202e}txt.exe");
        assert_eq!(printable("a\u{2066}b\u{200B}c"), "a\\u{2066}b\\u{200b}c");
        assert!(is_plain("Zoë O'Brien-Smith"));
        assert!(!is_plain("a\u{2069}"));
    }
}
