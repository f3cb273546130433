//! The paging engine and its styles, without a server or against a loopback one.

use super::*;
use futures::TryStreamExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[test]
fn carry_query_keeps_callers_params() {
    let first: Url = "https://h/x?per_page=10&status=active".parse().unwrap();
    let next: Url = "https://h/x?cursor=abc&per_page=10".parse().unwrap();
    let merged = carry_query(&first, next);
    assert_eq!(merged.query(), Some("cursor=abc&per_page=10&status=active"));
}

#[tokio::test]
async fn empty_intermediate_page_does_not_end_stream() {
    let s = pages(|c: Option<u32>| async move {
        Ok(match c {
            None => Page::new(vec![1], Some(1)),
            Some(1) => Page::new(vec![], Some(2)),
            Some(2) => Page::new(vec![], Some(3)),
            _ => Page::new(vec![2], None),
        })
    });
    let all: Vec<i32> = items(s).try_collect().await.unwrap();
    assert_eq!(all, [1, 2]);
}

#[tokio::test]
async fn repeated_cursor_stops_with_error() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    let s = pages(move |c: Option<&'static str>| {
        c2.fetch_add(1, Ordering::SeqCst);
        async move {
            Ok(match c {
                None => Page::new(vec![1], Some("a")),
                Some("a") => Page::new(vec![2], Some("b")),
                _ => Page::new(vec![3], Some("a")),
            })
        }
    });
    let out: Vec<Result<i32>> = items(s).collect().await;
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(out.len(), 4);
    assert!(matches!(out[3], Err(Error::Pagination(_))));
}

#[tokio::test]
async fn error_is_yielded_once_then_ends() {
    let s = pages(|c: Option<u32>| async move {
        match c {
            None => Ok(Page::new(vec![1], Some(1))),
            _ => Err(Error::Config("boom".into())),
        }
    });
    let out: Vec<Result<i32>> = items(s).collect().await;
    assert_eq!(out.len(), 2);
    assert!(out[1].is_err());
}

#[tokio::test]
async fn offset_ends_on_short_page() {
    let s = offset_pages(0, 3, |offset, limit| async move {
        Ok((offset..(offset + limit).min(7)).collect::<Vec<u64>>())
    });
    let all: Vec<u64> = items(s).try_collect().await.unwrap();
    assert_eq!(all, (0..7).collect::<Vec<_>>());
}

#[tokio::test]
async fn offset_exact_multiple_fetches_one_empty_page() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    let s = offset_pages(0, 3, move |offset, limit| {
        c2.fetch_add(1, Ordering::SeqCst);
        async move { Ok((offset..(offset + limit).min(6)).collect::<Vec<u64>>()) }
    });
    let all: Vec<u64> = items(s).try_collect().await.unwrap();
    assert_eq!(all.len(), 6);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn numbered_concurrent_keeps_order() {
    let s = numbered_pages(4, |n: u64| async move {
        // Later pages answer faster, to show ordering is kept.
        tokio::time::sleep(std::time::Duration::from_millis(20 / n)).await;
        Ok(Page::new(vec![n * 10, n * 10 + 1], None).with_info(PageInfo::numbered(n, Some(6))))
    });
    let all: Vec<u64> = items(s).try_collect().await.unwrap();
    let expected: Vec<u64> = (1..=6).flat_map(|n| [n * 10, n * 10 + 1]).collect();
    assert_eq!(all, expected);
}

#[tokio::test]
async fn numbered_pages_fetched_ahead_wait_undecoded() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let fetched = std::sync::Arc::new(AtomicUsize::new(0));
    let decoded = std::sync::Arc::new(AtomicUsize::new(0));
    let (f, d) = (fetched.clone(), decoded.clone());
    let s = numbered_pages_decoded(
        4,
        move |n: u64| {
            f.fetch_add(1, Ordering::SeqCst);
            async move { Ok(n) }
        },
        move |n: u64| {
            d.fetch_add(1, Ordering::SeqCst);
            Ok(Page::new(vec![n], None).with_info(PageInfo::numbered(n, Some(10))))
        },
    );
    let mut s = s;
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.extend(s.try_next().await.unwrap().unwrap().items);
    }
    assert_eq!(seen, vec![1, 2, 3]);
    // Pages 4 to 6 are fetched ahead (4 in flight after page 1), not decoded yet.
    assert_eq!(decoded.load(Ordering::SeqCst), 3);
    assert_eq!(fetched.load(Ordering::SeqCst), 6);
    let rest: Vec<u64> = items(s).try_collect().await.unwrap();
    assert_eq!(rest, (4..=10).collect::<Vec<_>>());
    assert_eq!(decoded.load(Ordering::SeqCst), 10);
}

#[tokio::test]
async fn numbered_sequential_follows_next() {
    let s = numbered_pages(1, |n: u64| async move {
        let next = (n < 3).then_some(n + 1);
        Ok(Page::new(vec![n], next).with_info(PageInfo::numbered(n, Some(3))))
    });
    let all: Vec<u64> = items(s).try_collect().await.unwrap();
    assert_eq!(all, [1, 2, 3]);
}

#[tokio::test]
async fn numbered_error_ends_stream() {
    let s = numbered_pages(3, |n: u64| async move {
        if n == 2 {
            Err(Error::Config("page 2 failed".into()))
        } else {
            Ok(Page::new(vec![n], None).with_info(PageInfo::numbered(n, Some(4))))
        }
    });
    let out: Vec<Result<u64>> = items(s).collect().await;
    assert_eq!(out.len(), 2);
    assert!(out[1].is_err());
}
