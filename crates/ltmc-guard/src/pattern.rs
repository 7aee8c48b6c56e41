//! One guardian regex: compiling it with the limits every rule gets, and
//! testing a rule made from a fix pattern on that pattern's own code.
//!
//! Not here: which rules apply to which files (`rules.rs`) or walking trees
//! (`scan.rs`).

use crate::error::GuardError;
use crate::lines::{LineIndex, spans};
use crate::violation::snippet;
use regex::{Regex, RegexBuilder};

/// The most memory one compiled rule may take (the `regex` crate's
/// `size_limit`). The example patterns take well under a tenth of it; a
/// pattern beyond it (`a{1000}{1000}`) is refused with the parser's message
/// instead of eating memory.
pub const REGEX_SIZE_LIMIT: usize = 4 << 20;

/// Compiles a guardian regex: Rust `regex` syntax, `^` and `$` per line.
/// `field` names where the pattern came from in the error
/// (`GuardError::InvalidRegex`, whose `message` is the parser's own).
pub fn compile_pattern(field: &'static str, pattern: &str) -> Result<Regex, GuardError> {
    RegexBuilder::new(pattern)
        .multi_line(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|err| GuardError::InvalidRegex {
            field,
            pattern: pattern.to_owned(),
            message: err.to_string(),
        })
}

/// Tests a rule made from a fix pattern on the pattern's own code.
///
/// `Ok(None)`: the rule fires on `code_before` (when given) and not on
/// `code_after` (when given), so it can be stored active. `Ok(Some(reason))`:
/// why it must be stored inactive; both failures are named when both happen.
/// A match counts as firing when it is not empty, as in a check.
pub fn test_rule_on_code(
    pattern: &str,
    code_before: Option<&str>,
    code_after: Option<&str>,
) -> Result<Option<String>, GuardError> {
    let regex = compile_pattern("rule_pattern", pattern)?;
    let mut reasons = Vec::new();
    if let Some(before) = code_before
        && spans(&regex, before).next().is_none()
    {
        reasons.push("does not fire on the pattern's code_before".to_owned());
    }
    if let Some(after) = code_after
        && let Some((start, _)) = spans(&regex, after).next()
    {
        let lines = LineIndex::new(after);
        let (line, _) = lines.position(start);
        reasons.push(format!(
            "fires on the pattern's code_after (line {line}: {})",
            snippet(lines.line(line))
        ));
    }
    Ok((!reasons.is_empty()).then(|| reasons.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollar_and_caret_are_per_line() {
        let re = compile_pattern("rule_pattern", r"^x = 1$").unwrap();
        assert!(re.is_match("a\nx = 1\nb"));
    }

    #[test]
    fn invalid_regex_carries_the_parser_message_and_field() {
        let err = compile_pattern("anti_patterns", "(?<=a)b").unwrap_err();
        let GuardError::InvalidRegex {
            field,
            pattern,
            message,
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(*field, "anti_patterns");
        assert_eq!(pattern, "(?<=a)b");
        assert!(message.contains("look-around"), "{message}");
        assert!(
            err.to_string().starts_with("invalid anti_patterns: "),
            "{err}"
        );
    }

    #[test]
    fn huge_pattern_is_refused_by_the_size_limit() {
        let err = compile_pattern("rule_pattern", r"\w{1000}{1000}").unwrap_err();
        let GuardError::InvalidRegex { message, .. } = err else {
            panic!()
        };
        assert!(message.contains("size limit"), "{message}");
    }

    #[test]
    fn rule_test_reasons() {
        let check =
            |pattern: &str, before: Option<&str>, after: Option<&str>, want: Option<&str>| {
                assert_eq!(
                    test_rule_on_code(pattern, before, after)
                        .unwrap()
                        .as_deref(),
                    want,
                    "{pattern}"
                );
            };
        check("eval\\(", Some("x = eval(s)"), Some("x = int(s)"), None);
        check("eval\\(", None, None, None);
        check(
            "eval\\(",
            Some("x = int(s)"),
            None,
            Some("does not fire on the pattern's code_before"),
        );
        check(
            "eval\\(",
            None,
            Some("a\nb\n   y = eval(t)  \n"),
            Some("fires on the pattern's code_after (line 3: y = eval(t))"),
        );
        check(
            "eval\\(",
            Some("nothing"),
            Some("eval(1)"),
            Some(
                "does not fire on the pattern's code_before; \
                 fires on the pattern's code_after (line 1: eval(1))",
            ),
        );
        // An empty match is not firing.
        check(
            "x*",
            Some("abc"),
            None,
            Some("does not fire on the pattern's code_before"),
        );
        assert!(test_rule_on_code("(", Some("a"), None).is_err());
    }
}
