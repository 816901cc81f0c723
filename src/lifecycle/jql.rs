//! The JQL subset of dynamic webhooks (the spec's `WebhookDetails.jqlFilter`): "Fields: `issueKey`, `project`,
//! `issuetype`, `status`, `assignee`, `reporter`, `issue.property` and `cf[id]` … Operators: `=`, `!=`, `IN`, and
//! `NOT IN`", joined with `AND` / `OR` and parentheses. [`check`] refuses anything else before a registration is
//! sent (Jira would refuse it inside its 200, webhook by webhook); [`normalize`] gives the form two filters are
//! compared in, so `project in (A,B)` and `project IN (A, B)` are one webhook.

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Open,
    Close,
    Comma,
    Eq,
    NotEq,
    /// A word: a field, a keyword or an unquoted value.
    Word(String),
    /// A quoted value, unquoted.
    Quoted(String),
}

const FIELDS: &[&str] = &["issuekey", "project", "issuetype", "status", "assignee", "reporter"];

/// Why a filter is outside the subset, and at which character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unsupported {
    /// What is wrong; never quotes the filter.
    pub what: &'static str,
    /// The character offset where it was noticed.
    pub at: usize,
}

fn tokens(jql: &str) -> Result<Vec<(Token, usize)>, Unsupported> {
    let mut out = Vec::new();
    let mut chars = jql.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        let token = match c {
            c if c.is_whitespace() => {
                chars.next();
                continue;
            }
            '(' | ')' | ',' | '=' => {
                chars.next();
                match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    ',' => Token::Comma,
                    _ => Token::Eq,
                }
            }
            '!' => {
                chars.next();
                match chars.next() {
                    Some((_, '=')) => Token::NotEq,
                    _ => return Err(Unsupported { what: "an operator other than =, !=, IN and NOT IN", at }),
                }
            }
            '"' | '\'' => {
                chars.next();
                let mut value = String::new();
                loop {
                    match chars.next() {
                        Some((_, q)) if q == c => break,
                        Some((_, '\\')) => value.extend(chars.next().map(|(_, e)| e)),
                        Some((_, ch)) => value.push(ch),
                        None => return Err(Unsupported { what: "an unterminated quoted value", at }),
                    }
                }
                Token::Quoted(value)
            }
            _ => {
                let mut word = String::new();
                while let Some(&(_, ch)) = chars.peek() {
                    if ch.is_whitespace() || matches!(ch, '(' | ')' | ',' | '=' | '!' | '"' | '\'' | '<' | '>' | '~') {
                        break;
                    }
                    word.push(ch);
                    chars.next();
                }
                if word.is_empty() {
                    return Err(Unsupported { what: "an operator other than =, !=, IN and NOT IN", at });
                }
                Token::Word(word)
            }
        };
        out.push((token, at));
    }
    Ok(out)
}

fn keyword(token: &Token, word: &str) -> bool {
    matches!(token, Token::Word(w) if w.eq_ignore_ascii_case(word))
}

/// Whether `jql` is within the subset Jira accepts for dynamic webhooks.
pub fn check(jql: &str) -> Result<(), Unsupported> {
    let tokens = tokens(jql)?;
    let mut p = Parser { tokens: &tokens, i: 0, end: jql.len() };
    p.expression(0)?;
    match p.tokens.get(p.i) {
        None => Ok(()),
        Some((t, at)) if keyword(t, "order") => {
            Err(Unsupported { what: "ORDER BY, which webhook filters cannot have", at: *at })
        }
        Some((_, at)) => Err(Unsupported { what: "text after the end of the filter", at: *at }),
    }
}

struct Parser<'t> {
    tokens: &'t [(Token, usize)],
    i: usize,
    end: usize,
}

impl Parser<'_> {
    fn at(&self) -> usize {
        self.tokens.get(self.i).map_or(self.end, |(_, at)| *at)
    }

    fn fail<T>(&self, what: &'static str) -> Result<T, Unsupported> {
        Err(Unsupported { what, at: self.at() })
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.i).map(|(t, _)| t)
    }

    fn expression(&mut self, depth: usize) -> Result<(), Unsupported> {
        if depth > 32 {
            return self.fail("parentheses nested too deeply");
        }
        loop {
            match self.peek() {
                Some(Token::Open) => {
                    self.i += 1;
                    self.expression(depth + 1)?;
                    if self.peek() != Some(&Token::Close) {
                        return self.fail("a missing closing parenthesis");
                    }
                    self.i += 1;
                }
                Some(t) if keyword(t, "not") => {
                    return self.fail("NOT before a clause, which the subset does not have")
                }
                _ => self.clause()?,
            }
            match self.peek() {
                Some(t) if keyword(t, "and") || keyword(t, "or") => self.i += 1,
                _ => return Ok(()),
            }
        }
    }

    fn clause(&mut self) -> Result<(), Unsupported> {
        match self.peek() {
            Some(Token::Word(field)) if is_field(field) => self.i += 1,
            Some(Token::Word(_) | Token::Quoted(_)) => {
                return self.fail("a field the subset does not have (it has issueKey, project, issuetype, status, assignee, reporter, issue.property[…] and cf[id])")
            }
            _ => return self.fail("a missing field"),
        }
        match self.peek() {
            Some(Token::Eq | Token::NotEq) => {
                self.i += 1;
                self.value()
            }
            Some(t) if keyword(t, "in") => {
                self.i += 1;
                self.list()
            }
            Some(t) if keyword(t, "not") => {
                self.i += 1;
                if !self.peek().is_some_and(|t| keyword(t, "in")) {
                    return self.fail("an operator other than =, !=, IN and NOT IN");
                }
                self.i += 1;
                self.list()
            }
            _ => self.fail("an operator other than =, !=, IN and NOT IN"),
        }
    }

    fn value(&mut self) -> Result<(), Unsupported> {
        match self.peek() {
            Some(Token::Quoted(_)) => {}
            Some(Token::Word(w))
                if !["and", "or", "not", "in", "is", "empty", "null", "order"]
                    .iter()
                    .any(|k| w.eq_ignore_ascii_case(k)) => {}
            Some(Token::Word(_)) => return self.fail("a value that is a JQL keyword"),
            _ => return self.fail("a missing value"),
        }
        self.i += 1;
        if self.peek() == Some(&Token::Open) {
            return self.fail("a JQL function, which the subset does not have");
        }
        Ok(())
    }

    fn list(&mut self) -> Result<(), Unsupported> {
        if self.peek() != Some(&Token::Open) {
            return self.fail("IN without a parenthesised list");
        }
        self.i += 1;
        loop {
            self.value()?;
            match self.peek() {
                Some(Token::Comma) => self.i += 1,
                Some(Token::Close) => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return self.fail("a list that is not closed"),
            }
        }
    }
}

