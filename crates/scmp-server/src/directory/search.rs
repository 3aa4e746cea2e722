//! Searches of a directory: filters from escaped values only (RFC 4515), paged results, a
//! user's entry, and group memberships through nested groups (`member` searches on LDAP,
//! `memberOf` chains on Active Directory).

use std::collections::{BTreeSet, HashMap};

use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::{ldap_escape, Ldap, Scope, SearchEntry};

use super::PAGE_SIZE;
use super::{Directory, DirectoryError, DirectoryUser, Flavor, MAX_NESTING, OPERATION_TIMEOUT};

/// `userAccountControl`'s bit for a disabled account.
const ACCOUNTDISABLE: u64 = 0x2;

/// A group as the directory has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryGroup {
    /// Its DN, normalised.
    pub dn: String,
    /// Its name (the group name attribute).
    pub name: String,
    /// Its members' DNs, normalised (users and groups).
    pub members: Vec<String>,
}

/// A user's entry as found, before the password is checked.
pub(super) struct Found {
    pub user: DirectoryUser,
    pub disabled: bool,
    member_of: Vec<String>,
}

/// A DN compared as directories compare them, near enough: case and the blanks around `,` and
/// `=` do not count.
pub(super) fn normalize_dn(dn: &str) -> String {
    dn.split(',')
        .map(|rdn| rdn.split('=').map(str::trim).collect::<Vec<_>>().join("="))
        .collect::<Vec<_>>()
        .join(",")
        .to_lowercase()
}

/// The first value of an attribute, whatever case the server answered its name in.
fn first(entry: &SearchEntry, attr: &str) -> Option<String> {
    values(entry, attr).into_iter().next()
}

fn values(entry: &SearchEntry, attr: &str) -> Vec<String> {
    entry
        .attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(attr))
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// `(x)` for a filter given with or without its parentheses.
fn wrapped(filter: &str) -> String {
    let f = filter.trim();
    if f.starts_with('(') {
        f.to_string()
    } else {
        format!("({f})")
    }
}

fn any_class(classes: &[String]) -> String {
    let parts: String = classes
        .iter()
        .map(|c| format!("(objectClass={})", ldap_escape(c.as_str())))
        .collect();
    format!("(|{parts})")
}

fn search_error(e: ldap3::LdapError) -> DirectoryError {
    DirectoryError::Search(e.to_string())
}

/// A paged search's entries (a size limit on the server does not cut it short).
async fn paged(
    ldap: &mut Ldap,
    base: &str,
    scope: Scope,
    filter: &str,
    attrs: Vec<String>,
) -> Result<Vec<SearchEntry>, DirectoryError> {
    let adapters: Vec<Box<dyn Adapter<_, _>>> = vec![
        Box::new(EntriesOnly::new()),
        Box::new(PagedResults::new(PAGE_SIZE)),
    ];
    let run = async {
        let mut stream = ldap
            .streaming_search_with(adapters, base, scope, filter, attrs)
            .await
            .map_err(search_error)?;
        let mut out = Vec::new();
        while let Some(entry) = stream.next().await.map_err(search_error)? {
            out.push(SearchEntry::construct(entry));
        }
        let result = stream.finish().await;
        // 32: no such object (an empty subtree).
        if result.rc != 0 && result.rc != 32 {
            return Err(DirectoryError::Search(format!(
                "{base} {filter}: result {} {}",
                result.rc, result.text
            )));
        }
        Ok(out)
    };
    tokio::time::timeout(OPERATION_TIMEOUT, run)
        .await
        .map_err(|_| DirectoryError::Search(format!("{base} {filter}: timed out")))?
}

impl Directory {
    /// The filter for users: the realm's classes and filter, and the login name when given.
    pub(super) fn user_filter(&self, login: Option<&str>) -> String {
        let attr = self.user_attr();
        let who = match login {
            None => format!("({attr}=*)"),
            Some(l) => {
                let l = ldap_escape(l);
                if self.flavor == Flavor::Ad && self.settings.user_attr.is_none() {
                    format!("(|(sAMAccountName={l})(userPrincipalName={l}))")
                } else {
                    format!("({attr}={l})")
                }
            }
        };
        let mut extra = self
            .settings
            .filter
            .as_deref()
            .map(wrapped)
            .unwrap_or_default();
        if self.flavor == Flavor::Ad {
            // A computer account is a user too, in AD's schema.
            extra.push_str("(!(objectClass=computer))");
        }
        format!("(&{}{who}{extra})", any_class(&self.user_classes()))
    }

