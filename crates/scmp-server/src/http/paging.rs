//! Lists in pages: `?limit=&page_token=` -> `{items, next_page_token}`. The token is opaque to
//! clients (the position, encoded); pages are filled with what the caller may see, reading on in
//! the store until the page is full or the list ends, so a page is never short but at the end.

use std::future::Future;

use base64::Engine;
use scmp_common::Error;

use crate::error::Problem;

const PREFIX: &str = "after:";

/// The position a page token stands for.
pub fn decode(token: Option<&str>) -> Result<Option<String>, Problem> {
    let Some(t) = token else {
        return Ok(None);
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(t)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix(PREFIX).map(str::to_string))
        .map(Some)
        .ok_or_else(|| Problem::invalid("page_token", "not a token from a previous page"))
}

fn encode(after: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{PREFIX}{after}"))
}

/// Reads `fetch(after, n)` pages (ordered by the key `key` gives) until `limit` items pass
/// `visible`; answers them and the token of the next page (none at the end).
pub async fn fill<T, F, Fut>(
    token: Option<&str>,
    limit: u32,
    mut fetch: F,
    key: impl Fn(&T) -> String,
    visible: impl Fn(&T) -> bool,
) -> Result<(Vec<T>, Option<String>), Problem>
where
    F: FnMut(Option<String>, u32) -> Fut,
    Fut: Future<Output = Result<Vec<T>, Error>>,
{
    let mut after = decode(token)?;
    let mut items = Vec::new();
    loop {
        let batch = fetch(after.clone(), limit).await.map_err(Problem::from)?;
        let full = batch.len() as u32 == limit;
        for t in batch {
            after = Some(key(&t));
            if visible(&t) {
                items.push(t);
                if items.len() as u32 == limit {
                    // More may follow: the next page starts after this item.
                    return Ok((items, after.as_deref().map(encode)));
                }
            }
        }
        if !full {
            return Ok((items, None));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_refuse_forgeries() {
        assert_eq!(
            decode(Some(&encode("acme"))).unwrap().as_deref(),
            Some("acme")
        );
        assert!(decode(Some("acme")).is_err());
        assert!(decode(Some("!!!")).is_err());
        assert_eq!(decode(None).unwrap(), None);
    }
}