fn is_field(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    FIELDS.contains(&lower.as_str())
        || lower.strip_prefix("issue.property[").is_some_and(|rest| rest.bytes().any(|b| b == b']'))
        || lower
            .strip_prefix("cf[")
            .and_then(|rest| rest.strip_suffix(']'))
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

/// The form two filters are compared in: single spaces, keywords and field names in one case, a quoted value that
/// needs no quotes unquoted. Not for sending: Jira gets the filter as written.
pub fn normalize(jql: &str) -> String {
    let Ok(tokens) = tokens(jql) else { return jql.split_whitespace().collect::<Vec<_>>().join(" ") };
    let words: Vec<String> = tokens
        .into_iter()
        .map(|(t, _)| match t {
            Token::Open => "(".into(),
            Token::Close => ")".into(),
            Token::Comma => ",".into(),
            Token::Eq => "=".into(),
            Token::NotEq => "!=".into(),
            Token::Word(w) if ["and", "or", "not", "in"].iter().any(|k| w.eq_ignore_ascii_case(k)) => {
                w.to_ascii_uppercase()
            }
            Token::Word(w) if is_field(&w) => w.to_ascii_lowercase(),
            Token::Word(w) => w,
            Token::Quoted(q)
                if !q.is_empty() && q.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.')) =>
            {
                q
            }
            Token::Quoted(q) => {
                let mut out = String::from("\"");
                for c in q.chars() {
                    if c == '"' || c == '\\' {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push('"');
                out
            }
        })
        .collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_is_accepted() {
        for ok in [
            "project = PROJ",
            "project IN (PROJ, EXP) AND status = done",
            "issuetype != Bug OR (assignee = 5b10ac8d82e05b22cc7d4ef5 AND reporter IN (a,b))",
            "issueKey = PROJ-1",
            "issue.property[myKey].path = \"some value\"",
            "cf[10014] = EPIC-1",
            "project not in (A) and status = 'In Progress'",
            "  Project   =   PROJ ",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn outside_the_subset_is_refused_with_where() {
        for (bad, what) in [
            ("watchCount = 1", "a field the subset"),
            ("project is not EMPTY", "an operator other than"),
            ("project > 5", "an operator other than"),
            ("project ~ foo", "an operator other than"),
            ("project = A ORDER BY created", "ORDER BY"),
            ("NOT project = A", "NOT before a clause"),
            ("project IN projectsLeadByUser()", "IN without a parenthesised list"),
            ("assignee = currentUser()", "a JQL function"),
            ("status = EMPTY", "a value that is a JQL keyword"),
            ("assignee = currentUser ()", "a JQL function"),
            ("project = ", "a missing value"),
            ("(project = A", "a missing closing parenthesis"),
            ("project = \"A", "an unterminated quoted value"),
            ("", "a missing field"),
            ("cf[abc] = 1", "a field the subset"),
            ("project = A B", "text after the end"),
        ] {
            let e = check(bad).unwrap_err();
            assert!(e.what.starts_with(what), "{bad}: {e:?}");
        }
        assert_eq!(check("project = A AND watchCount = 1").unwrap_err().at, 16);
    }

    #[test]
    fn one_filter_written_two_ways_normalizes_to_one_form() {
        let same = [
            "project IN (PROJ, EXP) AND status = done",
            "Project in (PROJ,EXP)  and  STATUS = \"done\"",
            "project  IN(PROJ , EXP) AND status='done'",
        ];
        for jql in same {
            assert_eq!(normalize(jql), "project IN ( PROJ , EXP ) AND status = done", "{jql}");
        }
        assert_ne!(normalize("status = done"), normalize("status = Done"), "values keep their case");
        assert_eq!(normalize("status = \"In Progress\""), "status = \"In Progress\"");
    }
}
