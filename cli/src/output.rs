//! Writing answers: pretty JSON for people (a listing as one JSON array), JSON Lines for pipes,
//! CSV with the top-level fields as columns (nested values as JSON), aligned columns for a
//! terminal; optionally only some fields, dotted paths reaching nested values.

use std::io::Write;

use serde_json::{Map, Value};

/// How records are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Indented JSON (the default on a terminal).
    Json,
    /// One JSON value per line (the default when piped).
    Jsonl,
    /// Comma-separated, a header line first: top-level fields as columns, nested values as JSON.
    Csv,
    /// Aligned columns for a terminal (`--fields`, or the first record's fields), written when
    /// the listing ends.
    Table,
}

/// A writer that counts the bytes it passed on (what a resumed export truncates back to).
pub struct Counting<W> {
    inner: W,
    /// Bytes written so far (from where the count started).
    pub written: u64,
}

impl<W: Write> Counting<W> {
    /// Counts from `start`.
    pub fn new(inner: W, start: u64) -> Self {
        Counting {
            inner,
            written: start,
        }
    }
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Where records go, in the chosen format.
pub struct Sink {
    format: Format,
    fields: Option<Vec<String>>,
    out: Counting<Box<dyn Write>>,
    /// The CSV columns, fixed by `--fields` or the first record.
    columns: Option<Vec<String>>,
    /// Whether the CSV header is already in the output (a resumed export).
    header_written: bool,
    /// A listing written as one JSON array: whether its opening `[` (and so a record) is out.
    array_open: bool,
    /// Whether records go into one JSON array (a listing in `json`).
    array: bool,
    /// The rows of a `table`, kept until the listing ends (widths need every row).
    table: Vec<Value>,
}

impl Sink {
    /// A sink writing to `out`, which already holds `written` bytes (0 unless resuming).
    pub fn new(
        out: Box<dyn Write>,
        written: u64,
        format: Format,
        fields: Option<Vec<String>>,
        columns: Option<Vec<String>>,
    ) -> Self {
        let header_written = columns.is_some();
        Sink {
            format,
            columns: columns.or_else(|| fields.clone()),
            fields,
            out: Counting::new(out, written),
            header_written,
            // A resumed JSON listing already holds its `[` and at least one record.
            array_open: written > 0,
            array: false,
            table: Vec::new(),
        }
    }

    /// Records from here on are the items of a listing: in `json`, one array.
    pub fn listing(&mut self) {
        self.array = self.format == Format::Json;
    }

    /// `--fields` names that none of `records` has (an object's fields, dotted paths into
    /// nested objects); `None` when every name is found or the records are not objects.
    pub fn unknown_fields(&self, records: &[Value]) -> Option<(Vec<String>, Vec<String>)> {
        let fields = self.fields.as_ref()?;
        let objects: Vec<&Value> = records.iter().filter(|r| r.is_object()).collect();
        if objects.is_empty() {
            return None;
        }
        let missing: Vec<String> = fields
            .iter()
            .filter(|f| !objects.iter().any(|r| lookup(r, f).is_some()))
            .cloned()
            .collect();
        if missing.is_empty() {
            return None;
        }
        let mut known: Vec<String> = Vec::new();
        for r in &objects {
            for k in r.as_object().into_iter().flat_map(|m| m.keys()) {
                if !known.contains(k) {
                    known.push(k.clone());
                }
            }
        }
        Some((missing, known))
    }

    /// The CSV columns chosen so far (kept in a resume file, so a resumed CSV keeps them).
    pub fn columns(&self) -> Option<&[String]> {
        self.columns.as_deref()
    }

    /// Bytes in the output so far.
    pub fn written(&self) -> u64 {
        self.out.written
    }

    /// Writes one record.
    pub fn record(&mut self, value: &Value) -> std::io::Result<()> {
        let value = self.project(value);
        match self.format {
            Format::Json if self.array => {
                let text = serde_json::to_string_pretty(&value)?;
                let text = text.replace('\n', "\n  ");
                let lead: &[u8] = if self.array_open { b",\n  " } else { b"[\n  " };
                self.array_open = true;
                self.out.write_all(lead)?;
                self.out.write_all(text.as_bytes())
            }
            Format::Json => {
                let text = serde_json::to_string_pretty(&value)?;
                self.out.write_all(text.as_bytes())?;
                self.out.write_all(b"\n")
            }
            Format::Table => {
                self.table.push(value);
                Ok(())
            }
            Format::Jsonl => {
                let text = serde_json::to_string(&value)?;
                self.out.write_all(text.as_bytes())?;
                self.out.write_all(b"\n")
            }
            Format::Csv => self.csv_row(&value),
        }
    }

