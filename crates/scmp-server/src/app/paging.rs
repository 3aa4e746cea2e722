//! Lists in pages, one way for every list: `?limit=&page_token=` -> `{items, next_page_token}`.
//!
//! `limit` is 1 to `scmp_api::paging::MAX_LIMIT` (checked by the query types). The token is opaque to clients: the
//! key of the last item given (a name, a position, a time and an id), encoded. Pages are filled
//! with what the caller may see, reading on in the store until the page is full or the list
//! ends, so a page is never short but at the end.

use std::future::Future;

use base64::Engine;
use scmp_common::Error;
use serde::de::DeserializeOwned;
use serde::Serialize;

const PREFIX: &str = "v1:";

/// The key a page token stands for.
pub fn decode<K: DeserializeOwned>(token: Option<&str>) -> Result<Option<K>, Error> {
    let Some(t) = token else {
        return Ok(None);
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(t)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            s.strip_prefix(PREFIX)
                .and_then(|json| serde_json::from_str(json).ok())
        })
        .map(Some)
        .ok_or_else(|| Error::InvalidValue {
            field: "page_token".into(),
            message: "not a token from a previous page".into(),
        })
}

fn encode<K: Serialize>(key: &K) -> String {
    let json = serde_json::to_string(key).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{PREFIX}{json}"))
}

/// A page of views of what `fill` or `slice` gave.
pub fn page<T, V>(
    (items, next): (Vec<T>, Option<String>),
    view: impl FnMut(T) -> V,
) -> scmp_api::Page<V> {
    scmp_api::Page {
        items: items.into_iter().map(view).collect(),
        next_page_token: next,
    }
}

/// The filter of a list whose every item the caller may see.
pub fn everything<T>(batch: &[T]) -> Vec<bool> {
    vec![true; batch.len()]
}

/// Reads `fetch(after, n)` batches (ordered by the key `key` gives) until `limit` items pass
/// `visible` (which answers for a whole batch at once, so that authorizing a page is one
/// decision's work, not one per item); answers them and the token of the next page (none at
/// the end).
pub async fn fill<T, K, F, Fut>(
    token: Option<&str>,
    limit: u32,
    mut fetch: F,
    key: impl Fn(&T) -> K,
    visible: impl Fn(&[T]) -> Vec<bool>,
) -> Result<(Vec<T>, Option<String>), Error>
where
    K: Serialize + DeserializeOwned + Clone,
    F: FnMut(Option<K>, u32) -> Fut,
    Fut: Future<Output = Result<Vec<T>, Error>>,
{
    let mut after: Option<K> = decode(token)?;
    let mut items = Vec::new();
    loop {
        let batch = fetch(after.clone(), limit).await?;
        let full = batch.len() as u32 == limit;
        let shown = visible(&batch);
        for (t, shown) in batch.into_iter().zip(shown) {
            after = Some(key(&t));
            if shown {
                items.push(t);
                if items.len() as u32 == limit {
                    // More may follow: the next page starts after this item.
                    return Ok((items, after.as_ref().map(encode)));
                }
            }
        }
        if !full {
            return Ok((items, None));
        }
    }
}

/// One page of a list held in memory (what a site answers live), ordered by `key`.
pub fn slice<T, K>(
    mut all: Vec<T>,
    token: Option<&str>,
    limit: u32,
    key: impl Fn(&T) -> K,
) -> Result<(Vec<T>, Option<String>), Error>
where
    K: Serialize + DeserializeOwned + Ord,
{
    let after: Option<K> = decode(token)?;
    all.sort_by_key(|t| key(t));
    let mut rest: Vec<T> = all
        .into_iter()
        .filter(|t| after.as_ref().is_none_or(|a| key(t) > *a))
        .collect();
    let next = (rest.len() > limit as usize).then(|| encode(&key(&rest[limit as usize - 1])));
    rest.truncate(limit as usize);
    Ok((rest, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_refuse_forgeries() {
        assert_eq!(
            decode::<String>(Some(&encode(&"acme".to_string())))
                .unwrap()
                .as_deref(),
            Some("acme")
        );
        assert_eq!(
            decode::<(i64, String)>(Some(&encode(&(5, "x".to_string())))).unwrap(),
            Some((5, "x".to_string()))
        );
        assert!(decode::<String>(Some("acme")).is_err());
        assert!(decode::<String>(Some("!!!")).is_err());
        assert!(decode::<i64>(Some(&encode(&"name".to_string()))).is_err());
        assert_eq!(decode::<String>(None).unwrap(), None);
    }

    #[test]
    fn slices_page_through_everything_once() {
        let all: Vec<u32> = (0..25).collect();
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let (page, next) = slice(all.clone(), token.as_deref(), 10, |n| *n).unwrap();
            seen.extend(page);
            match next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        assert_eq!(seen, all);
    }
}
