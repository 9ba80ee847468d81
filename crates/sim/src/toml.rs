//! A strict, small TOML parser for scenario and lesson files.
//!
//! HA Lab reads its scenario and lesson files with this module rather than the
//! `toml` crate, which would add about 35 KB (gzip) to the browser bundle. It
//! accepts a documented subset of TOML 1.0 and rejects everything else with an
//! error that says where the problem is and what to write instead.
//!
//! Supported: comments; bare and quoted keys; `[table]`, `[a.b]`, `[[array]]`
//! and `[[a.b]]` headers with TOML's rules; basic, literal and multi-line
//! strings; decimal integers that fit in an `i64`; booleans; arrays, which may
//! span lines; inline tables, which may not.
//!
//! Not supported, each with its own error message: floats, dates and times,
//! hexadecimal, octal and binary integers, `inf` and `nan`, and dotted keys in
//! key/value pairs (`a.b = 1`). Arrays and inline tables may be nested at
//! most 128 deep. A newline inside a multi-line string is always read as
//! `"\n"`, also when the file has `"\r\n"` line endings.

use crate::sorted::SortedMap;
use std::fmt;

/// Where something is in the source: 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// A value with the position where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub pos: Pos,
}

/// A table: keys in the order they were written (also for tables built from headers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub entries: Vec<(Spanned<String>, Spanned<Value>)>,
}

/// A value in a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    String(String),
    Integer(i64),
    Boolean(bool),
    Array(Vec<Spanned<Value>>),
    /// A `[table]`, a `[a.b]` sub-table or an inline table.
    Table(Table),
    /// The elements of a `[[name]]` array; each position is its header's position.
    ArrayOfTables(Vec<Spanned<Table>>),
}

/// A document that does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub pos: Pos,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Pos { line, column } = self.pos;
        write!(f, "line {line}, column {column}: {}", self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses a whole document into its root table.
pub fn parse(text: &str) -> Result<Table, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parser = Parser {
        chars: text.chars().collect(),
        index: 0,
        line: 1,
        line_start: 0,
        root: Table::default(),
        current: TablePath::new(),
        header_tables: SortedMap::new(),
    };
    parser.parse_document()?;
    Ok(parser.root)
}

impl Table {
    /// The value under `key`, if any.
    pub fn get(&self, key: &str) -> Option<&Spanned<Value>> {
        Some(&self.entries[self.position(key)?].1)
    }

    /// The index of the entry for `key`, if any.
    fn position(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|(name, _)| name.value == key)
    }
}

impl Value {
    /// "string", "integer", "boolean", "array", "table" or "array of tables", for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::Integer(_) => "integer",
            Value::Boolean(_) => "boolean",
            Value::Array(_) => "array",
            Value::Table(_) => "table",
            Value::ArrayOfTables(_) => "array of tables",
        }
    }
}

/// Returns a `ParseError` at `pos` from the enclosing function; the rest are `format!` arguments.
macro_rules! fail {
    ($pos:expr, $($message:tt)+) => {
        return Err(ParseError { pos: $pos, message: format!($($message)+) })
    };
}

/// The deepest nesting of arrays and inline tables, and the most names in a header.
const MAX_NESTING: u32 = 128;

/// A key and its value.
type Entry = (Spanned<String>, Spanned<Value>);

/// The way from the root to a table made by a header: for each step, the index
/// of the entry and, for an array of tables, the index of the element (0 for a
/// plain table).
type TablePath = Vec<(usize, usize)>;

/// The state of one call to `parse`.
struct Parser {
    chars: Vec<char>,
    /// The index in `chars` of the next character to read.
    index: usize,
    /// The line of the next character to read.
    line: u32,
    /// The index in `chars` of the first character of the current line.
    line_start: usize,
    root: Table,
    /// The table that key/value pairs go into: the one named by the last header.
    current: TablePath,
    /// Every table made by a header: `Some(line)` if a header on that line
    /// defined it, `None` if it was only created on the way to a longer name
    /// (`[a]` for `[a.b]`). Tables not in here are inline tables, which are
    /// complete as written and must not be extended by headers.
    header_tables: SortedMap<TablePath, Option<u32>>,
}

impl Parser {
    fn parse_document(&mut self) -> Result<(), ParseError> {
        loop {
            self.skip_spaces();
            match self.peek() {
                None => return Ok(()),
                Some('\n' | '\r') => {
                    self.eat_newline()?;
                }
                Some('#') => self.finish_line("the comment")?,
                Some('[') => {
                    self.parse_header()?;
                    self.finish_line("the table header")?;
                }
                Some(_) => {
                    let entry = self.parse_pair(0)?;
                    let table = table_at(&mut self.root, &self.current);
                    insert_unique(table, entry)?;
                    self.finish_line("the value")?;
                }
            }
        }
    }

    /// Reads `key = value`, as a line of the document or inside an inline table.
    fn parse_pair(&mut self, depth: u32) -> Result<Entry, ParseError> {
        let key = self.parse_key()?;
        self.skip_spaces();
        if self.peek() == Some('.') {
            let dot = self.pos();
            self.advance();
            self.skip_spaces();
            let first = display_key(&key.value);
            let next = self.parse_key().map(|next| display_key(&next.value));
            let next = next.unwrap_or("b".into());
            fail!(
                dot,
                "dotted keys such as {first}.{next} = … are not supported: \
                 write a [{first}] table with key {next}"
            );
        }
        if self.peek() != Some('=') {
            return self.expected(&format!("\"=\" after key {:?}", key.value));
        }
        self.advance();
        self.skip_spaces();
        Ok((key, self.parse_value(depth)?))
    }

    fn parse_key(&mut self) -> Result<Spanned<String>, ParseError> {
        let pos = self.pos();
        let value = match self.peek() {
            Some('"' | '\'') => self.parse_string(false)?,
            Some(c) if is_bare_key_char(c) => self.take_while(is_bare_key_char),
            _ => return self.expected("a key: letters, digits, _ and -, or a quoted string"),
        };
        Ok(Spanned { value, pos })
    }

