//! A small GraphQL reader: enough of the October 2021 GraphQL spec's
//! grammar to find the fields an operation selects, so that the stand-in can
//! return exactly the fields that `me { ... }` requests.
//!
//! Arguments, variables and directives are skipped. Fragments are reported
//! as unsupported, and the caller then falls back to a fixed response.

/// Maximum nesting of selection sets. Deeper queries are rejected before
/// recursion could exhaust the stack.
const MAX_DEPTH: usize = 32;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Name(String),
    Punctuator(char),
    Spread,
    /// A string or number literal. Only argument values contain them, and
    /// those are skipped.
    Literal,
}

/// A field of a selection set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Field {
    /// The alias if there is one, otherwise the field name.
    pub response_key: String,
    pub name: String,
    /// The sub-selection, or `None` for a leaf.
    pub selection: Option<Vec<Field>>,
}

/// The first operation of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Operation {
    /// `query`, `mutation` or `subscription`.
    pub kind: String,
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum QueryError {
    /// The text is not valid GraphQL.
    Syntax(String),
    /// Valid GraphQL that this reader does not follow, such as fragments.
    Unsupported(String),
}

fn is_name_start(character: char) -> bool {
    character == '_' || character.is_ascii_alphabetic()
}

fn is_name_continue(character: char) -> bool {
    character == '_' || character.is_ascii_alphanumeric()
}

fn tokenize(text: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;

    while index < chars.len() {
        let character = chars[index];
        if character.is_whitespace() || character == ',' || character == '\u{feff}' {
            index += 1;
        } else if character == '#' {
            while index < chars.len() && chars[index] != '\n' && chars[index] != '\r' {
                index += 1;
            }
        } else if character == '"' {
            index = skip_string(&chars, index)?;
            tokens.push(Token::Literal);
        } else if character == '.' {
            if chars.get(index + 1) == Some(&'.') && chars.get(index + 2) == Some(&'.') {
                tokens.push(Token::Spread);
                index += 3;
            } else {
                return Err(QueryError::Syntax(
                    "Unexpected '.': expected '...'.".to_owned(),
                ));
            }
        } else if is_name_start(character) {
            let start = index;
            while index < chars.len() && is_name_continue(chars[index]) {
                index += 1;
            }
            tokens.push(Token::Name(chars[start..index].iter().collect()));
        } else if character == '-' || character.is_ascii_digit() {
            index += 1;
            while index < chars.len()
                && (chars[index].is_ascii_alphanumeric() || matches!(chars[index], '.' | '+' | '-'))
            {
                index += 1;
            }
            tokens.push(Token::Literal);
        } else if "!$&()=:@[]{|}".contains(character) {
            tokens.push(Token::Punctuator(character));
            index += 1;
        } else {
            return Err(QueryError::Syntax(format!(
                "Unexpected character '{character}'."
            )));
        }
    }
    Ok(tokens)
}

/// Skips the string that starts at `start` and returns the index after it.
fn skip_string(chars: &[char], start: usize) -> Result<usize, QueryError> {
    let is_block = chars.get(start + 1) == Some(&'"') && chars.get(start + 2) == Some(&'"');
    let mut index = if is_block { start + 3 } else { start + 1 };

    while index < chars.len() {
        match chars[index] {
            '\\' => index += 2,
            '"' if is_block => {
                if chars.get(index + 1) == Some(&'"') && chars.get(index + 2) == Some(&'"') {
                    return Ok(index + 3);
                }
                index += 1;
            }
            '"' => return Ok(index + 1),
            '\n' | '\r' if !is_block => break,
            _ => index += 1,
        }
    }
    Err(QueryError::Syntax("Unterminated string.".to_owned()))
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn peek_is(&self, punctuator: char) -> bool {
        self.peek() == Some(&Token::Punctuator(punctuator))
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.position).cloned();
        self.position += 1;
        token
    }

    fn expect(&mut self, punctuator: char) -> Result<(), QueryError> {
        match self.next() {
            Some(Token::Punctuator(found)) if found == punctuator => Ok(()),
            other => Err(unexpected(other.as_ref(), &format!("'{punctuator}'"))),
        }
    }

    fn expect_name(&mut self) -> Result<String, QueryError> {
        match self.next() {
            Some(Token::Name(name)) => Ok(name),
            other => Err(unexpected(other.as_ref(), "a name")),
        }
    }

    /// Skips a bracketed group that starts at the current token, such as
    /// arguments or variable definitions.
    fn skip_group(&mut self, open: char, close: char) -> Result<(), QueryError> {
        self.expect(open)?;
        let mut depth = 1;
        while depth > 0 {
            match self.next() {
                Some(Token::Punctuator(found)) if found == open => depth += 1,
                Some(Token::Punctuator(found)) if found == close => depth -= 1,
                Some(_) => {}
                None => return Err(unexpected(None, &format!("'{close}'"))),
            }
        }
        Ok(())
    }

    fn skip_directives(&mut self) -> Result<(), QueryError> {
        while self.peek_is('@') {
            self.next();
            self.expect_name()?;
            if self.peek_is('(') {
                self.skip_group('(', ')')?;
            }
        }
        Ok(())
    }

    fn selection_set(&mut self, depth: usize) -> Result<Vec<Field>, QueryError> {
        if depth > MAX_DEPTH {
            return Err(QueryError::Unsupported(format!(
                "Selection sets are nested deeper than {MAX_DEPTH} levels."
            )));
        }
        self.expect('{')?;
        let mut fields = Vec::new();
        loop {
            match self.peek() {
                Some(Token::Punctuator('}')) => {
                    self.next();
                    break;
                }
                Some(Token::Spread) => {
                    return Err(QueryError::Unsupported(
                        "Fragments are not supported.".to_owned(),
                    ))
                }
                _ => fields.push(self.field(depth)?),
            }
        }
        if fields.is_empty() {
            return Err(QueryError::Syntax("A selection set is empty.".to_owned()));
        }
        Ok(fields)
    }

    fn field(&mut self, depth: usize) -> Result<Field, QueryError> {
        let first = self.expect_name()?;
        let (response_key, name) = if self.peek_is(':') {
            self.next();
            (first, self.expect_name()?)
        } else {
            (first.clone(), first)
        };
        if self.peek_is('(') {
            self.skip_group('(', ')')?;
        }
        self.skip_directives()?;
        let selection = if self.peek_is('{') {
            Some(self.selection_set(depth + 1)?)
        } else {
            None
        };
        Ok(Field {
            response_key,
            name,
            selection,
        })
    }

    fn operation(&mut self) -> Result<Operation, QueryError> {
        let kind = match self.peek() {
            Some(Token::Punctuator('{')) => "query".to_owned(),
            Some(Token::Name(name))
                if matches!(name.as_str(), "query" | "mutation" | "subscription") =>
            {
                let kind = name.clone();
                self.next();
                if matches!(self.peek(), Some(Token::Name(_))) {
                    self.next();
                }
                if self.peek_is('(') {
                    self.skip_group('(', ')')?;
                }
                self.skip_directives()?;
                kind
            }
            Some(Token::Name(name)) if name == "fragment" => {
                return Err(QueryError::Unsupported(
                    "Fragments are not supported.".to_owned(),
                ))
            }
            other => return Err(unexpected(other, "an operation")),
        };
        let fields = self.selection_set(1)?;
        Ok(Operation { kind, fields })
    }
}

