//! Rendering: how plain command results become tables for people.
//!
//! Commands describe their output as [`Block`]s (lines and tables of strings); this module turns
//! those into text with comfy-table. JSON output is plain serde and needs nothing here.

use comfy_table::{presets, CellAlignment, ContentArrangement, Table as ComfyTable};

/// A table of strings with a header row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Columns (by index) whose values are numbers and align right.
    pub numeric: Vec<usize>,
}

impl Table {
    pub fn new<I, S>(header: I) -> Table
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Table {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
            numeric: Vec::new(),
        }
    }

    /// Marks columns as numeric (right-aligned).
    pub fn numeric(mut self, columns: &[usize]) -> Table {
        self.numeric = columns.to_vec();
        self
    }

    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }
}

/// One piece of human-readable output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Line(String),
    Table(Table),
}

/// Output that has a human-readable form. Its JSON form is its `Serialize` implementation.
pub trait Render {
    fn blocks(&self) -> Vec<Block>;
}

/// Renders blocks as text, each ending with a newline.
pub fn to_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Line(line) => {
                out.push_str(line);
                out.push('\n');
            }
            Block::Table(table) => {
                out.push_str(&table_text(table));
                out.push('\n');
            }
        }
    }
    out
}

fn table_text(table: &Table) -> String {
    let mut t = ComfyTable::new();
    t.load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(table.header.clone());
    // A blank cell would shift every later column for `awk` and `cut`: it reads `-`.
    for row in &table.rows {
        t.add_row(row.iter().map(|cell| match cell.trim().is_empty() {
            true => "-".to_string(),
            false => cell.clone(),
        }));
    }
    for &col in &table.numeric {
        if let Some(column) = t.column_mut(col) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    // The NOTHING preset pads each cell with one space on both sides; trim the outer ones.
    t.lines()
        .map(|l| {
            let l = l.strip_prefix(' ').unwrap_or(&l).trim_end().to_string();
            l
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `one` or `many`, by count: `plural(2, "topic", "topics")`.
pub fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// `-` for a missing value, as Kafka's own tools print it.
pub fn or_dash<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// A list of numbers as `1,2,3`.
pub fn join_ids(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_plain_aligned_text() {
        let mut t = Table::new(["NAME", "PARTITIONS"]).numeric(&[1]);
        t.row(["orders", "3"]);
        t.row(["payments-long", "12"]);
        let text = to_text(&[Block::Table(t)]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "NAME           PARTITIONS");
        assert_eq!(lines[1], "orders                  3");
        assert_eq!(lines[2], "payments-long          12");
    }

    #[test]
    fn a_blank_cell_reads_as_a_dash() {
        let mut t = Table::new(["NAME", "VALUE", "SOURCE"]);
        t.row(["a", "", "topic"]);
        let text = to_text(&[Block::Table(t)]);
        assert_eq!(
            text.lines().nth(1).unwrap().split_whitespace().count(),
            3,
            "{text}"
        );
    }
}