    /// Reads a `[name]` or `[[name]]` header and makes its table the current one.
    fn parse_header(&mut self) -> Result<(), ParseError> {
        let header_pos = self.pos();
        self.advance();
        let is_array = self.peek() == Some('[');
        if is_array {
            self.advance();
        }
        let mut names = Vec::new();
        loop {
            self.skip_spaces();
            names.push(self.parse_key()?);
            self.skip_spaces();
            if self.peek() != Some('.') {
                break;
            }
            self.advance();
        }
        if names.len() > MAX_NESTING as usize {
            fail!(
                header_pos,
                "a header may have at most {MAX_NESTING} dotted names"
            );
        }
        let close = if is_array { "]]" } else { "]" };
        if !self.looking_at(close) {
            return self.expected(&format!("\"{close}\" to close the header"));
        }
        self.advance_by(close.len());
        // Walk from the root along the names, creating missing tables on the way.
        let mut path = TablePath::new();
        for (count, name) in names.iter().enumerate() {
            let is_last = count + 1 == names.len();
            let shown = header_name(&names[..=count]);
            let table = table_at(&mut self.root, &path);
            let entry = table.position(&name.value).unwrap_or_else(|| {
                let value = if is_last && is_array {
                    Value::ArrayOfTables(Vec::new())
                } else {
                    Value::Table(Table::default())
                };
                table
                    .entries
                    .push((name.clone(), spanned(value, header_pos)));
                let entry = table.entries.len() - 1;
                self.header_tables
                    .insert([&path[..], &[(entry, 0)]].concat(), None);
                entry
            });
            let (key, value) = &mut table.entries[entry];
            let first_line = key.pos.line;
            let element = match &mut value.value {
                Value::ArrayOfTables(elements) if is_last && is_array => {
                    elements.push(spanned(Table::default(), header_pos));
                    elements.len() - 1
                }
                Value::ArrayOfTables(_) if is_last => fail!(
                    name.pos,
                    "[{shown}] is already an array of tables (line {first_line}): \
                     write [[{shown}]] to add an element"
                ),
                Value::ArrayOfTables(elements) => elements.len().saturating_sub(1),
                Value::Table(_) if is_last && is_array => fail!(
                    name.pos,
                    "[[{shown}]] cannot add an element: \
                     {shown} is already a table (line {first_line})"
                ),
                Value::Table(_) => 0,
                other => {
                    let what = with_article(other);
                    fail!(
                        name.pos,
                        "cannot use {shown} as a table: it already holds {what} (line {first_line})"
                    );
                }
            };
            path.push((entry, element));
            if let Value::Table(_) = value.value {
                match self.header_tables.get(&path) {
                    None => fail!(
                        name.pos,
                        "table [{shown}] was written as an inline table on line {first_line}: \
                         add its keys inside the braces instead"
                    ),
                    Some(Some(line)) if is_last => {
                        fail!(
                            name.pos,
                            "table [{shown}] is defined twice (first on line {line})"
                        )
                    }
                    Some(None) if is_last => {
                        key.pos = name.pos;
                        value.pos = header_pos;
                    }
                    Some(_) => {}
                }
            }
        }
        self.header_tables
            .insert(path.clone(), Some(header_pos.line));
        self.current = path;
        Ok(())
    }

    /// Reads a value inside `depth` arrays and inline tables.
    fn parse_value(&mut self, depth: u32) -> Result<Spanned<Value>, ParseError> {
        let pos = self.pos();
        let value = match self.peek() {
            Some('"' | '\'') => Value::String(self.parse_string(true)?),
            Some('[' | '{') if depth >= MAX_NESTING => fail!(
                pos,
                "arrays and inline tables may be nested at most {MAX_NESTING} deep: \
                 flatten the data"
            ),
            Some('[') => self.parse_array(pos, depth + 1)?,
            Some('{') => self.parse_inline_table(pos, depth + 1)?,
            Some(c) if is_bare_value_char(c) => {
                let token = self.take_while(is_bare_value_char);
                bare_value(&token, pos)?
            }
            _ => {
                return self
                    .expected("a value: a \"string\", integer, true, false, [array] or {table}");
            }
        };
        Ok(Spanned { value, pos })
    }

    fn parse_array(&mut self, start: Pos, depth: u32) -> Result<Value, ParseError> {
        self.advance();
        let mut items = Vec::new();
        loop {
            self.skip_array_filler(start)?;
            if self.peek() == Some(']') {
                break;
            }
            items.push(self.parse_value(depth)?);
            self.skip_array_filler(start)?;
            match self.peek() {
                Some(',') => self.advance(),
                Some(']') => break,
                _ => return self.expected("\",\" or \"]\" after an array element"),
            }
        }
        self.advance();
        Ok(Value::Array(items))
    }

    /// Skips spaces, newlines and comments inside an array that opened at `start`.
    fn skip_array_filler(&mut self, start: Pos) -> Result<(), ParseError> {
        self.skip_spaces();
        self.skip_comment()?;
        while self.eat_newline()? {
            self.skip_spaces();
            self.skip_comment()?;
        }
        if self.peek().is_none() {
            fail!(start, "unterminated array: add a closing ]");
        }
        Ok(())
    }

    fn parse_inline_table(&mut self, start: Pos, depth: u32) -> Result<Value, ParseError> {
        self.advance();
        let mut table = Table::default();
        self.skip_inline_spaces(start)?;
        while self.peek() != Some('}') {
            let entry = self.parse_pair(depth)?;
            insert_unique(&mut table, entry)?;
            self.skip_inline_spaces(start)?;
            match self.peek() {
                Some('}') => break,
                Some(',') => {
                    let comma = self.pos();
                    self.advance();
                    self.skip_inline_spaces(start)?;
                    if self.peek() == Some('}') {
                        fail!(
                            comma,
                            "inline tables cannot end with a comma: remove the last \",\""
                        );
                    }
                }
                _ => return self.expected("\",\" or \"}\" in the inline table"),
            }
        }
        self.advance();
        Ok(Value::Table(table))
    }

