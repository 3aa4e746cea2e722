//! Printing answers (the API's view types): a table (the default), JSON or YAML.

use comfy_table::{presets::UTF8_BORDERS_ONLY, Table};
use serde::Serialize;
use serde_json::Value;

/// The output formats of `-o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table.
    Table,
    /// JSON.
    Json,
    /// YAML.
    Yaml,
    /// JSON lines: one list item per line (for export, e.g. `scmp audit list -o jsonl`).
    Jsonl,
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Object(m) if m.contains_key("limits") => {
            let l = &m["limits"];
            let u = &m["allocated"];
            format!(
                "{}/{} vCPU, {}/{} MiB, {}/{} GiB, {}/{} guests",
                u["vcpus"],
                l["vcpus"],
                u["memory_mib"],
                l["memory_mib"],
                u["disk_gib"],
                l["disk_gib"],
                u["guests"],
                l["guests"]
            )
        }
        other => other.to_string(),
    }
}

/// A field of an item; `a.b` is the field `b` of the object in `a`.
fn field<'a>(item: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(item, |v, key| &v[key])
}

/// Prints one answer; for tables, `columns` picks its fields (all when empty), a nested field by
/// its path (`actor.name`).
pub fn print<T: Serialize>(v: &T, format: Format, columns: &[&str]) -> anyhow::Result<()> {
    print_value(&serde_json::to_value(v)?, format, columns)
}

/// Prints a list: a row per item in a table, a line per item in JSON lines.
pub fn print_list<T: Serialize>(
    items: &[T],
    format: Format,
    columns: &[&str],
) -> anyhow::Result<()> {
    let page = scmp_api::Page {
        items: items.iter().collect::<Vec<&T>>(),
        next_page_token: None,
    };
    print_value(&serde_json::to_value(page)?, format, columns)
}

fn print_value(v: &Value, format: Format, columns: &[&str]) -> anyhow::Result<()> {
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(v)?),
        Format::Yaml => print!("{}", serde_norway::to_string(v)?),
        Format::Jsonl => match v.get("items").and_then(Value::as_array) {
            Some(items) => {
                for item in items {
                    println!("{}", serde_json::to_string(item)?);
                }
            }
            None => println!("{}", serde_json::to_string(v)?),
        },
        Format::Table => {
            let rows: Vec<&Value> = match v.get("items").and_then(Value::as_array) {
                Some(items) => items.iter().collect(),
                None => vec![v],
            };
            if v.is_null() {
                return Ok(());
            }
            let cols: Vec<String> = if !columns.is_empty() {
                columns.iter().map(|c| c.to_string()).collect()
            } else {
                rows.first()
                    .and_then(|r| r.as_object())
                    .map(|o| o.keys().cloned().collect())
                    .unwrap_or_default()
            };
            let mut t = Table::new();
            t.load_preset(UTF8_BORDERS_ONLY);
            t.set_header(cols.iter().map(|c| c.to_uppercase()));
            for r in rows {
                t.add_row(cols.iter().map(|c| cell(field(r, c))));
            }
            println!("{t}");
        }
    }
    Ok(())
}