    fn group_filter(&self, members_of: Option<&[String]>) -> String {
        let extra = self
            .settings
            .group_filter
            .as_deref()
            .map(wrapped)
            .unwrap_or_default();
        let members = match members_of {
            None => String::new(),
            Some(dns) => {
                let any: String = dns
                    .iter()
                    .map(|dn| {
                        let dn = ldap_escape(dn.as_str());
                        format!("(member={dn})(uniqueMember={dn})")
                    })
                    .collect();
                format!("(|{any})")
            }
        };
        format!("(&{}{members}{extra})", any_class(&self.group_classes()))
    }

    fn user_attrs(&self) -> Vec<String> {
        vec![
            self.user_attr().to_string(),
            self.email_attr().to_string(),
            "memberOf".into(),
            "userAccountControl".into(),
            "pwdAccountLockedTime".into(),
        ]
    }

    fn user_of(&self, entry: &SearchEntry) -> Option<Found> {
        let login = first(entry, self.user_attr())?.to_lowercase();
        let disabled = match self.flavor {
            Flavor::Ad => first(entry, "userAccountControl")
                .and_then(|v| v.parse::<u64>().ok())
                .is_some_and(|uac| uac & ACCOUNTDISABLE != 0),
            Flavor::Ldap => first(entry, "pwdAccountLockedTime").is_some(),
        };
        Some(Found {
            user: DirectoryUser {
                dn: entry.dn.clone(),
                login,
                email: first(entry, self.email_attr()).unwrap_or_default(),
                groups: Vec::new(),
            },
            disabled,
            member_of: values(entry, "memberOf")
                .iter()
                .map(|d| normalize_dn(d))
                .collect(),
        })
    }

    /// The entries of users under the base DN: the one login's, or all.
    async fn user_entries(
        &self,
        ldap: &mut Ldap,
        login: Option<&str>,
    ) -> Result<Vec<SearchEntry>, DirectoryError> {
        let filter = self.user_filter(login);
        let base = &self.settings.base_dn;
        paged(ldap, base, Scope::Subtree, &filter, self.user_attrs()).await
    }

    /// The one user with this login name (none when there is none, or more than one).
    pub(super) async fn find_user(
        &self,
        ldap: &mut Ldap,
        login: &str,
    ) -> Result<Option<Found>, DirectoryError> {
        let found = self.user_entries(ldap, Some(login)).await?;
        if found.len() != 1 {
            return Ok(None);
        }
        Ok(self.user_of(&found[0]))
    }

    fn under_group_base(&self, dn: &str) -> bool {
        let base = normalize_dn(self.group_base());
        dn == base || dn.ends_with(&format!(",{base}"))
    }

    /// The names of a user's groups, nested ones included.
    pub(super) async fn groups_of(
        &self,
        ldap: &mut Ldap,
        found: &Found,
    ) -> Result<Vec<String>, DirectoryError> {
        let mut names = BTreeSet::new();
        let mut seen = BTreeSet::new();
        match self.flavor {
            Flavor::Ad => {
                // memberOf chains: the user's groups, then theirs, ...
                let mut frontier: Vec<String> = found.member_of.clone();
                for _ in 0..MAX_NESTING {
                    let mut next = Vec::new();
                    for dn in frontier.drain(..) {
                        if !seen.insert(dn.clone()) || !self.under_group_base(&dn) {
                            continue;
                        }
                        let attrs = vec![self.group_name_attr().to_string(), "memberOf".into()];
                        let got = paged(ldap, &dn, Scope::Base, "(objectClass=*)", attrs).await?;
                        for e in &got {
                            if let Some(n) = first(e, self.group_name_attr()) {
                                names.insert(n);
                            }
                            next.extend(values(e, "memberOf").iter().map(|d| normalize_dn(d)));
                        }
                    }
                    if next.is_empty() {
                        break;
                    }
                    frontier = next;
                }
            }
            Flavor::Ldap => {
                // Groups listing the user as a member, then groups listing those, ...
                let mut frontier = vec![found.user.dn.clone()];
                for _ in 0..MAX_NESTING {
                    let filter = self.group_filter(Some(&frontier));
                    let attrs = vec![self.group_name_attr().to_string()];
                    let got =
                        paged(ldap, self.group_base(), Scope::Subtree, &filter, attrs).await?;
                    frontier = Vec::new();
                    for e in &got {
                        if !seen.insert(normalize_dn(&e.dn)) {
                            continue;
                        }
                        if let Some(n) = first(e, self.group_name_attr()) {
                            names.insert(n);
                        }
                        frontier.push(e.dn.clone());
                    }
                    if frontier.is_empty() {
                        break;
                    }
                }
            }
        }
        Ok(names.into_iter().collect())
    }