    /// Skips spaces inside an inline table that opened at `start` and must end on this line.
    fn skip_inline_spaces(&mut self, start: Pos) -> Result<(), ParseError> {
        self.skip_spaces();
        match self.peek() {
            None => fail!(start, "unterminated inline table: add a closing }}"),
            Some('\n' | '\r' | '#') => fail!(
                self.pos(),
                "inline tables must be on one line: \
                 close it with }} on this line, or use a [table] header"
            ),
            Some(_) => Ok(()),
        }
    }

    /// Reads a basic ("...") or literal ('...') string, multi-line ones only if `allow_multi_line`.
    fn parse_string(&mut self, allow_multi_line: bool) -> Result<String, ParseError> {
        let start = self.pos();
        let quote = self.peek().unwrap_or('"');
        let triple = String::from_iter([quote; 3]);
        let is_multi_line = allow_multi_line && self.looking_at(&triple);
        let closing = if is_multi_line {
            &triple[..]
        } else {
            &triple[..1]
        };
        self.advance_by(closing.len());
        if is_multi_line {
            self.eat_newline()?;
        }
        let mut text = String::new();
        loop {
            match self.peek() {
                Some('\n' | '\r') if is_multi_line => {
                    self.eat_newline()?;
                    text.push('\n');
                }
                None | Some('\n' | '\r') => {
                    let kind = if is_multi_line { "multi-line " } else { "" };
                    fail!(start, "unterminated {kind}string: add a closing {closing}");
                }
                Some(c) if c == quote && !is_multi_line => {
                    self.advance();
                    return Ok(text);
                }
                Some(c) if c == quote => {
                    let run = self.run_length(|c| c == quote);
                    if run >= 3 {
                        // Up to two quotes right before the closing delimiter belong to the text.
                        let extra = (run - 3).min(2);
                        text.extend(std::iter::repeat_n(quote, extra));
                        self.advance_by(3 + extra);
                        return Ok(text);
                    }
                    text.extend(std::iter::repeat_n(quote, run));
                    self.advance_by(run);
                }
                Some('\\') if quote == '"' => self.parse_escape(is_multi_line, &mut text)?,
                Some(c) if c.is_ascii_control() && c != '\t' => {
                    let code = u32::from(c);
                    fail!(
                        self.pos(),
                        "the control character U+{code:04X} is not allowed in a string: \
                         write the escape \\u{code:04X} in a \"...\" string"
                    );
                }
                Some(c) => {
                    text.push(c);
                    self.advance();
                }
            }
        }
    }

    /// Reads an escape sequence in a basic string, starting at its backslash.
    fn parse_escape(&mut self, is_multi_line: bool, text: &mut String) -> Result<(), ParseError> {
        let pos = self.pos();
        self.advance();
        let spaces = self.run_length(|c| c == ' ' || c == '\t');
        if is_multi_line && matches!(self.peek_at(spaces), Some('\n' | '\r')) {
            // A backslash at the end of a line trims the newline and the whitespace that follows.
            self.skip_spaces();
            while self.eat_newline()? {
                self.skip_spaces();
            }
            return Ok(());
        }
        let decoded = match self.peek() {
            Some('b') => '\u{8}',
            Some('t') => '\t',
            Some('n') => '\n',
            Some('f') => '\u{c}',
            Some('r') => '\r',
            Some('"') => '"',
            Some('\\') => '\\',
            Some(letter @ ('u' | 'U')) => {
                let digits = if letter == 'u' { 4 } else { 8 };
                let hex = String::from_iter((1..=digits).filter_map(|offset| self.peek_at(offset)));
                let is_hex = hex.len() == digits && hex.chars().all(|c| c.is_ascii_hexdigit());
                let code = u32::from_str_radix(&hex, 16).ok().filter(|_| is_hex);
                let Some(decoded) = code.and_then(char::from_u32) else {
                    fail!(
                        pos,
                        "\\{letter} must be followed by {digits} hexadecimal digits \
                         naming a Unicode character, as in \\u00E9"
                    );
                };
                self.advance_by(digits);
                decoded
            }
            other => {
                let shown = String::from_iter(other.filter(|c| !c.is_control()));
                fail!(
                    pos,
                    "invalid escape \\{shown}: write \\\\ for a backslash \
                     (escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)"
                );
            }
        };
        self.advance();
        text.push(decoded);
        Ok(())
    }

    /// Fails at the current character, saying what was `wanted` there and what was found.
    fn expected<T>(&self, wanted: &str) -> Result<T, ParseError> {
        let found = describe(self.peek());
        fail!(self.pos(), "expected {wanted}, found {found}")
    }

    /// Skips a comment, if one starts here, up to (not including) the end of the line.
    fn skip_comment(&mut self) -> Result<(), ParseError> {
        if self.peek() != Some('#') {
            return Ok(());
        }
        while let Some(c) = self.peek() {
            if c == '\n' || (c == '\r' && self.peek_at(1) == Some('\n')) {
                break;
            }
            if c.is_ascii_control() && c != '\t' {
                let code = u32::from(c);
                fail!(
                    self.pos(),
                    "the control character U+{code:04X} is not allowed in a comment"
                );
            }
            self.advance();
        }
        Ok(())
    }

    /// Skips spaces and a comment, then requires the end of the line (or file) after `what`.
    fn finish_line(&mut self, what: &str) -> Result<(), ParseError> {
        self.skip_spaces();
        self.skip_comment()?;
        if self.peek().is_some() && !self.eat_newline()? {
            let found = describe(self.peek());
            fail!(
                self.pos(),
                "expected the end of the line after {what}, found {found}: \
                 put each key/value pair and header on its own line"
            );
        }
        Ok(())
    }

