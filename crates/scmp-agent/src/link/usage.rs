//! What the guests a site made on its own used, per guest per hour, as it travels up: the site
//! meters them from the moment it made them until it deletes them or sees the centre take them
//! in (from then on the centre's allocations are the record), each hour of the clock a record of
//! its own, numbered in the journal and delivered once.

use scmp_common::{GuestId, ProjectId, TenantId};
use serde::{Deserialize, Serialize};

/// An hour's clock length (ms).
pub const HOUR_MS: i64 = 3_600_000;

/// What one guest made at the site held during part or all of one hour of the clock: what was
/// reserved for it, not what it did with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteUsage {
    /// The guest.
    pub guest: GuestId,
    /// Its project.
    pub project: ProjectId,
    /// The project's tenant.
    pub tenant: TenantId,
    /// From (ms, the site's clock, inclusive).
    pub from_ms: i64,
    /// Until (ms, exclusive; never past the end of `from_ms`'s hour).
    pub to_ms: i64,
    /// vCPUs.
    pub vcpus: u64,
    /// Memory.
    pub memory_mib: u64,
    /// Root disk.
    pub disk_gib: u64,
    /// The site meters the guest no further: it was deleted at `to_ms`, or the centre had taken
    /// it in by then.
    pub last: bool,
}

impl SiteUsage {
    /// The record's length (s).
    pub fn seconds(&self) -> f64 {
        (self.to_ms - self.from_ms) as f64 / 1000.0
    }
}

/// A guest the site meters, as its journal keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metered {
    /// The guest, its project and tenant and what it holds.
    pub template: SiteUsage,
    /// Metered up to (ms).
    pub to_ms: i64,
    /// When it was deleted at the site (ms).
    pub ended_ms: Option<i64>,
}

/// The records due for one guest at `now_ms`: every whole hour of the clock since it was last
/// metered, then, once its metering ends (`end_ms`: deleted or taken in; at most `now_ms`), the
/// part of the hour up to the end, marked last. A guest that is still running at the site keeps
/// the part of the current hour for the next look.
pub fn due(m: &Metered, end_ms: Option<i64>, now_ms: i64) -> Vec<SiteUsage> {
    let end = end_ms.map(|e| e.min(now_ms));
    let mut out = Vec::new();
    let mut from = m.to_ms;
    loop {
        let hour_end = (from.div_euclid(HOUR_MS) + 1) * HOUR_MS;
        match end {
            Some(end) if end <= hour_end => {
                out.push(SiteUsage {
                    from_ms: from,
                    to_ms: end.max(from),
                    last: true,
                    ..m.template.clone()
                });
                break;
            }
            _ if hour_end > now_ms => break,
            _ => {
                out.push(SiteUsage {
                    from_ms: from,
                    to_ms: hour_end,
                    last: false,
                    ..m.template.clone()
                });
                from = hour_end;
            }
        }
    }
    // A guest deleted in the same instant it was last metered leaves nothing to count but its end.
    out.retain(|u| u.to_ms > u.from_ms || u.last);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metered(from: i64) -> Metered {
        Metered {
            template: SiteUsage {
                guest: GuestId::new(),
                project: ProjectId::new(),
                tenant: TenantId::new(),
                from_ms: 0,
                to_ms: 0,
                vcpus: 2,
                memory_mib: 2048,
                disk_gib: 20,
                last: false,
            },
            to_ms: from,
            ended_ms: None,
        }
    }

    #[test]
    fn whole_hours_then_the_part_up_to_the_end() {
        let start = 10 * HOUR_MS + 600_000;
        let m = metered(start);
        // Half past twelve: two hours closed (the rest of ten, eleven), twelve still open.
        let now = 12 * HOUR_MS + 1_800_000;
        let d = due(&m, None, now);
        assert_eq!(
            d.iter().map(|u| (u.from_ms, u.to_ms)).collect::<Vec<_>>(),
            vec![(start, 11 * HOUR_MS), (11 * HOUR_MS, 12 * HOUR_MS)]
        );
        assert!(d.iter().all(|u| !u.last));
        // Deleted at a quarter past twelve.
        let m = Metered {
            to_ms: 12 * HOUR_MS,
            ..m
        };
        let end = 12 * HOUR_MS + 900_000;
        let d = due(&m, Some(end), now);
        assert_eq!(d.len(), 1);
        assert_eq!(
            (d[0].from_ms, d[0].to_ms, d[0].last),
            (12 * HOUR_MS, end, true)
        );
    }

    #[test]
    fn nothing_is_counted_twice_or_missed_however_often_it_is_looked_at() {
        let start = 7 * HOUR_MS + 123_456;
        let end = 40 * HOUR_MS + 7;
        let mut m = metered(start);
        let mut all = Vec::new();
        let mut now = start;
        while all.last().map(|u: &SiteUsage| !u.last).unwrap_or(true) {
            now += 1_234_567;
            let ended = (now >= end).then_some(end);
            let d = due(&m, ended, now);
            if let Some(u) = d.last() {
                m.to_ms = u.to_ms;
            }
            all.extend(d);
        }
        for w in all.windows(2) {
            assert_eq!(w[0].to_ms, w[1].from_ms);
        }
        assert_eq!(all[0].from_ms, start);
        assert_eq!(all.last().map(|u| u.to_ms), Some(end));
        assert!(all
            .iter()
            .all(|u| u.from_ms.div_euclid(HOUR_MS) == (u.to_ms - 1).div_euclid(HOUR_MS)));
        let seconds: f64 = all.iter().map(SiteUsage::seconds).sum();
        assert!((seconds - (end - start) as f64 / 1000.0).abs() < 1e-6);
    }

    #[test]
    fn an_end_in_a_later_hour_closes_the_hours_between() {
        let m = metered(HOUR_MS);
        let d = due(&m, Some(3 * HOUR_MS + 5), 5 * HOUR_MS);
        assert_eq!(
            d.iter()
                .map(|u| (u.from_ms, u.to_ms, u.last))
                .collect::<Vec<_>>(),
            vec![
                (HOUR_MS, 2 * HOUR_MS, false),
                (2 * HOUR_MS, 3 * HOUR_MS, false),
                (3 * HOUR_MS, 3 * HOUR_MS + 5, true)
            ]
        );
    }
}
