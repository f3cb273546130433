//! Reading one listing page's body: the records pushed straight into a `Vec<T>` sized for the
//! page, and only the last record's `uri`.
//!
//! Hand-written rather than derived: the derived envelope (`Vec<{data, uri}>`, then each record
//! moved out into a `Vec<T>`) cost about 5 % more instructions per record than a hand-written
//! loop over the same JSON (the `bench` harness's P1); reading each record into its place
//! and sizing the vector for the page asked for costs less than that loop.

use std::borrow::Cow;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::envelope::{Link, Paging};

/// Reads a page's body, with room for `capacity` records; trailing data is an error.
pub(crate) fn read<'a, T: Deserialize<'a>>(
    body: &'a [u8],
    capacity: usize,
) -> Result<ListBody<'a, T>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let seed = ListSeed::<T> {
        capacity,
        record: PhantomData,
    };
    let list = seed.deserialize(&mut de)?;
    de.end()?;
    Ok(list)
}

/// The list envelope as the stream reads it: the records pushed straight into a `Vec<T>` sized
/// for the page asked for (no wrapper per record to unwrap and copy, no regrowth), and only the
/// last record's `uri`, borrowed from the body, for its id. Read through [`ListSeed`].
pub(crate) struct ListBody<'a, T> {
    pub(crate) data: Records<'a, T>,
    pub(crate) paging: Option<Paging>,
    pub(crate) links: Vec<Link>,
}

/// A page's `data` array of `{"data": record, "uri": …}`: the records, and the last `uri`.
pub(crate) struct Records<'a, T> {
    pub(crate) items: Vec<T>,
    pub(crate) last_uri: Option<Cow<'a, str>>,
}

/// Reads a [`ListBody`], with room for `capacity` records.
struct ListSeed<T> {
    capacity: usize,
    record: PhantomData<T>,
}

/// The envelope's and each record's keys; any other is skipped.
#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum Key {
    Data,
    Paging,
    Links,
    Uri,
    #[serde(other)]
    Other,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for ListSeed<T> {
    type Value = ListBody<'de, T>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListSeed<T> {
    type Value = ListBody<'de, T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list envelope")
    }

    fn visit_map<M: MapAccess<'de>>(
        self,
        mut map: M,
    ) -> std::result::Result<Self::Value, M::Error> {
        let (mut data, mut paging, mut links) = (None, None, Vec::new());
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Data => {
                    data = Some(map.next_value_seed(RecordsSeed::<T>(self.capacity, PhantomData))?)
                }
                Key::Paging => paging = map.next_value()?,
                Key::Links => links = map.next_value()?,
                Key::Uri | Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let data = data.ok_or_else(|| serde::de::Error::missing_field("data"))?;
        Ok(ListBody {
            data,
            paging,
            links,
        })
    }
}

/// Reads the `data` array into [`Records`].
struct RecordsSeed<T>(usize, PhantomData<T>);

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for RecordsSeed<T> {
    type Value = Records<'de, T>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for RecordsSeed<T> {
    type Value = Records<'de, T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<S: SeqAccess<'de>>(
        self,
        mut seq: S,
    ) -> std::result::Result<Self::Value, S::Error> {
        let mut records = Records {
            items: Vec::with_capacity(self.0),
            last_uri: None,
        };
        while seq.next_element_seed(RecordSeed(&mut records))?.is_some() {}
        Ok(records)
    }
}

/// Reads one `{"data": record, "uri": …}` and pushes the record.
struct RecordSeed<'r, 'de, T>(&'r mut Records<'de, T>);

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for RecordSeed<'_, 'de, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for RecordSeed<'_, 'de, T> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a record with its uri")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> std::result::Result<(), M::Error> {
        let mut pushed = false;
        self.0.last_uri = None;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Data if !pushed => {
                    self.0.items.push(map.next_value()?);
                    pushed = true;
                }
                Key::Uri => self.0.last_uri = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if pushed {
            Ok(())
        } else {
            Err(serde::de::Error::missing_field("data"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    struct R {
        id: String,
    }

    #[test]
    fn records_come_in_order_with_the_last_uri_and_unknown_keys_skipped() {
        let body = br#"{"extra":[1,{"a":2}],"data":[
            {"data":{"id":"a"},"uri":"/v1/x/a","more":true},
            {"uri":"/v1/x/b","data":{"id":"b"}}],
            "links":[{"rel":"next","uri":"/v1/x?starting_after=b"}],"paging":{"current":1}}"#;
        let list = read::<R>(body, 10).unwrap();
        let ids: Vec<&str> = list.data.items.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(list.data.last_uri.as_deref(), Some("/v1/x/b"));
        assert_eq!(list.links.len(), 1);
        assert!(list.paging.is_some());
    }

    #[test]
    fn a_last_record_without_uri_leaves_no_last_uri() {
        let body = br#"{"data":[{"data":{"id":"a"},"uri":"/v1/x/a"},{"data":{"id":"b"}}]}"#;
        let list = read::<R>(body, 0).unwrap();
        assert_eq!(list.data.items.len(), 2);
        assert_eq!(list.data.last_uri, None);
    }

    #[test]
    fn a_missing_data_a_record_without_data_and_trailing_bytes_are_errors() {
        for body in [
            &br#"{"links":[]}"#[..],
            br#"{"data":[{"uri":"/v1/x/a"}]}"#,
            br#"{"data":[]} x"#,
            br#"{"data":[{"data":{"id":1}}]}"#,
            br#"[]"#,
        ] {
            assert!(
                read::<R>(body, 0).is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn the_vector_is_sized_for_the_page_asked_for() {
        let list = read::<R>(br#"{"data":[{"data":{"id":"a"}}]}"#, 1000).unwrap();
        assert!(list.data.items.capacity() >= 1000);
    }
}
