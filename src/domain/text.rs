//! Text from servers and files, made safe to print: control characters
//! (an escape sequence can retitle a terminal or hide a line) are shown as
//! `\u{1b}`-style escapes instead of being sent to the terminal.

use std::borrow::Cow;

/// `text` with every control character but tab escaped.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\t') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && c != '\t' {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
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
}
