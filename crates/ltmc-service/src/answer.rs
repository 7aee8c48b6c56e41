//! Turning retrieved text into something to read: packing documents into a
//! token budget (`build_context`), and the extractive answer `ask_with_context`
//! gives when no language model is configured.
//!
//! The extractive answer is honest about what it is: the sentences of the
//! context closest in meaning to the question, in the order they appear, not
//! a generated reply. Not here: retrieval itself (`Memory::search`), the
//! language-model client (`llm.rs`).

use crate::text::{cosine, estimate_tokens, sentences, truncate_to_tokens};
use crate::{Memory, ServiceError};
use serde::Serialize;

/// A document to pack into a context.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContextDocument {
    pub id: Option<String>,
    pub title: Option<String>,
    pub content: String,
}

/// A packed context and what went into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackedContext {
    pub context: String,
    /// Estimated tokens of `context` ([`estimate_tokens`]).
    pub token_count: usize,
    /// Documents included, whole or (the last one) truncated.
    pub documents_processed: usize,
    /// Whether the last included document was cut to fit.
    pub truncated: bool,
    /// Documents left out for lack of budget.
    pub documents_skipped: usize,
}

/// The fewest tokens worth spending on a truncated document: below this a
/// cut-off fragment is noise.
const MIN_FRAGMENT_TOKENS: usize = 8;

/// Packs documents, in order, into at most `max_tokens` estimated tokens.
/// Each document becomes a section (`[title]` or `[id]` on its first line
/// when given, then its content), sections separated by a blank line. The
/// first document that does not fit is cut at a sentence or word boundary
/// (if at least a few tokens remain) and packing stops there.
pub fn pack_context(documents: &[ContextDocument], max_tokens: usize) -> PackedContext {
    let mut sections: Vec<String> = Vec::new();
    let mut used = 0;
    let mut truncated = false;
    for document in documents {
        let section = match document.title.as_deref().or(document.id.as_deref()) {
            Some(label) if !label.trim().is_empty() => {
                format!("[{}]\n{}", label.trim(), document.content.trim())
            }
            _ => document.content.trim().to_owned(),
        };
        if section.is_empty() {
            continue;
        }
        let tokens = estimate_tokens(&section);
        if used + tokens <= max_tokens {
            used += tokens;
            sections.push(section);
            continue;
        }
        let remaining = max_tokens - used;
        if remaining >= MIN_FRAGMENT_TOKENS {
            let cut = truncate_to_tokens(&section, remaining);
            if !cut.trim().is_empty() {
                sections.push(cut.to_owned());
                truncated = true;
            }
        }
        break;
    }
    let documents_processed = sections.len();
    let non_empty = documents
        .iter()
        .filter(|d| !d.content.trim().is_empty())
        .count();
    let context = sections.join("\n\n");
    PackedContext {
        token_count: estimate_tokens(&context),
        context,
        documents_processed,
        truncated,
        documents_skipped: non_empty.saturating_sub(documents_processed),
    }
}

/// How many sentences an extractive answer quotes at most.
pub const EXTRACTIVE_SENTENCES: usize = 3;
/// The longest extractive answer, in bytes (a longer best sentence is cut).
pub const EXTRACTIVE_MAX_BYTES: usize = 1200;
/// Sentences of the context considered at most (the first ones), to bound
/// the embedding work of one question.
const EXTRACTIVE_MAX_CANDIDATES: usize = 256;

/// One sentence of an extractive answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerSentence {
    pub text: String,
    /// Which passage it came from (index into the passages given).
    pub passage: usize,
    /// Cosine similarity to the question.
    pub similarity: f32,
}

/// An answer made of the context's own sentences.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExtractiveAnswer {
    /// The chosen sentences joined by spaces, in context order; empty when
    /// the passages hold no text.
    pub answer: String,
    pub sentences: Vec<AnswerSentence>,
}