    /// Every user the realm covers (without their groups).
    pub(super) async fn all_users(
        &self,
        ldap: &mut Ldap,
    ) -> Result<Vec<DirectoryUser>, DirectoryError> {
        let found = self.user_entries(ldap, None).await?;
        Ok(found
            .iter()
            .filter_map(|e| self.user_of(e))
            .filter(|f| !f.disabled)
            .map(|f| f.user)
            .collect())
    }

    /// Every group the realm covers, with their members.
    pub(super) async fn all_groups(
        &self,
        ldap: &mut Ldap,
    ) -> Result<Vec<DirectoryGroup>, DirectoryError> {
        let filter = self.group_filter(None);
        let attrs = vec![
            self.group_name_attr().to_string(),
            "member".into(),
            "uniqueMember".into(),
        ];
        let found = paged(ldap, self.group_base(), Scope::Subtree, &filter, attrs).await?;
        Ok(found
            .iter()
            .filter_map(|e| {
                let name = first(e, self.group_name_attr())?;
                let mut members = values(e, "member");
                members.extend(values(e, "uniqueMember"));
                Some(DirectoryGroup {
                    dn: normalize_dn(&e.dn),
                    name,
                    members: members.iter().map(|m| normalize_dn(m)).collect(),
                })
            })
            .collect())
    }
}

/// The names of the groups a DN is in, directly or through nested groups.
pub(super) fn closure(groups: &[DirectoryGroup], dn: &str) -> Vec<String> {
    let mut containing: HashMap<&str, Vec<&DirectoryGroup>> = HashMap::new();
    for g in groups {
        for m in &g.members {
            containing.entry(m.as_str()).or_default().push(g);
        }
    }
    let mut names = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let start = normalize_dn(dn);
    let mut frontier = vec![start.as_str()];
    for _ in 0..MAX_NESTING {
        let mut next = Vec::new();
        for member in frontier {
            for g in containing.get(member).into_iter().flatten() {
                if seen.insert(g.dn.as_str()) {
                    names.insert(g.name.clone());
                    next.push(g.dn.as_str());
                }
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    names.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use scmp_api::DirectorySettings;

    fn dir(flavor: Flavor) -> Directory {
        Directory::new(
            flavor,
            DirectorySettings {
                server1: "ldap.example".into(),
                server2: None,
                port: None,
                mode: Default::default(),
                ca_pem: None,
                fingerprint: None,
                base_dn: "dc=example".into(),
                user_attr: None,
                bind_dn: None,
                filter: Some("memberOf=cn=scmp,dc=example".into()),
                user_classes: Some(vec!["person".into()]),
                group_dn: None,
                group_filter: None,
                group_classes: None,
                group_name_attr: None,
                email_attr: None,
            },
            None,
        )
    }

    #[test]
    fn a_login_name_cannot_change_the_filter() {
        let f = dir(Flavor::Ldap).user_filter(Some("*)(uid=*))(|(uid=*"));
        assert_eq!(
            f,
            "(&(|(objectClass=person))(uid=\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a)\
             (memberOf=cn=scmp,dc=example))"
        );
        let ad = dir(Flavor::Ad).user_filter(Some("alice@corp.example"));
        assert!(ad.contains(
            "(|(sAMAccountName=alice@corp.example)(userPrincipalName=alice@corp.example))"
        ));
    }

    #[test]
    fn nested_groups_are_followed_and_cycles_end() {
        let g = |dn: &str, name: &str, members: &[&str]| DirectoryGroup {
            dn: dn.into(),
            name: name.into(),
            members: members.iter().map(|m| m.to_string()).collect(),
        };
        let groups = vec![
            g("cn=devs", "devs", &["uid=alice", "cn=leads"]),
            g("cn=leads", "leads", &["uid=carol", "cn=devs"]),
            g("cn=ops", "ops", &["uid=bob"]),
        ];
        assert_eq!(closure(&groups, "UID=Carol"), vec!["devs", "leads"]);
        assert_eq!(closure(&groups, "uid=alice"), vec!["devs", "leads"]);
        assert_eq!(closure(&groups, "uid=bob"), vec!["ops"]);
        assert!(closure(&groups, "uid=nobody").is_empty());
    }

    #[test]
    fn distinguished_names_compare_without_case_or_blanks() {
        assert_eq!(
            normalize_dn("CN=A B, OU=People ,DC=x"),
            "cn=a b,ou=people,dc=x"
        );
    }
}
