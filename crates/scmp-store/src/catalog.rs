//! The catalog: images (a template that clusters carry, by name) and instance types (named sizes).

use scmp_common::{Error, GuestKind, ImageId, InstanceTypeId, Name, ResourceKind};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{
    db_error, get_id, get_name, get_string, get_u64, is_unique_violation, to_i64, DataStore,
};
use crate::dependents;

/// An image: a VM or container template found on clusters by its name.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// Id.
    pub id: ImageId,
    /// Name.
    pub name: Name,
    /// VM or container.
    pub kind: GuestKind,
    /// Operating system (`debian`).
    pub os: String,
    /// Its version (`12`).
    pub version: String,
    /// The template's name on Proxmox VE.
    pub template: String,
    /// Description.
    pub description: String,
    /// Created (ms).
    pub created_at: i64,
}

/// A new image.
#[derive(Debug, Clone, PartialEq)]
pub struct NewImage {
    /// Name.
    pub name: Name,
    /// VM or container.
    pub kind: GuestKind,
    /// Operating system (`debian`).
    pub os: String,
    /// Its version (`12`).
    pub version: String,
    /// The template's name on Proxmox VE.
    pub template: String,
    /// Description.
    pub description: String,
}

/// A new instance type.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInstanceType {
    /// Name.
    pub name: Name,
    /// vCPUs.
    pub vcpus: u64,
    /// Memory.
    pub memory_mib: u64,
    /// Root disk.
    pub disk_gib: u64,
}

/// A named size.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceType {
    /// Id.
    pub id: InstanceTypeId,
    /// Name.
    pub name: Name,
    /// vCPUs.
    pub vcpus: u64,
    /// Memory.
    pub memory_mib: u64,
    /// Root disk.
    pub disk_gib: u64,
    /// Created (ms).
    pub created_at: i64,
}

fn image(row: &AnyRow) -> Result<Image, Error> {
    Ok(Image {
        id: get_id(row, "id")?,
        name: get_name(row, "name")?,
        kind: get_string(row, "kind")?.parse().map_err(Error::internal)?,
        os: get_string(row, "os")?,
        version: get_string(row, "version")?,
        template: get_string(row, "template")?,
        description: get_string(row, "description")?,
        created_at: row.try_get("created_at").map_err(Error::internal)?,
    })
}

fn instance_type(row: &AnyRow) -> Result<InstanceType, Error> {
    Ok(InstanceType {
        id: get_id(row, "id")?,
        name: get_name(row, "name")?,
        vcpus: get_u64(row, "vcpus")?,
        memory_mib: get_u64(row, "memory_mib")?,
        disk_gib: get_u64(row, "disk_gib")?,
        created_at: row.try_get("created_at").map_err(Error::internal)?,
    })
}

const IMAGE_COLUMNS: &str = "id, name, kind, os, version, template, description, created_at";
const TYPE_COLUMNS: &str = "id, name, vcpus, memory_mib, disk_gib, created_at";