    /// Consumes a newline ("\n" or "\r\n") and returns true, or returns false if none is next.
    fn eat_newline(&mut self) -> Result<bool, ParseError> {
        match self.peek() {
            Some('\n') => self.advance(),
            Some('\r') if self.peek_at(1) == Some('\n') => self.advance_by(2),
            Some('\r') => fail!(
                self.pos(),
                "a carriage return must be followed by a line feed: use \\n or \\r\\n line endings"
            ),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn skip_spaces(&mut self) {
        self.advance_by(self.run_length(|c| c == ' ' || c == '\t'));
    }

    fn take_while(&mut self, wanted: fn(char) -> bool) -> String {
        let length = self.run_length(wanted);
        let taken = String::from_iter(&self.chars[self.index..self.index + length]);
        self.advance_by(length);
        taken
    }

    /// How many characters from here on are `wanted`.
    fn run_length(&self, wanted: impl Fn(char) -> bool) -> usize {
        self.chars[self.index..]
            .iter()
            .take_while(|&&c| wanted(c))
            .count()
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.index).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.index + offset).copied()
    }

    fn looking_at(&self, text: &str) -> bool {
        text.chars()
            .enumerate()
            .all(|(offset, c)| self.peek_at(offset) == Some(c))
    }

    fn advance(&mut self) {
        if let Some(c) = self.peek() {
            self.index += 1;
            if c == '\n' {
                self.line = self.line.saturating_add(1);
                self.line_start = self.index;
            }
        }
    }

    fn advance_by(&mut self, count: usize) {
        for _ in 0..count {
            self.advance();
        }
    }

    fn pos(&self) -> Pos {
        let line = self.line;
        let column = u32::try_from(self.index - self.line_start + 1).unwrap_or(u32::MAX);
        Pos { line, column }
    }
}

/// Reads an unquoted value such as `true` or `-1_000`, or explains why `token` is not one.
fn bare_value(token: &str, pos: Pos) -> Result<Value, ParseError> {
    if token == "true" || token == "false" {
        return Ok(Value::Boolean(token == "true"));
    }
    let unsigned = token.strip_prefix(['+', '-']).unwrap_or(token);
    if unsigned == "inf" || unsigned == "nan" {
        fail!(pos, "inf and nan are not supported: write an integer");
    }
    if ["0x", "0o", "0b"]
        .iter()
        .any(|prefix| unsigned.starts_with(prefix))
    {
        fail!(
            pos,
            "hexadecimal, octal and binary integers are not supported: write it in decimal"
        );
    }
    let bytes = token.as_bytes();
    let starts_like_a_date = bytes.len() > 4 && bytes[4] == b'-';
    if token.contains(':') || (starts_like_a_date && bytes[..4].iter().all(u8::is_ascii_digit)) {
        fail!(
            pos,
            "dates and times are not supported: write them as a string, such as \"1979-05-27\""
        );
    }
    let is_float_char = |c: char| c.is_ascii_digit() || "_.eE+-".contains(c);
    let starts_with_digit = unsigned.starts_with(|c: char| c.is_ascii_digit());
    if starts_with_digit
        && unsigned.contains(['.', 'e', 'E'])
        && unsigned.chars().all(is_float_char)
    {
        fail!(
            pos,
            "floating-point numbers are not supported: \
             write an integer, or a duration string such as \"1500ms\""
        );
    }
    if unsigned.is_empty() || !unsigned.chars().all(|c| c.is_ascii_digit() || c == '_') {
        fail!(
            pos,
            "strings must be in quotes: write \"{token}\" instead of {token}"
        );
    }
    if unsigned.starts_with('_') || unsigned.ends_with('_') || unsigned.contains("__") {
        fail!(
            pos,
            "invalid integer {token}: put underscores only between digits, as in 1_000"
        );
    }
    let sign = &token[..token.len() - unsigned.len()];
    let digits = unsigned.replace('_', "");
    if digits.len() > 1 && digits.starts_with('0') {
        let trimmed = digits.trim_start_matches('0');
        let suggestion = if trimmed.is_empty() { "0" } else { trimmed };
        fail!(
            pos,
            "leading zeros are not allowed: write {sign}{suggestion} instead of {token}"
        );
    }
    // Only overflow is left to go wrong; parsing with the sign keeps i64::MIN in range.
    let Ok(number) = format!("{sign}{digits}").parse() else {
        let (min, max) = (i64::MIN, i64::MAX);
        fail!(
            pos,
            "integer {token} does not fit in 64 bits: write a number from {min} to {max}"
        );
    };
    Ok(Value::Integer(number))
}

/// The table at `path`, which a header made earlier (so every step exists).
fn table_at<'a>(mut table: &'a mut Table, path: &[(usize, usize)]) -> &'a mut Table {
    for &(entry, element) in path {
        table = match &mut table.entries[entry].1.value {
            Value::ArrayOfTables(elements) => &mut elements[element].value,
            Value::Table(child) => child,
            other => unreachable!("a header path leads through {}", other.type_name()),
        };
    }
    table
}

/// Adds a key and its value to `table`, unless the key is already there.
fn insert_unique(table: &mut Table, (key, value): Entry) -> Result<(), ParseError> {
    if let Some(first) = table.position(&key.value) {
        let line = table.entries[first].0.pos.line;
        fail!(
            key.pos,
            "duplicate key {:?} (first defined on line {line})",
            key.value
        );
    }
    table.entries.push((key, value));
    Ok(())
}

fn spanned<T>(value: T, pos: Pos) -> Spanned<T> {
    Spanned { value, pos }
}

fn is_bare_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn is_bare_value_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+-.:".contains(c)
}

