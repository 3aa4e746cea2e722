//! What still depends on a resource that is to be deleted: counted and named inside the deleting
//! transaction, so a delete either finds nothing in its way or answers which resources are; and
//! the delete itself, with what the resource owns.

use crate::link::Link;
use scmp_common::{Dependents, Error, ResourceKind};

use crate::db::db_error;

/// The rows of `from` (a table of this crate with its condition on `$1`, e.g.
/// `projects WHERE tenant_id = $1`) that depend on `key`: their count and the first names (the
/// `name` expression), or `None` when there are none.
pub(crate) async fn find(
    conn: &mut Link,
    kind: ResourceKind,
    from: &str,
    name: &str,
    key: &str,
) -> Result<Option<Dependents>, Error> {
    let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {from}"))
        .bind(key)
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error)?;
    if count == 0 {
        return Ok(None);
    }
    let names: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT {name} FROM {from} ORDER BY {name} LIMIT {}",
        Dependents::NAMED
    ))
    .bind(key)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(Some(Dependents {
        kind,
        count: count as u64,
        names,
    }))
}

/// Refuses the delete of `kind` `name` when anything was found depending on it.
pub(crate) fn refuse_if_any(
    kind: ResourceKind,
    name: &str,
    found: impl IntoIterator<Item = Option<Dependents>>,
) -> Result<(), Error> {
    let dependents: Vec<Dependents> = found.into_iter().flatten().collect();
    if dependents.is_empty() {
        Ok(())
    } else {
        Err(Error::InUse {
            kind,
            name: name.to_string(),
            dependents,
        })
    }
}

/// Deletes what a resource owns (each statement of `owned`, on `$1`), then the resource itself
/// (`row`, on `$1`); `NotFound` when there was no such resource.
pub(crate) async fn delete_with_owned(
    conn: &mut Link,
    owned: &[&str],
    row: &str,
    kind: ResourceKind,
    id: &str,
) -> Result<(), Error> {
    for sql in owned {
        sqlx::query(sql)
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(db_error)?;
    }
    let done = sqlx::query(row)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound {
            kind,
            name: id.to_string(),
        });
    }
    Ok(())
}