/// The sentences of `passages` most similar in meaning to `question` (one
/// embedding call for the question and every candidate sentence): at most
/// [`EXTRACTIVE_SENTENCES`] and [`EXTRACTIVE_MAX_BYTES`], best first while
/// choosing, then put back in the order they appear in the passages.
pub async fn extractive_answer(
    memory: &Memory,
    question: &str,
    passages: &[&str],
) -> Result<ExtractiveAnswer, ServiceError> {
    let candidates: Vec<(usize, &str)> = passages
        .iter()
        .enumerate()
        .flat_map(|(p, text)| sentences(text).into_iter().map(move |s| (p, s)))
        .take(EXTRACTIVE_MAX_CANDIDATES)
        .collect();
    if candidates.is_empty() {
        return Ok(ExtractiveAnswer {
            answer: String::new(),
            sentences: Vec::new(),
        });
    }
    let mut texts = Vec::with_capacity(candidates.len() + 1);
    texts.push(question.to_owned());
    texts.extend(candidates.iter().map(|(_, s)| (*s).to_owned()));
    let vectors = memory.embed_owned(texts).await?;
    let Some((query, rest)) = vectors.split_first() else {
        return Err(ServiceError::Internal(
            "embedder returned no vectors".into(),
        ));
    };
    let mut scored: Vec<(usize, f32)> = rest
        .iter()
        .enumerate()
        .map(|(i, v)| (i, cosine(query, v)))
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut chosen: Vec<(usize, f32, String)> = Vec::new();
    let mut bytes = 0;
    for (i, similarity) in scored {
        if chosen.len() == EXTRACTIVE_SENTENCES {
            break;
        }
        let text = candidates[i].1;
        if chosen.is_empty() && text.len() > EXTRACTIVE_MAX_BYTES {
            // The best sentence alone is too long: quote its beginning.
            let mut cut = EXTRACTIVE_MAX_BYTES;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            chosen.push((i, similarity, format!("{}…", &text[..cut])));
            break;
        }
        if bytes + text.len() + 1 > EXTRACTIVE_MAX_BYTES {
            continue;
        }
        bytes += text.len() + 1;
        chosen.push((i, similarity, text.to_owned()));
    }
    chosen.sort_by_key(|(i, _, _)| *i);
    let answer = chosen
        .iter()
        .map(|(_, _, t)| t.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let sentences = chosen
        .into_iter()
        .map(|(i, similarity, text)| AnswerSentence {
            text,
            passage: candidates[i].0,
            similarity,
        })
        .collect();
    Ok(ExtractiveAnswer { answer, sentences })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(title: Option<&str>, content: &str) -> ContextDocument {
        ContextDocument {
            id: None,
            title: title.map(str::to_owned),
            content: content.to_owned(),
        }
    }

    #[test]
    fn packs_whole_documents_within_budget() {
        let docs = [doc(Some("a"), "one two three"), doc(None, "four five")];
        let packed = pack_context(&docs, 100);
        assert_eq!(packed.context, "[a]\none two three\n\nfour five");
        assert_eq!(packed.documents_processed, 2);
        assert!(!packed.truncated);
        assert_eq!(packed.documents_skipped, 0);
        assert!(packed.token_count <= 100);
    }

    #[test]
    fn truncates_the_first_document_that_does_not_fit_and_stops() {
        let long = "Sentence number one is here. ".repeat(40);
        let docs = [
            doc(None, "short text"),
            doc(None, &long),
            doc(None, "never reached"),
        ];
        let packed = pack_context(&docs, 60);
        assert!(packed.token_count <= 60, "{}", packed.token_count);
        assert_eq!(packed.documents_processed, 2);
        assert!(packed.truncated);
        assert_eq!(packed.documents_skipped, 1);
        assert!(packed.context.ends_with("here."), "{}", packed.context);
        assert!(!packed.context.contains("never"));
    }

    #[test]
    fn a_tiny_budget_leaves_out_what_does_not_fit() {
        let packed = pack_context(&[doc(None, &"word ".repeat(100))], 4);
        assert_eq!(packed.documents_processed, 0);
        assert_eq!(packed.context, "");
        assert_eq!(packed.documents_skipped, 1);
    }
}
