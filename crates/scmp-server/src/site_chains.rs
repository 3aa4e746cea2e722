//! Sites' audit chains checked end to end, as part of `scmp audit verify`: each agent's entries
//! follow one another from the first, each hash is that of its content as kept, and each is
//! signed by the key the agent enrolled with.

use scmp_agent::link::{ChainCheck, SiteAuditEntry};
use scmp_common::Error;
use scmp_store::DataStore;

/// Entries read at a time.
const BATCH: i64 = 1_000;

/// Where a site's chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteChainBreak {
    /// The agent whose chain it is.
    pub agent: scmp_common::AgentId,
    /// The first entry that does not hold.
    pub seq: i64,
    /// Why.
    pub reason: String,
}

/// Checks every site's chain; the number of entries when all hold, else the first break.
pub async fn verify_sites(store: &DataStore) -> Result<Result<i64, SiteChainBreak>, Error> {
    let mut total = 0;
    for (agent, public_key) in store.site_audit_agents().await? {
        let brk = |seq: i64, reason: String| SiteChainBreak { agent, seq, reason };
        let Ok(public) = hex::decode(&public_key) else {
            return Ok(Err(brk(1, "the agent's public key is not readable".into())));
        };
        let mut check = ChainCheck::default();
        let mut after = 0;
        loop {
            let rows = store.site_audit_page(agent, after, BATCH).await?;
            let Some(last) = rows.last() else { break };
            after = last.seq;
            for r in rows {
                let entry = SiteAuditEntry {
                    seq: u64::try_from(r.seq).unwrap_or(0),
                    prev_hash: r.prev_hash,
                    body: r.body,
                    hash: r.hash,
                    signature: r.signature,
                };
                if let Err(why) = check.next(&public, &entry) {
                    return Ok(Err(brk(r.seq, why.to_string())));
                }
            }
        }
        total += check.count() as i64;
    }
    Ok(Ok(total))
}