    /// Writes an answer that is not a listing: an array as records, anything else as one.
    pub fn answer(&mut self, value: &Value) -> std::io::Result<()> {
        match (self.format, value) {
            (Format::Jsonl | Format::Csv | Format::Table, Value::Array(items)) => {
                items.iter().try_for_each(|v| self.record(v))
            }
            (Format::Json, Value::Array(items)) if self.fields.is_some() => {
                let items: Vec<Value> = items.iter().map(|v| self.project(v)).collect();
                let text = serde_json::to_string_pretty(&items)?;
                self.out.write_all(text.as_bytes())?;
                self.out.write_all(b"\n")
            }
            (_, Value::Null) => Ok(()),
            _ => self.record(value),
        }
    }

    /// Ends the output: closes a JSON array (`[]` for a listing with no record), writes a table.
    pub fn finish(&mut self) -> std::io::Result<()> {
        if self.array {
            let end: &[u8] = if self.array_open { b"\n]\n" } else { b"[]\n" };
            self.out.write_all(end)?;
            self.array = false;
        }
        if self.format == Format::Table {
            let rows = std::mem::take(&mut self.table);
            let text = table(&rows, self.columns.as_deref());
            self.out.write_all(text.as_bytes())?;
        }
        self.out.flush()
    }

    /// Flushes what is buffered.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    fn project(&self, value: &Value) -> Value {
        match (&self.fields, value) {
            (Some(fields), Value::Object(_)) => Value::Object(
                fields
                    .iter()
                    .map(|f| (f.clone(), lookup(value, f).cloned().unwrap_or(Value::Null)))
                    .collect::<Map<String, Value>>(),
            ),
            _ => value.clone(),
        }
    }

    fn csv_row(&mut self, value: &Value) -> std::io::Result<()> {
        let columns = match &self.columns {
            Some(c) => c.clone(),
            None => {
                let c: Vec<String> = match value {
                    Value::Object(map) => map.keys().cloned().collect(),
                    _ => vec!["value".to_owned()],
                };
                self.columns = Some(c.clone());
                c
            }
        };
        if !self.header_written {
            self.csv_line(&columns)?;
            self.header_written = true;
        }
        let cell = |v: Option<&Value>| match v {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        let row: Vec<String> = match value {
            Value::Object(map) => columns.iter().map(|c| cell(map.get(c))).collect(),
            other => vec![cell(Some(other))],
        };
        self.csv_line(&row)
    }

    /// One CSV line, quoted as RFC 4180 says (by the `csv` crate).
    fn csv_line(&mut self, cells: &[String]) -> std::io::Result<()> {
        let mut line = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        line.write_record(cells)?;
        let bytes = line
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        self.out.write_all(&bytes)
    }
}

/// The value at `path` in `record`: a field's name, or a dotted path into nested objects
/// (`name.first`); a field whose own name holds a dot is found by that name first.
fn lookup<'v>(record: &'v Value, path: &str) -> Option<&'v Value> {
    if let Some(v) = record.get(path) {
        return Some(v);
    }
    path.split('.').try_fold(record, |v, key| v.get(key))
}

