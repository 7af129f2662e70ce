//! Words for the shell: the names and selectors in the report's kubectl commands.

/// A word the shell takes as it is: names and selectors of plain characters stay bare (as the
/// seed writes them); anything else is single-quoted.
pub fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.=/,:@+".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
