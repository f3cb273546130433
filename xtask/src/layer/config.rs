//! What to generate for one API: its output file, its paging and whether it gets handlers.

/// How an API pages its lists.
#[derive(Clone, Copy)]
pub enum Paging {
    /// A `cursor` query parameter, the next one in the `Link` header's `rel="next"`, and a page
    /// size parameter (Eduframe).
    Cursor {
        cursor: &'static str,
        page_size: &'static str,
    },
    /// `offset` and `limit` query parameters; a short page is the last (Ed-Fi).
    Offset {
        offset: &'static str,
        limit: &'static str,
    },
}

/// What to generate for one API.
pub struct LayerConfig {
    /// Output file, relative to the crate folder.
    pub output: &'static str,
    /// Resource handlers and request types for every operation (`true`), or only the listings
    /// (`false`: the crate's hand-written handlers cover the other operations).
    pub handlers: bool,
    /// A request type for every operation even without handlers (the crate's hand-written
    /// handlers send through them): implied by `handlers`.
    pub requests: bool,
    /// The API's paging.
    pub paging: Paging,
    /// The crate's function that checks a page size: `fn(Option<u32>) -> Result<u32>`.
    pub page_size_fn: &'static str,
    /// A test that calls every operation through the layer against the crate's simulator
    /// (`handlers` only): file relative to the crate folder, and the crate's name in Rust.
    pub test: Option<(&'static str, &'static str)>,
    /// The crate's name in Rust (`eduframe_client`), as the command line's calls name it.
    pub krate: &'static str,
    /// The `edu` command line's table of operations, relative to the workspace root.
    pub cli_table: Option<&'static str>,
    /// Where records the API makes through another resource come from, added to the docs of
    /// the handler a user looks in first: `(tag, text)`.
    pub made_elsewhere: &'static [(&'static str, &'static str)],
}
