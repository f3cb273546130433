//! What an operation answers: one JSON value, or pages of records with the cursor after each.

use edu_common::Result;
use futures::stream::BoxStream;
use serde_json::Value;

/// Pages of records, each with the cursor of the page after it (`None` after the last).
pub type Pages = BoxStream<'static, Result<(Vec<Value>, Option<String>)>>;

/// An operation's answer.
pub enum Answer {
    /// One value (a record, a list the API does not page, `null` for no content).
    One(Value),
    /// A listing, page by page.
    Pages(Pages),
    /// A lookup that found nothing: `null` is printed, and the run ends with exit code 4 and
    /// this message.
    NoMatch(String),
}

/// Any serializable answer as JSON.
pub fn json<T: serde::Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| {
        edu_common::Error::invalid_input(
            None,
            format!("the answer could not be shown as JSON: {e}"),
        )
    })
}
