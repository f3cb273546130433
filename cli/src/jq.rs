//! `--jq EXPR`: a jq filter, compiled once and run over each record in the process, with
//! jaq (a jq implementation in Rust) and its standard library, as `gh --jq` does.

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Ctx, Filter, Native, RcIter};
use jaq_json::Val;

use crate::failure::Failure;

/// A compiled `--jq` filter.
pub struct Jq {
    filter: Filter<Native<Val>>,
}

impl Jq {
    /// Compiles `code`; an expression jaq cannot parse, or that names a filter or variable
    /// that does not exist, is a usage error saying where.
    pub fn compile(code: &str) -> Result<Self, Failure> {
        let program = File { code, path: () };
        let loader = Loader::new(jaq_std::defs().chain(jaq_json::defs()));
        let arena = Arena::default();
        let modules = loader.load(&arena, program).map_err(|errors| {
            let why = errors
                .into_iter()
                .next()
                .map(|(_, e)| load_error(&e))
                .unwrap_or_else(|| "it cannot be read".into());
            usage(code, &why)
        })?;
        let filter = jaq_core::Compiler::default()
            .with_funs(jaq_std::funs().chain(jaq_json::funs()))
            .compile(modules)
            .map_err(|errors| {
                let why = errors
                    .into_iter()
                    .flat_map(|(_, e)| e)
                    .map(|(name, undefined)| undefined_name(name, &undefined))
                    .next()
                    .unwrap_or_else(|| "it cannot be compiled".into());
                usage(code, &why)
            })?;
        Ok(Self { filter })
    }

    /// The filter's outputs for `input`, in order; an error the filter raises (`error`, a
    /// type mismatch such as `.name + 1`) fails the run.
    pub fn run(&self, input: &serde_json::Value) -> Result<Vec<serde_json::Value>, Failure> {
        let inputs = RcIter::new(core::iter::empty());
        self.filter
            .run((Ctx::new([], &inputs), Val::from(input.clone())))
            .map(|out| {
                out.map(to_json)
                    .map_err(|e| Failure::Filter(format!("--jq: {e}")))
            })
            .collect()
    }
}

fn usage(code: &str, why: &str) -> Failure {
    Failure::Usage(format!(
        "--jq `{}`: {why}",
        crate::terminal::printable(code)
    ))
}

/// A name the expression uses that jaq does not know, said as jq says it (`name/arity`).
fn undefined_name(name: &str, undefined: &jaq_core::compile::Undefined) -> String {
    use jaq_core::compile::Undefined;
    match undefined {
        Undefined::Filter(arity) => format!("`{name}/{arity}` is not defined"),
        Undefined::Var => format!("variable `{name}` is not defined"),
        Undefined::Label => format!("label `{name}` is not defined"),
        Undefined::Mod => format!("module `{name}` is not defined"),
        _ => format!("`{name}` is not defined"),
    }
}

/// What a lexer or parser expected, and what it found there.
fn load_error(e: &jaq_core::load::Error<&str>) -> String {
    use jaq_core::load::Error;
    let (expected, found) = match e {
        Error::Io(errors) => {
            return errors
                .first()
                .map(|(path, why)| format!("cannot load `{path}`: {why}"))
                .unwrap_or_default();
        }
        Error::Lex(errors) => match errors.first() {
            Some((expected, found)) => (expected.as_str(), *found),
            None => return "it cannot be read".into(),
        },
        Error::Parse(errors) => match errors.first() {
            Some((expected, found)) => (expected.as_str(), *found),
            None => return "it cannot be parsed".into(),
        },
    };
    let found: String = found.chars().take(20).collect();
    if found.is_empty() {
        format!("expected {expected} at the end")
    } else {
        format!(
            "expected {expected} at `{}`",
            crate::terminal::printable(&found)
        )
    }
}

/// A jaq value as JSON. A number JSON cannot hold (NaN, infinity) becomes `null`, as jq
/// writes it.
fn to_json(v: Val) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Val::Null => Value::Null,
        Val::Bool(b) => Value::Bool(b),
        Val::Int(i) => Value::Number((i as i64).into()),
        Val::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        Val::Num(n) => n
            .parse::<serde_json::Number>()
            .ok()
            .or_else(|| n.parse::<f64>().ok().and_then(serde_json::Number::from_f64))
            .map_or(Value::Null, Value::Number),
        Val::Str(s) => Value::String((*s).clone()),
        Val::Arr(a) => Value::Array(a.iter().cloned().map(to_json).collect()),
        Val::Obj(o) => Value::Object(
            o.iter()
                .map(|(k, v)| ((**k).clone(), to_json(v.clone())))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Jq;

    #[test]
    fn a_filter_maps_a_record_to_its_outputs() {
        let record = json!({"id": "7", "name": {"first": "Ada"}, "tags": ["a", "b"], "n": 2});
        let cases = [
            (".id", vec![json!("7")]),
            (".name.first", vec![json!("Ada")]),
            (".tags[]", vec![json!("a"), json!("b")]),
            (
                "{id, first: .name.first}",
                vec![json!({"id": "7", "first": "Ada"})],
            ),
            ("select(.n > 5)", vec![]),
            (".n * 1.5", vec![json!(3.0)]),
            (
                "[.tags | map(ascii_upcase)[]] | join(\",\")",
                vec![json!("A,B")],
            ),
            (".missing", vec![json!(null)]),
        ];
        for (code, want) in cases {
            let jq = Jq::compile(code).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!(jq.run(&record).unwrap(), want, "{code}");
        }
    }

    #[test]
    fn an_expression_that_does_not_parse_or_names_nothing_is_a_usage_error() {
        for (code, says) in [
            (".id |", "expected"),
            ("{id", "expected"),
            ("nosuchfilter", "`nosuchfilter/0` is not defined"),
            ("$nosuchvar", "variable `$nosuchvar` is not defined"),
        ] {
            let Err(e) = Jq::compile(code) else {
                panic!("{code} compiled");
            };
            assert_eq!(e.exit_code(), 2, "{code}");
            assert!(e.to_string().contains(says), "{code}: {e}");
        }
    }

    #[test]
    fn an_error_the_filter_raises_fails_the_run_with_its_message() {
        let jq = Jq::compile(r#"error("no \(.id)")"#).unwrap();
        let e = jq.run(&json!({"id": 3})).unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(e.to_string().contains("no 3"), "{e}");
        let jq = Jq::compile(".name + 1").unwrap();
        assert!(jq.run(&json!({"name": "x"})).is_err());
    }
}
