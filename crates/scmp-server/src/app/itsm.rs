//! ITSM integration of approvals: a policy's webhook opens a change request in the customer's
//! ticketing system for each approval it holds (JSON, signed with HMAC-SHA256 under the policy's
//! shared secret, retried with backoff, every attempt logged), and the ticketing system answers
//! through the signed callback URL the request carries (its decision counts as the policy's
//! whole consent, its ticket id recorded). A callback whose URL or body signature does not
//! verify, or that is stale, is refused.

use hmac::{Hmac, Mac};
use scmp_api::{ApprovalDecision, ApprovalView, ItsmCallback, ItsmCallbackQuery};
use scmp_common::{
    AuditPhase, AuditResult, AuditTarget, AuthMethod, Error, OperationId, ResourceKind,
};
use scmp_store::{Attempt, AuditRecord, Decision, DeliveryRow, NewDelivery, ITSM_PREFIX};
use sha2::Sha256;

use super::approvals::NOT_APPROVED;
use super::governance::Hold;
use crate::context::AppState;

/// The header that carries a body's signature: `t=<unix seconds>,v1=<hex HMAC of "t.body">`.
pub const SIGNATURE_HEADER: &str = "x-scmp-signature";

/// How far a signed body's time may be from ours.
const SKEW_S: i64 = 300;

/// How many times a webhook is tried before it is given up.
const ATTEMPTS: u32 = 8;

fn mac(secret: &str) -> Result<Hmac<Sha256>, Error> {
    Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(Error::internal)
}

/// The hex HMAC-SHA256 of `message` under `secret`.
pub fn sign(secret: &str, message: &[u8]) -> Result<String, Error> {
    let mut m = mac(secret)?;
    m.update(message);
    Ok(hex::encode(m.finalize().into_bytes()))
}

fn verify(secret: &str, message: &[u8], hex_sig: &str) -> Result<bool, Error> {
    let Ok(sig) = hex::decode(hex_sig) else {
        return Ok(false);
    };
    let mut m = mac(secret)?;
    m.update(message);
    Ok(m.verify_slice(&sig).is_ok())
}

/// The signature header's value for `body` at `unix_s`.
pub fn signature_header(secret: &str, unix_s: i64, body: &[u8]) -> Result<String, Error> {
    let mut message = format!("{unix_s}.").into_bytes();
    message.extend_from_slice(body);
    Ok(format!("t={unix_s},v1={}", sign(secret, &message)?))
}

/// Whether `header` signs `body` under `secret`, within the allowed skew of `now_s`.
fn header_verifies(secret: &str, header: &str, body: &[u8], now_s: i64) -> Result<bool, Error> {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = Some(v),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return Ok(false);
    };
    if (now_s - t).abs() > SKEW_S {
        return Ok(false);
    }
    let mut message = format!("{t}.").into_bytes();
    message.extend_from_slice(body);
    verify(secret, &message, v1)
}

/// What the callback URL's signature covers.
fn link_message(op: OperationId, policy: &str, expires: i64) -> String {
    format!("{op}.{policy}.{expires}")
}

/// The backoff before attempt `n` (1-based): 2 s doubling, at most 10 minutes.
fn backoff_ms(n: u32) -> i64 {
    (2_000_i64 << n.saturating_sub(1).min(9)).min(600_000)
}

fn refused() -> Error {
    Error::Unauthenticated {
        message: "the callback's signature does not verify".into(),
    }
}

impl AppState {
    /// The webhooks an approval's holding policies send, with their signed callback links.
    pub(crate) async fn itsm_requests(
        &self,
        op: OperationId,
        holds: &[Hold],
        deadline: i64,
        summary: serde_json::Value,
    ) -> Result<Vec<NewDelivery>, Error> {
        let mut out = Vec::new();
        for h in holds {
            let Some(hook) = &h.rule.itsm else { continue };
            let secret = self.itsm_secret(&h.policy).await?;
            let sig = sign(&secret, link_message(op, &h.policy, deadline).as_bytes())?;
            let callback = format!(
                "{}/api/v1/approvals/{op}/itsm?policy={}&expires={deadline}&sig={sig}",
                self.public_url,
                url::form_urlencoded::byte_serialize(h.policy.as_bytes()).collect::<String>()
            );
            let body = serde_json::json!({
                "type": "approval.requested",
                "approval": op,
                "policy": h.policy,
                "message": h.message,
                "deadline": scmp_common::time::from_ms(deadline),
                "request": summary,
                "callback": callback,
            });
            out.push(NewDelivery {
                policy: h.policy.clone(),
                url: hook.url.clone(),
                body: body.to_string(),
            });
        }
        Ok(out)
    }

    async fn itsm_secret(&self, policy: &str) -> Result<String, Error> {
        let row = self.store.policy_lookup(policy).await?;
        let sealed = row.itsm_secret.ok_or_else(|| {
            Error::internal(format!("policy {policy} has a webhook without a secret"))
        })?;
        self.sealer.open(&sealed)
    }

    /// Delivers the webhooks due: a 2xx answer delivers, anything else is tried again later,
    /// until it is given up.
    pub(crate) async fn itsm_deliver_due(&self) -> Result<(), Error> {
        for d in self.store.itsm_take_due(20, 60_000).await? {
            let attempt = self.itsm_attempt(&d).await;
            let n = d.attempts + 1;
            let delivered = attempt.error.is_empty();
            let retry = (!delivered && n < ATTEMPTS).then(|| self.clock.now_ms() + backoff_ms(n));
            if !delivered {
                tracing::info!(operation = %d.operation_id, policy = %d.policy, status = attempt.status,
                    error = %attempt.error, retry = retry.is_some(), "ITSM webhook not delivered");
            }
            self.store
                .itsm_attempted(&d, attempt, delivered, retry)
                .await?;
        }
        Ok(())
    }