/// Rows as aligned columns: `columns`, or the first row's fields; nested values as JSON.
fn table(rows: &[Value], columns: Option<&[String]>) -> String {
    let columns: Vec<String> = match columns {
        Some(c) => c.to_vec(),
        None => match rows.first() {
            Some(Value::Object(m)) => m.keys().cloned().collect(),
            Some(_) => vec!["value".to_owned()],
            None => return String::new(),
        },
    };
    let cell = |v: Option<&Value>| -> String {
        let text = match v {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        // One line per row: a server's newlines and control characters never reach the screen.
        crate::terminal::printable(&text.replace(['\n', '\r', '\t'], " "))
    };
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| match r {
            Value::Object(_) => columns.iter().map(|c| cell(lookup(r, c))).collect(),
            other => vec![cell(Some(other))],
        })
        .collect();
    let width = |i: usize| {
        cells
            .iter()
            .map(|row| row.get(i).map_or(0, |c| c.chars().count()))
            .chain(std::iter::once(columns[i].chars().count()))
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..columns.len()).map(width).collect();
    let line = |row: &[String]| -> String {
        let padded: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(&columns.iter().map(|c| c.to_uppercase()).collect::<Vec<_>>());
    for row in &cells {
        out.push_str(&line(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn written(format: Format, fields: Option<Vec<String>>, values: &[Value]) -> String {
        let out = Shared::default();
        let mut sink = Sink::new(Box::new(out.clone()), 0, format, fields, None);
        for v in values {
            sink.record(v).unwrap();
        }
        sink.flush().unwrap();
        String::from_utf8(out.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn csv_takes_the_first_records_fields_and_writes_nested_values_as_json() {
        let rows = [
            serde_json::json!({"id": 1, "name": "Ann, A.", "tags": ["a"], "x": null}),
            serde_json::json!({"id": 2, "name": "Bo \"B\"", "extra": true}),
        ];
        assert_eq!(
            written(Format::Csv, None, &rows),
            "id,name,tags,x\n1,\"Ann, A.\",\"[\"\"a\"\"]\",\n2,\"Bo \"\"B\"\"\",,\n"
        );
    }

    #[test]
    fn a_json_listing_is_one_array_and_an_empty_one_is_empty() {
        for (values, want) in [
            (vec![], "[]\n"),
            (
                vec![serde_json::json!({"id": 1}), serde_json::json!({"id": 2})],
                "[\n  {\n    \"id\": 1\n  },\n  {\n    \"id\": 2\n  }\n]\n",
            ),
        ] {
            let out = Shared::default();
            let mut sink = Sink::new(Box::new(out.clone()), 0, Format::Json, None, None);
            sink.listing();
            for v in &values {
                sink.record(v).unwrap();
            }
            sink.finish().unwrap();
            let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
            assert_eq!(text, want);
            let parsed: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(parsed.as_array().map(Vec::len), Some(values.len()));
        }
    }

    #[test]
    fn dotted_fields_reach_nested_values_and_unknown_ones_are_named() {
        let rows = [serde_json::json!({"id": 1, "name": {"first": "Ann", "last": "A"}})];
        let fields = Some(vec!["id".to_owned(), "name.first".to_owned()]);
        assert_eq!(
            written(Format::Csv, fields.clone(), &rows),
            "id,name.first\n1,Ann\n"
        );
        let sink = Sink::new(
            Box::new(Shared::default()),
            0,
            Format::Jsonl,
            Some(vec!["id".to_owned(), "nmae".to_owned()]),
            None,
        );
        let (missing, known) = sink.unknown_fields(&rows).expect("nmae is unknown");
        assert_eq!(missing, ["nmae"]);
        assert_eq!(known, ["id", "name"]);
    }

    #[test]
    fn a_table_aligns_its_columns() {
        let out = Shared::default();
        let mut sink = Sink::new(Box::new(out.clone()), 0, Format::Table, None, None);
        sink.record(&serde_json::json!({"id": 1, "name": "Ann"}))
            .unwrap();
        sink.record(&serde_json::json!({"id": 22, "name": "Bo\nB"}))
            .unwrap();
        sink.finish().unwrap();
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text, "ID  NAME\n1   Ann\n22  Bo B\n");
    }

    #[test]
    fn fields_choose_and_order_the_columns() {
        let rows = [serde_json::json!({"id": 1, "name": "Ann", "age": 9})];
        let fields = Some(vec!["name".to_owned(), "id".to_owned()]);
        assert_eq!(
            written(Format::Csv, fields.clone(), &rows),
            "name,id\nAnn,1\n"
        );
        assert_eq!(
            written(Format::Jsonl, fields, &rows),
            "{\"id\":1,\"name\":\"Ann\"}\n",
            "JSON objects keep the field order serde_json keeps (sorted)"
        );
    }
}
