//! The module dependency graph of a crate, read from its sources: module `a` depends on module `b`
//! when a file of `a` names `crate::b` (or `super::b` from a sibling). Cycles in it are what the
//! architecture tests refuse.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every module of the crate under `src` (`app::guests`), with its source text.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = p.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            out.insert(parts.join("::"), std::fs::read_to_string(&p).unwrap());
        }
    }
    out
}

/// The source without comments (a path in a doc comment is not a dependency).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module paths that follow `prefix` in `text` (`crate::app::guests` -> `app::guests`).
fn paths_after(text: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let path: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == ':')
            .collect();
        let path = path.trim_end_matches(':').to_string();
        if !path.is_empty() {
            out.push(path);
        }
    }
    out
}

/// The graph between modules `depth` levels deep (1: `app`, `http`; 2: `app::guests`).
pub fn graph(src: &Path, depth: usize) -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules(src);
    let top = |m: &str| m.split("::").take(depth).collect::<Vec<_>>().join("::");
    let known = |path: &str| -> Option<String> {
        let parts: Vec<&str> = path.split("::").collect();
        (1..=parts.len())
            .rev()
            .map(|k| parts[..k].join("::"))
            .find(|c| mods.contains_key(c))
    };
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, text) in &mods {
        if m.is_empty() {
            continue;
        }
        let text = code(text);
        let parent: Vec<&str> = m.split("::").collect();
        let parent = parent[..parent.len() - 1].join("::");
        let mut refs: Vec<String> = paths_after(&text, "crate::");
        for p in paths_after(&text, "super::") {
            refs.push(if parent.is_empty() {
                p
            } else {
                format!("{parent}::{p}")
            });
        }
        let a = top(m);
        for r in refs {
            let Some(target) = known(&r) else { continue };
            let b = top(&target);
            let nested = b.starts_with(&format!("{a}::")) || a.starts_with(&format!("{b}::"));
            if a != b && !nested {
                edges.entry(a.clone()).or_default().insert(b);
            }
        }
    }
    edges
}

/// The cycles of the graph `depth` levels deep, each as the modules around it.
pub fn cycles(src: &Path, depth: usize) -> Vec<Vec<String>> {
    let edges = graph(src, depth);
    let mut found = BTreeSet::new();
    for (a, targets) in &edges {
        for b in targets {
            // A path from b back to a closes a cycle.
            let mut stack = vec![(b.clone(), vec![a.clone(), b.clone()])];
            let mut seen = BTreeSet::new();
            while let Some((n, path)) = stack.pop() {
                if &n == a {
                    let mut cycle = path[..path.len() - 1].to_vec();
                    // One name for each cycle: start at its smallest module.
                    let start = cycle
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, m)| m.as_str())
                        .map_or(0, |(i, _)| i);
                    cycle.rotate_left(start);
                    found.insert(cycle);
                    break;
                }
                if !seen.insert(n.clone()) {
                    continue;
                }
                for next in edges.get(&n).into_iter().flatten() {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((next.clone(), p));
                }
            }
        }
    }
    found.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cycle_and_ignores_comments() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path();
        std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\nmod c;\n").unwrap();
        std::fs::write(src.join("a.rs"), "use crate::b::x;\n").unwrap();
        std::fs::write(
            src.join("b.rs"),
            "use crate::a::y;\n// crate::c is only named here\n",
        )
        .unwrap();
        std::fs::write(src.join("c.rs"), "fn f() { crate::a::y(); }\n").unwrap();
        assert_eq!(cycles(src, 1), vec![vec!["a".to_string(), "b".to_string()]]);
        std::fs::write(src.join("b.rs"), "fn g() {}\n").unwrap();
        assert!(cycles(src, 1).is_empty());
    }
}
