//! The steps of backups and restores: a guest backed up now (an event either way), one of its
//! backups deleted, and a restore in place: the guest backed up as it is, stopped, restored, and
//! started again when it ran before; a failed restore restores the backup taken first.

use scmp_agent::backup::{BackupRequest, RestoreRequest};
use scmp_agent::command::Power;
use scmp_agent::protocol::ObservedBackup;
use scmp_agent::Command;
use scmp_common::{GuestEventKind, GuestState};
use scmp_store::Guest;

use super::{ask, prior_state, Run, Step, StepError};
use crate::backup_marks::notes_of;

async fn agent(
    run: &Run<'_>,
    g: &Guest,
) -> Result<(std::sync::Arc<dyn scmp_agent::Agent>, String, u32), StepError> {
    let (Some(cluster), Some(node), Some(vmid)) = (g.cluster_id, g.node.clone(), g.vmid) else {
        return Err(StepError::permanent("the guest is not placed"));
    };
    let c = run.state.store.cluster_get(cluster).await?;
    Ok((
        run.state.connections.get(&c, &run.state.sealer)?,
        node,
        vmid,
    ))
}

fn param<'a>(run: &'a Run<'_>, key: &str) -> Option<&'a str> {
    run.op.params.get(key).and_then(|v| v.as_str())
}

/// Backs the guest up with `notes`; an event says how it went.
async fn backup(
    run: &mut Run<'_>,
    g: &Guest,
    notes: String,
    protected: bool,
) -> Result<ObservedBackup, StepError> {
    let (agent, node, vmid) = agent(run, g).await?;
    let command = Command::Backup {
        request: BackupRequest {
            node,
            vmid,
            storage: None,
            notes,
            protected,
        },
    };
    let store = &run.state.store;
    match ask(run, agent.as_ref(), command)
        .await
        .and_then(|r| Ok(r.backup()?))
    {
        Ok(b) => {
            let detail = format!("backed up to {} ({} MiB)", b.volid, b.size_bytes >> 20);
            store
                .guest_event_add(g.id, GuestEventKind::BackedUp, &detail)
                .await?;
            Ok(b)
        }
        Err(e) => {
            let detail = format!("backup failed: {e}");
            store
                .guest_event_add(g.id, GuestEventKind::BackupFailed, &detail)
                .await?;
            Err(e)
        }
    }
}

/// Restores `volid` over the guest.
async fn restore(run: &mut Run<'_>, g: &Guest, volid: &str) -> Result<(), StepError> {
    let (agent, node, vmid) = agent(run, g).await?;
    let command = Command::Restore {
        request: RestoreRequest {
            kind: g.kind,
            node,
            vmid,
            volid: volid.to_string(),
            in_place: true,
            storage: None,
        },
    };
    ask(run, agent.as_ref(), command).await?.done()?;
    Ok(())
}

/// The pre-restore backup's notes (naming the operation, so that its undo finds it).
fn pre_restore_notes(run: &Run<'_>, g: &Guest) -> String {
    format!("{} before restore {}", notes_of(g), run.op.id)
}

/// Runs one backup step.
pub(super) async fn forward(step: Step, run: &mut Run<'_>, g: &Guest) -> Result<(), StepError> {
    match step {
        Step::Backup => {
            let protected = run
                .op
                .params
                .get("protected")
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            backup(run, g, notes_of(g), protected).await.map(|_| ())
        }
        Step::BackupDelete => {
            let volid = param(run, "volume")
                .ok_or_else(|| StepError::permanent("no backup in the operation"))?
                .to_string();
            let (agent, node, _) = agent(run, g).await?;
            let command = Command::DeleteBackup { node, volid };
            ask(run, agent.as_ref(), command).await?.done()?;
            Ok(())
        }
        Step::PreRestore => {
            let notes = pre_restore_notes(run, g);
            backup(run, g, notes, false).await.map(|_| ())
        }
        Step::RestoreStop => super::guest_power::power(run, g, Power::Stop).await,
        Step::Restore => {
            let volid = param(run, "volume")
                .ok_or_else(|| StepError::permanent("no backup in the operation"))?
                .to_string();
            restore(run, g, &volid).await?;
            let detail = format!("restored in place from {volid}");
            run.state
                .store
                .guest_event_add(g.id, GuestEventKind::Restored, &detail)
                .await?;
            Ok(())
        }
        Step::RestoreStart if prior_state(&run.op) == GuestState::Running => {
            super::guest_power::power(run, g, Power::Start).await
        }
        _ => Ok(()),
    }
}

/// A failed restore puts back the guest as it was: the backup taken before it, restored again.
pub(super) async fn undo_restore(run: &mut Run<'_>, g: &Guest) -> Result<(), StepError> {
    let (agent, _, vmid) = agent(run, g).await?;
    let nodes: Vec<String> = run
        .state
        .store
        .host_list_all(g.cluster_id.unwrap_or_default())
        .await?
        .into_iter()
        .map(|h| h.observed.name)
        .collect();
    let command = Command::ListBackups {
        nodes,
        vmids: vec![vmid],
    };
    let notes = pre_restore_notes(run, g);
    let before = ask(run, agent.as_ref(), command)
        .await?
        .backups()?
        .into_iter()
        .find(|b| b.notes.as_deref() == Some(notes.as_str()));
    match before {
        Some(b) => restore(run, g, &b.volid).await,
        None => Err(StepError::permanent(
            "the backup taken before the restore is gone: the guest is as the failed restore left it",
        )),
    }
}