impl DataStore {
    /// Adds an image.
    pub async fn image_create(&self, new: &NewImage) -> Result<Image, Error> {
        crate::tenants::check_text("description", &new.description)?;
        crate::tenants::check_text("template", &new.template)?;
        let id = self.random.uuid().to_string();
        let r = sqlx::query(&format!(
            "INSERT INTO images ({IMAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(&id)
        .bind(new.name.as_str())
        .bind(new.kind.as_str())
        .bind(&new.os)
        .bind(&new.version)
        .bind(&new.template)
        .bind(&new.description)
        .bind(self.now_ms())
        .execute(&mut *self.write().await?)
        .await;
        match r {
            Ok(_) => self.image_lookup(&id).await,
            Err(e) if is_unique_violation(&e) => Err(Error::AlreadyExists {
                kind: ResourceKind::Image,
                name: new.name.to_string(),
            }),
            Err(e) => Err(db_error(e)),
        }
    }

    /// An image by id.
    pub async fn image_get(&self, id: ImageId) -> Result<Image, Error> {
        self.image_lookup(&id.to_string()).await
    }

    /// An image by id or name.
    pub async fn image_lookup(&self, key: &str) -> Result<Image, Error> {
        let row = sqlx::query(&format!(
            "SELECT {IMAGE_COLUMNS} FROM images WHERE id = $1 OR name = $1"
        ))
        .bind(key)
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        row.as_ref().map(image).unwrap_or_else(|| {
            Err(Error::NotFound {
                kind: ResourceKind::Image,
                name: key.to_string(),
            })
        })
    }

    /// Images by name, `limit` of them after the name `after`.
    pub async fn image_list(&self, after: Option<&str>, limit: u32) -> Result<Vec<Image>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {IMAGE_COLUMNS} FROM images WHERE name > $1 ORDER BY name LIMIT $2"
        ))
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(image).collect()
    }

    /// Every image by name (for placement).
    pub async fn image_list_all(&self) -> Result<Vec<Image>, Error> {
        self.image_list(None, u32::MAX).await
    }

    /// Adds an instance type.
    pub async fn instance_type_create(&self, new: &NewInstanceType) -> Result<InstanceType, Error> {
        let id = self.random.uuid().to_string();
        let r = sqlx::query(&format!(
            "INSERT INTO instance_types ({TYPE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
        ))
        .bind(&id)
        .bind(new.name.as_str())
        .bind(to_i64("vcpus", new.vcpus)?)
        .bind(to_i64("memory_mib", new.memory_mib)?)
        .bind(to_i64("disk_gib", new.disk_gib)?)
        .bind(self.now_ms())
        .execute(&mut *self.write().await?)
        .await;
        match r {
            Ok(_) => self.instance_type_lookup(&id).await,
            Err(e) if is_unique_violation(&e) => Err(Error::AlreadyExists {
                kind: ResourceKind::InstanceType,
                name: new.name.to_string(),
            }),
            Err(e) => Err(db_error(e)),
        }
    }

    /// An instance type by id or name.
    pub async fn instance_type_lookup(&self, key: &str) -> Result<InstanceType, Error> {
        let row = sqlx::query(&format!(
            "SELECT {TYPE_COLUMNS} FROM instance_types WHERE id = $1 OR name = $1"
        ))
        .bind(key)
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        row.as_ref().map(instance_type).unwrap_or_else(|| {
            Err(Error::NotFound {
                kind: ResourceKind::InstanceType,
                name: key.to_string(),
            })
        })
    }

    /// Instance types, smallest first: `limit` of them after the key `(vcpus, memory_mib, name)`
    /// `after`.
    pub async fn instance_type_list(
        &self,
        after: Option<(u64, u64, String)>,
        limit: u32,
    ) -> Result<Vec<InstanceType>, Error> {
        let (v, m, n) = match after {
            Some((v, m, n)) => (to_i64("page_token", v)?, to_i64("page_token", m)?, n),
            None => (-1, -1, String::new()),
        };
        let rows = sqlx::query(&format!(
            "SELECT {TYPE_COLUMNS} FROM instance_types WHERE vcpus > $1 OR (vcpus = $1 AND \
             (memory_mib > $2 OR (memory_mib = $2 AND name > $3))) ORDER BY vcpus, memory_mib, name LIMIT $4"
        ))
        .bind(v)
        .bind(m)
        .bind(n)
        .bind(i64::from(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(instance_type).collect()
    }

    /// Removes an image from the catalog; refused while guests were made from it.
    pub async fn image_delete(&self, id: ImageId) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM images WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
        let name = name.ok_or_else(|| Error::NotFound {
            kind: ResourceKind::Image,
            name: id.to_string(),
        })?;
        let guests = dependents::find(
            &mut tx,
            ResourceKind::Guest,
            "guests WHERE image_id = $1",
            "name",
            &id.to_string(),
        )
        .await?;
        dependents::refuse_if_any(ResourceKind::Image, &name, [guests])?;
        sqlx::query("DELETE FROM images WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await
    }

    /// Removes an instance type from the catalog (guests keep the sizes they were given).
    pub async fn instance_type_delete(&self, id: InstanceTypeId) -> Result<(), Error> {
        let done = sqlx::query("DELETE FROM instance_types WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound {
                kind: ResourceKind::InstanceType,
                name: id.to_string(),
            });
        }
        Ok(())
    }
}
