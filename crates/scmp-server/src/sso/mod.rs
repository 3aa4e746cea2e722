//! Single sign-on through realms of type `openid`: the authorization code flow with PKCE (S256)
//! and a nonce on every login, the state bound to whoever began the login (a random binding
//! only they hold), the ID token verified (signature through the provider's JWKS, refetched
//! when the provider rotates its keys; issuer, audience, expiry, nonce), and the provider's
//! logout for RP-initiated logout. Uses `openidconnect`; HTTP without following redirects.

mod provider;

pub use provider::{Provider, Providers, SsoIdentity};

/// How long a begun login may take to complete.
pub const LOGIN_MS: i64 = 10 * 60 * 1000;

/// Whether a redirect URI may be used: HTTPS, or plain HTTP to a loopback address (a native
/// client's own listener, RFC 8252 section 7.3).
pub fn redirect_allowed(uri: &str) -> bool {
    let Ok(url) = url::Url::parse(uri) else {
        return false;
    };
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => {
            matches!(
                url.host(),
                Some(url::Host::Ipv4(a)) if a.is_loopback()
            ) || matches!(url.host(), Some(url::Host::Ipv6(a)) if a.is_loopback())
                || url.host_str() == Some("localhost")
        }
        _ => false,
    }
}

/// `amr` values that say the provider checked more than a password (RFC 8176).
const STRONG_AMR: &[&str] = &[
    "mfa", "otp", "hwk", "swk", "sc", "fpt", "face", "iris", "retina", "vbm", "bio",
];

/// Whether the provider says it checked a second factor.
pub fn amr_is_strong(amr: &[String]) -> bool {
    amr.iter().any(|a| STRONG_AMR.contains(&a.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_go_to_https_or_a_loopback_listener() {
        assert!(redirect_allowed("https://portal.example/portal/sso"));
        assert!(redirect_allowed("http://127.0.0.1:49152/callback"));
        assert!(redirect_allowed("http://[::1]:49152/callback"));
        assert!(redirect_allowed("http://localhost:8080/"));
        assert!(!redirect_allowed("http://portal.example/"));
        assert!(!redirect_allowed("https://user:pw@portal.example/"));
        assert!(!redirect_allowed("javascript:alert(1)"));
        assert!(!redirect_allowed("https://portal.example/#x"));
    }

    #[test]
    fn a_password_alone_is_not_a_second_factor() {
        assert!(!amr_is_strong(&["pwd".into()]));
        assert!(amr_is_strong(&["pwd".into(), "otp".into()]));
        assert!(amr_is_strong(&["mfa".into()]));
    }
}
