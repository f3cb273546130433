//! Writing answers: pretty JSON for people, JSON Lines for pipes, CSV with the top-level fields
//! as columns (nested values as JSON), optionally only some fields.

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
        }
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
            Format::Json => {
                let text = serde_json::to_string_pretty(&value)?;
                self.out.write_all(text.as_bytes())?;
                self.out.write_all(b"\n")
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
            (Format::Jsonl | Format::Csv, Value::Array(items)) => {
                items.iter().try_for_each(|v| self.record(v))
            }
            (_, Value::Null) => Ok(()),
            _ => self.record(value),
        }
    }

    /// Flushes what is buffered.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    fn project(&self, value: &Value) -> Value {
        match (&self.fields, value) {
            (Some(fields), Value::Object(map)) => Value::Object(
                fields
                    .iter()
                    .map(|f| (f.clone(), map.get(f).cloned().unwrap_or(Value::Null)))
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
