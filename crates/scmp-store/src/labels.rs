//! Labels of tenants and projects: keys and values checked here (what a label may be is the
//! store's rule, so every way in is held to it), kept as a JSON object in the row.

use std::collections::BTreeMap;

use scmp_common::{Error, ProjectId, ResourceKind, TenantId};
use sqlx::any::AnyRow;

use crate::db::{db_error, get_string, DataStore};

/// Labels: key to value, sorted by key.
pub type Labels = BTreeMap<String, String>;

/// At most this many labels on one tenant or project.
const MOST: usize = 32;

pub(crate) fn read(row: &AnyRow) -> Result<Labels, Error> {
    serde_json::from_str(&get_string(row, "labels")?).map_err(Error::internal)
}

fn invalid(field: String, message: &str) -> Error {
    Error::InvalidValue {
        field,
        message: message.into(),
    }
}

/// Keys: 1 to 63 lower-case letters, digits and `. _ / -`, starting with a letter or digit;
/// values: up to 63 letters, digits and `. _ -`.
pub fn check(labels: &Labels) -> Result<(), Error> {
    if labels.len() > MOST {
        return Err(invalid("labels".into(), "at most 32 labels"));
    }
    for (k, v) in labels {
        let key_ok = (1..=63).contains(&k.len())
            && k.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && k.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._/-".contains(c));
        if !key_ok {
            return Err(invalid(
                format!("labels.{k}"),
                "a key is 1 to 63 lower-case letters, digits and . _ / -, starting with a letter or digit",
            ));
        }
        let value_ok = v.len() <= 63
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if !value_ok {
            return Err(invalid(
                format!("labels.{k}"),
                "a value is up to 63 letters, digits and . _ -",
            ));
        }
    }
    Ok(())
}

impl DataStore {
    async fn labels_set(
        &self,
        table: &str,
        kind: ResourceKind,
        id: String,
        labels: &Labels,
    ) -> Result<(), Error> {
        check(labels)?;
        let text = serde_json::to_string(labels).map_err(Error::internal)?;
        let done = sqlx::query(&format!(
            "UPDATE {table} SET labels = $1, updated_at = $2 WHERE id = $3"
        ))
        .bind(text)
        .bind(self.now_ms())
        .bind(&id)
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound { kind, name: id });
        }
        Ok(())
    }

    /// Replaces a tenant's labels.
    pub async fn tenant_labels_set(&self, id: TenantId, labels: &Labels) -> Result<(), Error> {
        self.labels_set("tenants", ResourceKind::Tenant, id.to_string(), labels)
            .await
    }

    /// Replaces a project's labels.
    pub async fn project_labels_set(&self, id: ProjectId, labels: &Labels) -> Result<(), Error> {
        self.labels_set("projects", ResourceKind::Project, id.to_string(), labels)
            .await
    }
}
