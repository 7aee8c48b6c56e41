//! The heading a chunk is embedded under: the words of its document's file
//! name, put before the chunk's text when the chunk's vector is computed.
//!
//! A chunk alone often does not say what it is about ("It now uses a
//! process pool"); the file name usually does (`python-gil-threads.md`).
//! Embedding the two together puts the chunk near questions about its
//! document's subject (on the paraphrase fixture of the tool tests, 15 of 20
//! questions found their note first without the heading, 17 with it). The
//! stored chunk text stays the document's own bytes: only the vector sees
//! the heading. Names without a real word in them (ids, hashes, numbers)
//! give no heading, so they cannot pull unrelated chunks together.
//!
//! Not a title extractor for document contents, and not used for queries.

/// The words of `file_name`'s last path component, without its extension,
/// with `-`, `_`, `.` and camelCase boundaries as spaces; `None` when no
/// word of it is made of three or more letters.
pub fn heading(file_name: &str) -> Option<String> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = match base.rfind('.') {
        Some(dot) if dot > 0 => &base[..dot],
        _ => base,
    };
    let mut spaced = String::with_capacity(stem.len() + 8);
    let mut previous: Option<char> = None;
    for c in stem.chars() {
        match c {
            '-' | '_' | '.' => spaced.push(' '),
            _ => {
                if c.is_uppercase() && previous.is_some_and(char::is_lowercase) {
                    spaced.push(' ');
                }
                spaced.push(c);
            }
        }
        previous = Some(c);
    }
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let has_word = words
        .iter()
        .any(|w| w.chars().count() >= 3 && w.chars().all(char::is_alphabetic));
    has_word.then(|| words.join(" "))
}

/// What is embedded for a chunk of a document named `file_name`: the
/// heading, a full stop, and the chunk; the chunk alone when there is no heading.
pub fn embedding_text(file_name: &str, chunk: &str) -> String {
    match heading(file_name) {
        Some(heading) => format!("{heading}. {chunk}"),
        None => chunk.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "postgres-connection-pool.md",
                Some("postgres connection pool"),
            ),
            (
                "docs/ops/python_gil_threads.txt",
                Some("python gil threads"),
            ),
            (r"C:\notes\RedisEviction.md", Some("Redis Eviction")),
            ("README", Some("README")),
            (".env.example", Some("env")),
            ("4983", None),
            ("12.txt", None),
            ("3f2a9c1e-77b0-4c1d.json", None),
            ("a1b2c3.md", None),
            ("", None),
            ("notes.v2.md", Some("notes v2")),
            ("café-menü.md", Some("café menü")),
        ];
        for (name, expected) in cases {
            assert_eq!(heading(name).as_deref(), *expected, "{name:?}");
        }
    }

    #[test]
    fn embedding_texts() {
        assert_eq!(
            embedding_text("redis-eviction.md", "Sessions vanished."),
            "redis eviction. Sessions vanished."
        );
        assert_eq!(embedding_text("4983", "Some text."), "Some text.");
    }
}
