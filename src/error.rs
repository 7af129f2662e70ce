//! Error text for people: one line, the whole chain of causes.

use std::error::Error;

/// `outer: inner: root`, skipping a cause whose text the line already contains (many errors
/// repeat their source in their own message).
pub fn one_line(e: &(dyn Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        cause = c.source();
    }
    text.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read dump file x.json: {0}")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let e = Outer(std::io::Error::other("disk on fire"));
        assert_eq!(one_line(&e), "cannot read dump file x.json: disk on fire");
    }
}