    async fn itsm_attempt(&self, d: &DeliveryRow) -> Attempt {
        let at = self.clock.now_ms();
        let failed = |status: u16, error: String| Attempt { at, status, error };
        let secret = match self.itsm_secret(&d.policy).await {
            Ok(s) => s,
            Err(e) => return failed(0, format!("the policy's secret: {e}")),
        };
        let header = match signature_header(&secret, at / 1000, d.body.as_bytes()) {
            Ok(h) => h,
            Err(e) => return failed(0, e.to_string()),
        };
        let sent = self
            .outbound
            .post(&d.url)
            .header("content-type", "application/json")
            .header(SIGNATURE_HEADER, header)
            .header("x-scmp-delivery", &d.id)
            .body(d.body.clone())
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => failed(r.status().as_u16(), String::new()),
            Ok(r) => failed(r.status().as_u16(), format!("answered {}", r.status())),
            Err(e) => failed(0, format!("no answer: {e}")),
        }
    }

    /// A ticketing system's answer through an approval's signed callback URL: the link's
    /// signature and deadline, then the body's signature and time, are checked before anything
    /// is read; the decision counts for the policy whose webhook it answers.
    pub async fn approval_itsm_callback(
        &self,
        key: &str,
        q: &ItsmCallbackQuery,
        signature: Option<&str>,
        body: &[u8],
        source: &str,
    ) -> Result<ApprovalView, Error> {
        let op: OperationId = key.parse().map_err(|_| refused())?;
        let now = self.clock.now_ms();
        let secret = match self.store.policy_lookup(&q.policy).await {
            Ok(r) => match r.itsm_secret {
                Some(s) => self.sealer.open(&s)?,
                None => return Err(refused()),
            },
            Err(Error::NotFound { .. }) => return Err(refused()),
            Err(e) => return Err(e),
        };
        let link_ok = verify(
            &secret,
            link_message(op, &q.policy, q.expires).as_bytes(),
            &q.sig,
        )?;
        let body_ok = match signature {
            Some(h) => header_verifies(&secret, h, body, now / 1000)?,
            None => false,
        };
        if !link_ok || !body_ok {
            tracing::warn!(operation = %op, policy = %q.policy, "ITSM callback refused: bad signature");
            return Err(refused());
        }
        if now > q.expires {
            return Err(Error::Conflict("the approval's deadline has passed".into()));
        }
        let answer: ItsmCallback = serde_json::from_slice(body)
            .map_err(|e| Error::invalid("body", format!("not an ITSM answer: {e}")))?;
        let ticket = answer.ticket.trim().to_string();
        if ticket.is_empty() || ticket.len() > 200 {
            return Err(Error::invalid(
                "ticket",
                "give the change request's id (at most 200 characters)",
            ));
        }
        let a = self.store.approval_get(op).await?;
        if !a.requirements.iter().any(|r| r.policy == q.policy) {
            return Err(refused());
        }
        let approve = answer.decision == ApprovalDecision::Approve;
        let who = format!("{ITSM_PREFIX}{}", q.policy);
        let comment = answer.comment.unwrap_or_default();
        let decision = Decision {
            who: who.clone(),
            name: who.clone(),
            approve,
            counts_for: vec![q.policy.clone()],
            comment: comment.clone(),
            ticket: ticket.clone(),
        };
        let rejected = format!("{NOT_APPROVED}rejected in ticket {ticket}: {comment}");
        let record = AuditRecord {
            request_id: self.random.uuid().to_string(),
            phase: AuditPhase::Begin,
            actor: who.clone(),
            identity: Default::default(),
            auth_method: AuthMethod::Signature,
            credential: q.policy.clone(),
            credential_name: ticket.clone(),
            source: source.to_string(),
            operation: if approve {
                "approval_approve".into()
            } else {
                "approval_reject".into()
            },
            target: AuditTarget::new(ResourceKind::Approval, op),
            tenant_id: Some(a.tenant_id),
            result: AuditResult::Pending,
            error: String::new(),
        };
        let a = self
            .audited_as(record, self.store.approval_decide(op, &decision, &rejected))
            .await?;
        if a.state != scmp_common::ApprovalState::Pending {
            self.work.announce();
        }
        self.approval_view(a, false).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_body_verifies_only_as_signed_and_in_time() {
        let h = signature_header("s3cret-s3cret-s3cret", 1_000, b"{}").unwrap();
        assert!(header_verifies("s3cret-s3cret-s3cret", &h, b"{}", 1_100).unwrap());
        assert!(!header_verifies("s3cret-s3cret-s3cret", &h, b"{ }", 1_100).unwrap());
        assert!(!header_verifies("another-secret-here", &h, b"{}", 1_100).unwrap());
        assert!(!header_verifies("s3cret-s3cret-s3cret", &h, b"{}", 1_000 + SKEW_S + 1).unwrap());
        assert!(!header_verifies("s3cret-s3cret-s3cret", "t=1000", b"{}", 1_000).unwrap());
        assert!(!header_verifies("s3cret-s3cret-s3cret", "v1=zz,t=1000", b"{}", 1_000).unwrap());
    }

    #[test]
    fn backoff_doubles_up_to_ten_minutes() {
        assert_eq!(backoff_ms(1), 2_000);
        assert_eq!(backoff_ms(2), 4_000);
        assert_eq!(backoff_ms(3), 8_000);
        assert_eq!(backoff_ms(30), 600_000);
    }
}
