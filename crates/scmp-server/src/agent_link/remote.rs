//! The agent of a site reached through its link: a command waits for the site's agent to be
//! connected and to answer, up to the configured time; sent again on each new session until then
//! (the agent answers a command it has seen as the first time), so it is never carried out twice.

use std::sync::Arc;

use async_trait::async_trait;
use scmp_agent::{Agent, AgentError, AgentErrorKind, Command, CommandId, Reply};
use scmp_common::AgentId;

use super::Links;

/// A site's agent at the other end of its link.
pub struct RemoteAgent {
    agent: AgentId,
    links: Arc<Links>,
}

impl RemoteAgent {
    /// The agent `agent`, through `links`.
    pub fn new(agent: AgentId, links: Arc<Links>) -> Self {
        Self { agent, links }
    }
}

#[async_trait]
impl Agent for RemoteAgent {
    async fn call(&self, id: CommandId, command: Command) -> Result<Reply, AgentError> {
        let slot = self.links.slot(self.agent);
        let name = command.name();
        let answer = slot.expect(id, command);
        let wait = self.links.settings.command_wait;
        match tokio::time::timeout(wait, answer).await {
            Ok(Ok(outcome)) => outcome.into(),
            Ok(Err(_)) | Err(_) => {
                slot.forget(id);
                let status = slot.status();
                let why = if status.connected {
                    "did not answer"
                } else {
                    "is not connected"
                };
                Err(AgentError::new(
                    AgentErrorKind::Unreachable,
                    format!(
                        "the site's agent {} {why} within {} s ({name})",
                        self.agent,
                        wait.as_secs()
                    ),
                ))
            }
        }
    }
}
