//! First start on an empty store: the platform administrator and its token, written once to
//! `DIR/admin-token` (mode 0600). Nothing else ever prints or stores the token in the clear.

use std::path::Path;

use scmp_common::{Error, GuestKind, Name};
use scmp_store::{BindingSubject, CredentialKind, DataStore, NewImage, NewInstanceType};

/// Creates the administrator when the store has no user.
pub async fn first_start(store: &DataStore, dir: &Path) -> Result<(), Error> {
    if store.user_count().await? > 0 {
        return Ok(());
    }
    let name = Name::new("admin").map_err(Error::internal)?;
    let admin = store.user_create(&name, "", None, None).await?;
    store
        .binding_create(
            &BindingSubject::User(admin.id),
            "platform-admin",
            None,
            None,
        )
        .await?;
    let token = store
        .credential_issue(admin.id, CredentialKind::Token, "bootstrap", None)
        .await?;
    crate::datadir::write_private(
        &dir.join("admin-token"),
        format!("{}\n", token.text).as_bytes(),
    )?;
    tracing::info!(path = %dir.join("admin-token").display(), "created the platform administrator; its token is in the file");
    default_catalog(store).await
}

/// The catalog a fresh install starts with: Debian 12 as a VM and as a container (the templates
/// Proxmox's own downloads provide) and four sizes.
async fn default_catalog(store: &DataStore) -> Result<(), Error> {
    let name = |n: &str| Name::new(n).map_err(Error::internal);
    for (n, kind, template, description) in [
        (
            "debian-12",
            GuestKind::Vm,
            "debian-12-cloudinit",
            "Debian 12 (bookworm) cloud image with cloud-init",
        ),
        (
            "debian-12-ct",
            GuestKind::Ct,
            "debian-12-standard",
            "Debian 12 (bookworm) standard container",
        ),
    ] {
        store
            .image_create(&NewImage {
                name: name(n)?,
                kind,
                os: "debian".into(),
                version: "12".into(),
                template: template.into(),
                description: description.into(),
            })
            .await?;
    }
    for (n, vcpus, memory_mib, disk_gib) in [
        ("small", 1, 1024, 10),
        ("medium", 2, 4096, 32),
        ("large", 4, 8192, 64),
        ("xlarge", 8, 16384, 128),
    ] {
        store
            .instance_type_create(&NewInstanceType {
                name: name(n)?,
                vcpus,
                memory_mib,
                disk_gib,
            })
            .await?;
    }
    Ok(())
}