fn unexpected(token: Option<&Token>, expected: &str) -> QueryError {
    let found = match token {
        None => "the end of the query".to_owned(),
        Some(Token::Name(name)) => format!("'{name}'"),
        Some(Token::Punctuator(character)) => format!("'{character}'"),
        Some(Token::Spread) => "'...'".to_owned(),
        Some(Token::Literal) => "a literal".to_owned(),
    };
    QueryError::Syntax(format!("Expected {expected} but found {found}."))
}

/// Parses `text` and returns its first operation. Later operations are
/// checked for syntax and then ignored, as `operationName` is.
pub(super) fn parse_operation(text: &str) -> Result<Operation, QueryError> {
    let mut parser = Parser {
        tokens: tokenize(text)?,
        position: 0,
    };
    let first = parser.operation()?;
    while parser.peek().is_some() {
        parser.operation()?;
    }
    Ok(first)
}

/// Reports whether `text` contains the name `me` outside strings and
/// comments. Used when the query cannot be fully read.
pub(super) fn mentions_me(text: &str) -> bool {
    tokenize(text).is_ok_and(|tokens| tokens.contains(&Token::Name("me".to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(name: &str) -> Field {
        Field {
            response_key: name.to_owned(),
            name: name.to_owned(),
            selection: None,
        }
    }

    #[test]
    fn reads_named_query_with_nesting() {
        let operation =
            parse_operation("query Me($x: Int = 1) @cached { me { id name account { id slug } } }")
                .unwrap();
        assert_eq!(operation.kind, "query");
        assert_eq!(operation.fields.len(), 1);
        let me = &operation.fields[0];
        assert_eq!(me.name, "me");
        let selection = me.selection.as_ref().unwrap();
        assert_eq!(selection[0], leaf("id"));
        assert_eq!(selection[1], leaf("name"));
        assert_eq!(
            selection[2].selection.as_ref().unwrap(),
            &vec![leaf("id"), leaf("slug")]
        );
    }

    #[test]
    fn reads_aliases_arguments_and_comments() {
        let text =
            "{\n  # who am I?\n  user: me(limit: 1, text: \"a } b\") { userId: id, email }\n}";
        let operation = parse_operation(text).unwrap();
        let field = &operation.fields[0];
        assert_eq!(field.response_key, "user");
        assert_eq!(field.name, "me");
        let selection = field.selection.as_ref().unwrap();
        assert_eq!(selection[0].response_key, "userId");
        assert_eq!(selection[0].name, "id");
    }

    #[test]
    fn reports_fragments_as_unsupported() {
        let result = parse_operation("{ me { ...UserFields } } fragment UserFields on User { id }");
        assert!(matches!(result, Err(QueryError::Unsupported(_))));
        assert!(mentions_me("{ me { ...UserFields } }"));
    }

    #[test]
    fn rejects_broken_queries() {
        for text in [
            "{ me { id }",
            "{ me { id } } }",
            "{}",
            "me { id }",
            "{ me { id \"open }",
            "",
        ] {
            assert!(
                matches!(parse_operation(text), Err(QueryError::Syntax(_))),
                "accepted {text:?}"
            );
        }
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let depth = 10_000;
        let text = format!("{{{}{}}}", "a {".repeat(depth), "}".repeat(depth));
        assert!(matches!(
            parse_operation(&text),
            Err(QueryError::Unsupported(_))
        ));
    }

    #[test]
    fn mentions_me_ignores_strings_and_names() {
        assert!(!mentions_me(
            "{ users(name: \"me\") { name members } } # me"
        ));
        assert!(mentions_me("query { me { id } }"));
    }
}