/// A key as it would be written in a header: bare if it can be, quoted otherwise.
fn display_key(key: &str) -> String {
    if !key.is_empty() && key.chars().all(is_bare_key_char) {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

/// A header's dotted name, such as `steps.predict`.
fn header_name(names: &[Spanned<String>]) -> String {
    let shown: Vec<String> = names.iter().map(|name| display_key(&name.value)).collect();
    shown.join(".")
}

/// A value's type with "a" or "an", such as "an integer".
fn with_article(value: &Value) -> String {
    let name = value.type_name();
    let article = if name.starts_with(['a', 'i']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

/// The character (or end) found where something else was expected, for error messages.
fn describe(found: Option<char>) -> String {
    match found {
        None => "the end of the file".into(),
        Some('\n' | '\r') => "the end of the line".into(),
        Some(c) if c.is_control() => format!("the control character U+{:04X}", u32::from(c)),
        Some(c) => format!("\"{c}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str = r#"# What this scenario teaches.
id = "kill-controller-manager-leader"
title = "Kill the node that holds the controller-manager lease"
seed = 1
run_for = "90s"

[cluster]
masters = 3
etcd = "stacked"
workers = 2
load_balancer = true

[kube-controller-manager]
leader-elect = true
leader-elect-lease-duration = "15s"

[[actions]]
at = "30s"
action = "kill-node"
target = "leader:kube-controller-manager"

[[actions]]
at = "60s"
action = "partition"
groups = [["master-1"], ["master-2", "master-3", "loadbalancer"]]
"#;

    const LESSON: &str = r#"id = "leader-election"

[[steps]]
text = """
# Who leads?

Three **controller managers** run, \
    but only "one" works.
"""

[steps.predict]
question = "Which master holds the lease?"
choices = [
  "master-1", # the first to start
  "master-2",
]
answer = { index = 0, why = 'It started first.' }

[[steps]]
text = '''
Kill it: `kill-node leader`.\n'''
do = { action = "kill-node", target = "leader" }

[steps.predict]
answer = { at_most = "15s", options = [1, 2] }
"#;

    /// Checks rows of `document => (line, column), part of the message;` with `assert_error`.
    macro_rules! assert_errors {
        ($($text:expr => ($line:expr, $column:expr), $needle:expr;)+) => {
            $(assert_error(&$text, $line, $column, $needle);)+
        };
    }

    /// Checks rows of `value => its plain form;`, where each value is read from `v = value`.
    macro_rules! assert_values {
        ($($text:expr => $expected:expr;)+) => {
            $(assert_eq!(value_of(&$text), $expected, "for {:?}", $text);)+
        };
    }

    fn parse_ok(text: &str) -> Table {
        parse(text).unwrap_or_else(|error| panic!("{error}\nin:\n{text}"))
    }

    /// Checks that `text` fails at `line`:`column` with a message containing `needle`.
    fn assert_error(text: &str, line: u32, column: u32, needle: &str) {
        let error = parse(text).expect_err(text);
        let at = (error.pos.line, error.pos.column);
        assert_eq!(at, (line, column), "{error}\nin:\n{text}");
        assert!(error.message.contains(needle), "{error:?} lacks {needle:?}");
    }

    /// A value without positions, in a compact TOML-like form, for comparisons.
    fn plain(value: &Value) -> String {
        let (open, items, close): (_, Vec<String>, _) = match value {
            Value::String(text) => return format!("{text:?}"),
            Value::Integer(number) => return number.to_string(),
            Value::Boolean(flag) => return flag.to_string(),
            Value::Array(items) => (
                "[",
                items.iter().map(|item| plain(&item.value)).collect(),
                "]",
            ),
            Value::Table(table) => ("{", table.entries.iter().map(plain_entry).collect(), "}"),
            Value::ArrayOfTables(tables) => {
                let tables = tables.iter().map(|table| plain_table(&table.value));
                ("[[", tables.collect(), "]]")
            }
        };
        format!("{open}{}{close}", items.join(", "))
    }

    fn plain_entry((key, value): &Entry) -> String {
        format!("{} = {}", key.value, plain(&value.value))
    }

    fn plain_table(table: &Table) -> String {
        plain(&Value::Table(table.clone()))
    }

    /// The value of `v` in the document `v = {text}`, as `plain` shows it.
    fn value_of(text: &str) -> String {
        plain(&parse_ok(&format!("v = {text}")).entries[0].1.value)
    }

    /// The value under `key` in `table`, which must be there.
    fn get<'a>(table: &'a Table, key: &str) -> &'a Spanned<Value> {
        table
            .get(key)
            .unwrap_or_else(|| panic!("no {key:?} in {table:?}"))
    }

    fn pos(line: u32, column: u32) -> Pos {
        Pos { line, column }
    }

    #[test]
    fn parses_realistic_scenario_file() {
        let root = parse_ok(SCENARIO);
        let expected = "{id = \"kill-controller-manager-leader\", \
            title = \"Kill the node that holds the controller-manager lease\", \
            seed = 1, run_for = \"90s\", \
            cluster = {masters = 3, etcd = \"stacked\", workers = 2, load_balancer = true}, \
            kube-controller-manager = \
            {leader-elect = true, leader-elect-lease-duration = \"15s\"}, \
            actions = [[\
            {at = \"30s\", action = \"kill-node\", target = \"leader:kube-controller-manager\"}, \
            {at = \"60s\", action = \"partition\", \
            groups = [[\"master-1\"], [\"master-2\", \"master-3\", \"loadbalancer\"]]}]]}";
        assert_eq!(plain_table(&root), expected);
        assert_eq!(get(&root, "id").pos, pos(2, 6));
        assert_eq!(get(&root, "cluster").pos, pos(7, 1));
        assert_eq!(root.entries[4].0.pos, pos(7, 2));
        let Value::ArrayOfTables(actions) = &get(&root, "actions").value else {
            panic!()
        };
        assert_eq!((actions[0].pos, actions[1].pos), (pos(17, 1), pos(22, 1)));
        let Value::Array(groups) = &get(&actions[1].value, "groups").value else {
            panic!()
        };
        assert_eq!(groups[1].pos, pos(25, 25));
    }

    #[test]
    fn parses_lesson_file_with_steps_sub_tables_and_inline_tables() {
        let root = parse_ok(LESSON);
        let Value::ArrayOfTables(steps) = &get(&root, "steps").value else {
            panic!()
        };
        let first = "{text = \"# Who leads?\\n\\nThree **controller managers** run, \
            but only \\\"one\\\" works.\\n\", \
            predict = {question = \"Which master holds the lease?\", \
            choices = [\"master-1\", \"master-2\"], \
            answer = {index = 0, why = \"It started first.\"}}}";
        assert_eq!(plain_table(&steps[0].value), first);
        let second = "{text = \"Kill it: `kill-node leader`.\\\\n\", \
            do = {action = \"kill-node\", target = \"leader\"}, \
            predict = {answer = {at_most = \"15s\", options = [1, 2]}}}";
        assert_eq!(plain_table(&steps[1].value), second);
        assert_eq!(get(&steps[1].value, "predict").pos, pos(24, 1));
        let Value::Table(predict) = &get(&steps[0].value, "predict").value else {
            panic!()
        };
        assert_eq!(get(predict, "answer").pos, pos(17, 10));
    }

    #[test]
    fn skips_comments_everywhere_they_are_allowed() {
        let root = parse_ok("# top\n  # indented\na = 1 # after\n[t] # header\n#");
        assert_eq!(plain_table(&root), "{a = 1, t = {}}");
        assert_values! { "[ # a\n  1, # b\n  # c\n  2 # d\n] # e" => "[1, 2]"; }
        assert_errors! { "a = 1 # bell \u{7}" => (1, 14), "U+0007 is not allowed in a comment"; }
    }

    #[test]
    fn reads_bare_and_quoted_keys() {
        let root =
            parse_ok("b_1-2 = 1\n1234 = 2\n\"a b\" = 3\n'\\' = 4\n\"\" = 5\n\"\\u00e9\" = 6");
        let expected = r#"{b_1-2 = 1, 1234 = 2, a b = 3, \ = 4,  = 5, é = 6}"#;
        assert_eq!(plain_table(&root), expected);
        assert_eq!(root.entries[2].0.pos, pos(3, 1));
        assert_errors! {
            "= 1" => (1, 1), "expected a key";
            "ké = 1" => (1, 2), "expected \"=\" after key \"k\", found \"é\"";
            "[cluster]\nmasters 3" => (2, 9), "expected \"=\" after key \"masters\", found \"3\"";
        }
    }

    #[test]
    fn rejects_dotted_keys_with_a_table_suggestion() {
        let message = "dotted keys such as a.b = … are not supported: \
            write a [a] table with key b";
        assert_errors! {
            "a.b = 1" => (1, 2), message;
            "x = { a . b = 1 }" => (1, 9), message;
            "a.\"q r\" = 1" => (1, 2), "write a [a] table with key \"q r\"";
        }
    }

    #[test]
    fn rejects_missing_values_and_extra_text_on_a_line() {
        assert_errors! {
            "a = " => (1, 5), "expected a value";
            "a = 1 b = 2" => (1, 7), "put each key/value pair and header on its own line";
            "[a] b = 2" => (1, 5), "expected the end of the line after the table header";
            "\"é\" = \"µµ\" x" => (1, 12), "expected the end of the line";
        }
    }

    #[test]
    fn decodes_basic_string_escapes() {
        assert_values! {
            r#""\" \\ \n \t \r \b \f""# => r#""\" \\ \n \t \r \u{8} \u{c}""#;
            r#""\u00E9\U0001F600 µ""# => r#""é😀 µ""#;
        }
        assert_errors! {
            r#"v = "a\qb""# => (1, 7), "invalid escape \\q";
            r#"v = "\u12""# => (1, 6), "\\u must be followed by 4 hexadecimal digits";
            r#"v = "\uD800""# => (1, 6), "naming a Unicode character";
            r#"v = "\U00110000""# => (1, 6), "naming a Unicode character";
        }
    }

    #[test]
    fn reads_literal_strings_verbatim() {
        assert_values! {
            r"'C:\path\n \u00E9'" => r#""C:\\path\\n \\u00E9""#;
            "'tab\there'" => r#""tab\there""#;
        }
    }

    #[test]
    fn reads_multi_line_basic_strings() {
        assert_values! {
            "\"\"\"\nfirst\n  second\"\"\"" => r#""first\n  second""#;
            "\"\"\"one \\\n\n     two \\  \n three\"\"\"" => r#""one two three""#;
            "\"\"\"a\\t\"b\" \"\"c\"\"\"\"\"" => r#""a\t\"b\" \"\"c\"\"""#;
            "\"\"\"\r\ncrlf\r\nlines\"\"\"" => r#""crlf\nlines""#;
        }
    }

    #[test]
    fn reads_multi_line_literal_strings() {
        assert_values! { "'''\nraw \\n\n'one' ''two'''''" => r#""raw \\n\n'one' ''two''""#; }
    }

    #[test]
    fn rejects_unterminated_strings_at_their_opening_quote() {
        assert_errors! {
            "a = 1\nb = \"open\nc = 2" => (2, 5), "unterminated string: add a closing \"";
            "b = 'open" => (1, 5), "unterminated string: add a closing '";
            "\n  b = \"\"\"open\n\n" => (2, 7), "unterminated multi-line string: add a closing \"";
            "b = '''open''" => (1, 5), "unterminated multi-line string: add a closing '''";
            "\"key = 1" => (1, 1), "unterminated string";
        }
    }

    #[test]
    fn rejects_control_characters_in_strings() {
        assert_errors! {
            "v = \"a\u{0}b\"" => (1, 7), "U+0000 is not allowed in a string";
            "v = 'a\u{1b}'" => (1, 7), "U+001B is not allowed in a string";
            "v = \"\"\"a\u{7f}\"\"\"" => (1, 9), "U+007F is not allowed in a string";
            "v = \"\"\"a\rb\"\"\"" => (1, 9), "a carriage return must be followed by a line feed";
        }
    }

    #[test]
    fn reads_integers_with_signs_and_underscores() {
        assert_values! {
            "0" => "0";
            "-0" => "0";
            "+42" => "42";
            "-1_000_000" => "-1000000";
            "9223372036854775807" => i64::MAX.to_string();
            "-9_223_372_036_854_775_808" => i64::MIN.to_string();
        }
    }

    #[test]
    fn rejects_integers_outside_i64_without_panicking() {
        assert_errors! {
            "v = 9223372036854775808" => (1, 5), "does not fit in 64 bits";
            "v = -9223372036854775809" => (1, 5), "does not fit in 64 bits";
            "v = 99999999999999999999999" => (1, 5), "does not fit in 64 bits";
        }
    }

    #[test]
    fn rejects_leading_zeros_and_misplaced_underscores() {
        assert_errors! {
            "v = 007" => (1, 5), "leading zeros are not allowed: write 7 instead of 007";
            "v = -0_0" => (1, 5), "write -0 instead of -0_0";
            "v = 1__000" => (1, 5), "put underscores only between digits";
            "v = _1" => (1, 5), "put underscores only between digits";
            "v = 1_" => (1, 5), "put underscores only between digits";
        }
    }

    #[test]
    fn rejects_unsupported_number_forms_with_advice() {
        let float = "floating-point numbers are not supported: \
            write an integer, or a duration string such as \"1500ms\"";
        for text in ["1.5", "-0.5", "1e6", "6.02E+23", "3_000.0"] {
            assert_error(&format!("v = {text}"), 1, 5, float);
        }
        assert_errors! {
            "v = inf" => (1, 5), "inf and nan are not supported: write an integer";
            "v = -nan" => (1, 5), "inf and nan are not supported";
            "v = 0xFF" => (1, 5), "hexadecimal, octal and binary integers are not supported";
            "v = 0o17" => (1, 5), "hexadecimal, octal and binary integers are not supported";
            "v = 0b101" => (1, 5), "hexadecimal, octal and binary integers are not supported";
            "v = 1979-05-27" => (1, 5), "dates and times are not supported";
            "v = 1979-05-27T07:32:00Z" => (1, 5), "dates and times are not supported";
            "v = 1979-05-27 07:32:00" => (1, 5), "dates and times are not supported";
            "v = [07:32:00]" => (1, 6), "dates and times are not supported";
        }
    }

    #[test]
    fn reads_booleans_and_rejects_unquoted_strings() {
        assert_values! { "true" => "true"; "false" => "false"; }
        assert_errors! {
            "etcd = stacked" => (1, 8), "strings must be in quotes: write \"stacked\" instead of";
            "v = True" => (1, 5), "write \"True\"";
            "v = @" => (1, 5), "expected a value";
        }
    }

    #[test]
    fn reads_multi_line_arrays_with_trailing_commas() {
        let text = "[\n  1,\n\n  \"two\", # comment\n  [3, [true]],\n  { four = 4 },\n]";
        assert_values! {
            text => r#"[1, "two", [3, [true]], {four = 4}]"#;
            "[]" => "[]";
            "[ # empty\n]" => "[]";
        }
        let root = parse_ok(&format!("v = {text}"));
        let Value::Array(items) = &get(&root, "v").value else {
            panic!()
        };
        assert_eq!(items[1].pos, pos(4, 3));
        assert_errors! {
            "v = [1 2]" => (1, 8), "expected \",\" or \"]\" after an array element, found \"2\"";
            "v = [1,,2]" => (1, 8), "expected a value";
            "x = 0\nv = [1,\n 2" => (2, 5), "unterminated array: add a closing ]";
        }
    }

    #[test]
    fn reads_inline_tables_on_one_line() {
        assert_values! {
            "{ a = 1, \"b c\" = 'x', in = { d = [1,\n 2] } }"
                => r#"{a = 1, b c = "x", in = {d = [1, 2]}}"#;
            "{}" => "{}";
        }
        assert_errors! {
            "v = { a = 1,\n b = 2 }" => (1, 13), "inline tables must be on one line";
            "v = { a = 1 # no\n}" => (1, 13), "inline tables must be on one line";
            "v = { a = 1, }" => (1, 12), "inline tables cannot end with a comma";
            "v = { a = 1, a = 2 }" => (1, 14), "duplicate key \"a\" (first defined on line 1)";
            "v = { a = 1" => (1, 5), "unterminated inline table: add a closing }";
            "v = { a = 1; b = 2 }" => (1, 12), "expected \",\" or \"}\" in the inline table";
        }
    }

    #[test]
    fn rejects_duplicate_keys_and_tables() {
        assert_errors! {
            "id = 1\n\nseed = 1\nseed = 2" => (4, 1),
                "duplicate key \"seed\" (first defined on line 3)";
            "a = 1\n[t]\na = 2\na = 3" => (4, 1), "duplicate key \"a\" (first defined on line 3)";
            "\n\n\n\n\n\n[cluster]\n[cluster]" => (8, 2),
                "table [cluster] is defined twice (first on line 7)";
            "[a.b]\n[a]\n[a.b]" => (3, 4), "table [a.b] is defined twice (first on line 1)";
            "[a.b]\n[a]\nb = 1" => (3, 1), "duplicate key \"b\" (first defined on line 1)";
        }
    }

    #[test]
    fn defines_implicit_tables_later_in_written_order() {
        let root = parse_ok("[a.b.c]\nx = 1\n\n[a]\ny = 2\n[a.b]\nz = 3");
        assert_eq!(
            plain_table(&root),
            "{a = {b = {c = {x = 1}, z = 3}, y = 2}}"
        );
        assert_eq!(get(&root, "a").pos, pos(4, 1));
        assert_eq!(
            plain_table(&parse_ok("[ \"x y\" . 'z' ]")),
            "{x y = {z = {}}}"
        );
    }

    #[test]
    fn rejects_headers_that_name_existing_values() {
        assert_errors! {
            "cluster = 3\n[cluster]" => (2, 2),
                "cannot use cluster as a table: it already holds an integer (line 1)";
            "a = [1]\n[a.b]" => (2, 2), "cannot use a as a table: it already holds an array";
            "a = [{}]\n[[a]]" => (2, 3), "cannot use a as a table: it already holds an array (line";
            "a = { b = 1 }\n[a]" => (2, 2), "table [a] was written as an inline table on line 1";
            "[x]\nb = {}\n[x.b.c]" => (3, 4), "table [x.b] was written as an inline table on line";
            "[[a]]\n[a]" => (2, 2), "[a] is already an array of tables (line 1): write [[a]]";
            "[a]\n[[a]]" => (2, 3), "[[a]] cannot add an element: a is already a table (line 1)";
            "[a\nx = 1" => (1, 3), "expected \"]\" to close the header, found the end of the line";
            "[[a]\n" => (1, 4), "expected \"]]\" to close the header, found \"]\"";
            "[]" => (1, 2), "expected a key";
        }
    }

    #[test]
    fn sub_tables_of_arrays_of_tables_belong_to_the_last_element() {
        let root = parse_ok("[[s]]\n[s.p]\nq = 1\n[[s.c]]\n[[s]]\n[s.p]\nq = 2\n[[s.c]]\n[[s.c]]");
        let expected = "{s = [[{p = {q = 1}, c = [[{}]]}, {p = {q = 2}, c = [[{}, {}]]}]]}";
        assert_eq!(plain_table(&root), expected);
        assert_eq!(root.entries[0].0.pos, pos(1, 3));
        let Value::ArrayOfTables(steps) = &get(&root, "s").value else {
            panic!()
        };
        assert_eq!(steps[1].pos, pos(5, 1));
        let nested = parse_ok("[[a.b]]\nx = 1\n[[a.b]]\nx = 2");
        assert_eq!(plain_table(&nested), "{a = {b = [[{x = 1}, {x = 2}]]}}");
        assert_errors! { "[[s]]\n[s.p]\n[s.p]" => (3, 4), "table [s.p] is defined twice"; }
    }

    #[test]
    fn accepts_byte_order_mark_and_crlf_line_endings() {
        let root = parse_ok("\u{feff}a = 1\r\n[t]\r\nb = [\r\n  2, # c\r\n]\r\n");
        assert_eq!(plain_table(&root), "{a = 1, t = {b = [2]}}");
        assert_eq!(get(&root, "a").pos, pos(1, 5));
        assert_eq!(
            parse_ok(&SCENARIO.replace('\n', "\r\n")),
            parse_ok(SCENARIO)
        );
        assert_errors! {
            "\u{feff}a = 1\rb = 2" => (1, 6), "a carriage return must be followed by a line feed";
        }
    }

    #[test]
    fn limits_nesting_depth_without_overflowing_the_stack() {
        let deepest = format!("v = {}{}", "[".repeat(128), "]".repeat(128));
        assert!(parse(&deepest).is_ok());
        assert!(parse(&format!("[{}]", ["a"; 128].join("."))).is_ok());
        assert_errors! {
            format!("v = {}", "[".repeat(129)) => (1, 133), "nested at most 128 deep";
            format!("v = {}", "[".repeat(10_000)) => (1, 133), "nested at most 128 deep";
            format!("v = {}", "{a = ".repeat(10_000)) => (1, 645), "nested at most 128 deep";
            format!("[{}]", ["a"; 129].join(".")) => (1, 1), "at most 128 dotted names";
        }
    }

    #[test]
    fn describes_errors_and_types_in_plain_english() {
        let error = parse("a = 1\nb = 1.5").unwrap_err().to_string();
        assert!(error.starts_with("line 2, column 5: floating-point numbers are not supported"));
        let values = [
            Value::String(String::new()),
            Value::Integer(0),
            Value::Boolean(true),
            Value::Array(Vec::new()),
            Value::Table(Table::default()),
            Value::ArrayOfTables(Vec::new()),
        ];
        let names: Vec<&str> = values.iter().map(Value::type_name).collect();
        assert_eq!(
            names,
            [
                "string",
                "integer",
                "boolean",
                "array",
                "table",
                "array of tables"
            ]
        );
        assert!(parse_ok("a = 1").get("b").is_none());
    }

    /// xorshift64*, a tiny deterministic generator for the fuzz tests.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, bound: usize) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let random = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32;
            (random % bound as u64) as usize
        }

        fn pick(&mut self, alphabet: &[char]) -> char {
            alphabet[self.below(alphabet.len())]
        }
    }

    const ALPHABET: &str = "[]{}\"'#=.,\n\r\t\\ abeflnrstuxyzAEFU0123456789-_+µé";

    /// Parses `text`, which must not panic; errors must have a position.
    fn assert_parses_or_fails_cleanly(text: &str) {
        if let Err(error) = parse(text) {
            assert!(
                error.pos.line >= 1 && error.pos.column >= 1,
                "{error:?} for {text:?}"
            );
        }
    }

    #[test]
    fn random_input_never_panics() {
        let alphabet: Vec<char> = ALPHABET.chars().collect();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let length = rng.below(60);
            let text: String = (0..length).map(|_| rng.pick(&alphabet)).collect();
            assert_parses_or_fails_cleanly(&text);
        }
    }

    #[test]
    fn mutated_documents_never_panic() {
        let alphabet: Vec<char> = ALPHABET.chars().collect();
        let mut rng = Rng(0x0123_4567_89ab_cdef);
        for round in 0..20_000 {
            let mut chars: Vec<char> = [SCENARIO, LESSON][round % 2].chars().collect();
            for _ in 0..=rng.below(4) {
                let (at, other) = (rng.below(chars.len()), rng.below(chars.len()));
                match rng.below(4) {
                    0 => drop(chars.remove(at)),
                    1 => chars.insert(at, rng.pick(&alphabet)),
                    2 => chars.insert(at, chars[at]),
                    _ => chars.swap(at, other),
                }
            }
            assert_parses_or_fails_cleanly(&String::from_iter(chars));
        }
    }
}
