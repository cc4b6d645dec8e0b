//! Frames read column by column through the Arrow PyCapsule interface
//! (`__arrow_c_stream__`: pandas with pyarrow, polars, pyarrow tables, DuckDB
//! results), assessed on every core with the GIL released, and returned as Arrow
//! columns: no Python object per row or per cell (`dashrisk.assess_frame`).
//!
//! Cells are read as the CSV text they stand for, exactly as `Scorer.assess_rows`
//! reads Python cells (`convert::cell_text`): nulls and NaN are *not known*;
//! booleans are `yes`/`no` in answer columns and `true`/`false` elsewhere; whole
//! floats are counts; dates and timestamps are `YYYY-MM-DD`; lists are joined
//! with `;` (an empty list of transitions is `none`; a list of nulls only is not
//! known). A column of another type (lists of lists, an Arrow extension type such
//! as a pandas Period) is refused, naming it.

use crate::convert::{answer_column, empty_list_text};
use crate::errors::{input_error, internal};
use crate::scorer::PyScorer;
use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int8Builder, ListBuilder, StringBuilder, UInt32Builder,
    UInt64Builder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float32Type, Float64Type, Int8Type};
use arrow_array::{
    Array, ArrayRef, DictionaryArray, LargeStringArray, RecordBatch, RecordBatchReader,
    StringArray, StringViewArray,
};
use arrow_schema::{DataType, Field, Schema};
use dashrisk::error::{ErrorKind, InputError, RecordError};
use dashrisk::flat::{self, Cell, ColumnKind};
use dashrisk::parse::FlatHeader;
use dashrisk::{AssessOptions, Classification, RiskLevel, Scorer};
use pyo3::prelude::*;
use pyo3_arrow::{PyRecordBatchReader, PyTable};
use std::sync::Arc;

/// The most rows in one result batch. Large, so that handing the result to
/// pandas or polars is a few batches, not hundreds (4,096 gave 245 batches for
/// 1,000,000 rows, and their conversion took a third longer).
const CHUNK: usize = 1 << 16;

fn wrong_type(column: &str, found: &DataType) -> InputError {
    InputError::new(
        ErrorKind::WrongType,
        column,
        Some(&found.to_string()),
        format!(
            "column {column:?} holds {found}; expected text, booleans, numbers, dates, or lists of them"
        ),
    )
}

/// A list of lists: refused, as `Scorer.assess_rows` refuses a nested list
/// (flattening it would read `[[None]]` as an empty list, known to be none).
fn nested_list(column: &str, found: &DataType) -> InputError {
    InputError::new(
        ErrorKind::WrongType,
        column,
        Some(&found.to_string()),
        format!("column {column:?} holds lists of lists ({found}); expected a flat list of values"),
    )
}

fn is_list(t: &DataType) -> bool {
    matches!(
        t,
        DataType::List(_)
            | DataType::LargeList(_)
            | DataType::ListView(_)
            | DataType::LargeListView(_)
            | DataType::FixedSizeList(_, _)
    )
}

/// The Arrow field metadata key naming an extension type.
const EXTENSION_NAME: &str = "ARROW:extension:name";

/// The extension type of a field, or of the items of a list field: its values
/// are not what its storage says (a pandas Period is stored as its ordinal, so
/// `2025-01` would be read as the count 660).
fn extension_name(field: &Field) -> Option<&str> {
    if let Some(name) = field.metadata().get(EXTENSION_NAME) {
        return Some(name);
    }
    match field.data_type() {
        DataType::List(item)
        | DataType::LargeList(item)
        | DataType::ListView(item)
        | DataType::LargeListView(item)
        | DataType::FixedSizeList(item, _) => extension_name(item),
        _ => None,
    }
}

fn extension_type(column: &str, name: &str) -> InputError {
    InputError::new(
        ErrorKind::WrongType,
        column,
        Some(name),
        format!(
            "column {column:?} holds the Arrow extension type {name:?}, which is not read as \
             its storage; expected text, booleans, numbers, dates, or lists of them \
             (convert it first, e.g. a pandas Period with .dt.start_time)"
        ),
    )
}

/// A float as `convert::float_text` writes it: NaN is empty, `2.0` is `2`.
fn float_text(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        x.to_string()
    }
}

/// A column's cells as text, borrowed: Arrow's string layouts are read as they
/// come (pandas exports large strings, polars string views), others converted once.
enum Text {
    Small(StringArray),
    Large(LargeStringArray),
    View(StringViewArray),
}

impl Text {
    /// Cell `i`, `None` for a null.
    fn cell(&self, i: usize) -> Option<&str> {
        match self {
            Text::Small(a) => (!a.is_null(i)).then(|| a.value(i)),
            Text::Large(a) => (!a.is_null(i)).then(|| a.value(i)),
            Text::View(a) => (!a.is_null(i)).then(|| a.value(i)),
        }
    }

    /// Cell `i`, `""` for a null.
    fn get(&self, i: usize) -> &str {
        match self {
            Text::Small(a) if !a.is_null(i) => a.value(i),
            Text::Large(a) if !a.is_null(i) => a.value(i),
            Text::View(a) if !a.is_null(i) => a.value(i),
            _ => "",
        }
    }
}

/// One contract column as text cells (empty for a null), in row order, so that a
/// row's cells are borrowed, never allocated one by one.
fn column_cells(name: &str, array: &ArrayRef) -> Result<Text, InputError> {
    Ok(match array.data_type() {
        DataType::Utf8 => Text::Small(array.as_string::<i32>().clone()),
        DataType::LargeUtf8 => Text::Large(array.as_string::<i64>().clone()),
        DataType::Utf8View => Text::View(array.as_string_view().clone()),
        _ => Text::Small(column_text(name, array)?),
    })
}

/// One contract column as an Arrow string array (null for a null).
fn column_text(name: &str, array: &ArrayRef) -> Result<StringArray, InputError> {
    let n = array.len();
    let nulls = |i: usize| array.is_null(i);
    let out: StringArray = match array.data_type() {
        DataType::Null => StringArray::new_null(n),
        DataType::Boolean => {
            let a = array.as_boolean();
            let answer = answer_column(name);
            (0..n)
                .map(|i| {
                    (!nulls(i)).then(|| {
                        match (answer, a.value(i)) {
                            (true, true) => "yes",
                            (true, false) => "no",
                            (false, true) => "true",
                            (false, false) => "false",
                        }
                        .to_string()
                    })
                })
                .collect()
        }
        DataType::Float64 => {
            let a = array.as_primitive::<Float64Type>();
            (0..n)
                .map(|i| (!nulls(i)).then(|| float_text(a.value(i))))
                .collect()
        }
        DataType::Float32 => {
            let a = array.as_primitive::<Float32Type>();
            (0..n)
                .map(|i| (!nulls(i)).then(|| float_text(f64::from(a.value(i)))))
                .collect()
        }
        DataType::Timestamp(_, _) | DataType::Date64 => {
            let days = arrow_cast::cast(array, &DataType::Date32)
                .map_err(|_| wrong_type(name, array.data_type()))?;
            return column_text(name, &days);
        }
        DataType::Date32 => {
            let a = array.as_primitive::<Date32Type>();
            (0..n)
                .map(|i| {
                    (!nulls(i)).then(|| {
                        a.value_as_date(i)
                            .map(|d| d.format("%Y-%m-%d").to_string())
                            .unwrap_or_default()
                    })
                })
                .collect()
        }
        DataType::List(item) | DataType::LargeList(item) | DataType::ListView(item) => {
            if is_list(item.data_type()) {
                return Err(nested_list(name, array.data_type()));
            }
            // Items go through this same conversion (timestamps become dates,
            // categoricals their values), then are joined with `;`, as
            // `convert::list_text` joins a Python list: null (and empty) items are
            // left out, a list of them only is not known (null), and an empty list
            // is `empty_list_text` (`none` for the transitions).
            let list = arrow_cast::cast(
                array,
                &DataType::List(Arc::new(Field::new("item", item.data_type().clone(), true))),
            )
            .map_err(|_| wrong_type(name, array.data_type()))?;
            let list = list.as_list::<i32>();
            let items = column_text(name, list.values())?;
            let offsets = list.value_offsets();
            (0..n)
                .map(|i| {
                    if nulls(i) {
                        return None;
                    }
                    let (from, to) = (offsets[i] as usize, offsets[i + 1] as usize);
                    if from == to {
                        return Some(empty_list_text(name).to_string());
                    }
                    let parts: Vec<&str> = (from..to)
                        .filter(|&j| !items.is_null(j))
                        .map(|j| items.value(j))
                        .filter(|v| !v.trim().is_empty())
                        .collect();
                    (!parts.is_empty()).then(|| parts.join(";"))
                })
                .collect()
        }
        DataType::Dictionary(_, value) => {
            // A categorical: its values, read as a column of their own type.
            let decoded =
                arrow_cast::cast(array, value).map_err(|_| wrong_type(name, array.data_type()))?;
            return column_text(name, &decoded);
        }
        DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => {
            let text = arrow_cast::cast(array, &DataType::Utf8)
                .map_err(|_| wrong_type(name, array.data_type()))?;
            text.as_string::<i32>().clone()
        }
        other => return Err(wrong_type(name, other)),
    };
    Ok(out)
}

/// The vocabularies of the ordered categorical result columns, in order: built as
/// Arrow dictionaries (one byte a row) that pandas and polars read as categoricals
/// without looking at text (`python/dashrisk/_arrow.py` gives them their order).
fn categories(column: &str) -> Option<&'static [&'static str]> {
    match column {
        "classification" => Some(&Classification::VALUES),
        "risk_level" | "actuarial_level" => Some(&RiskLevel::VALUES),
        _ => None,
    }
}

/// One output column's builder, of the column's kind.
enum Column {
    /// An ordered categorical: keys into its vocabulary.
    Category(Int8Builder, &'static [&'static str]),
    Text(StringBuilder),
    Bool(BooleanBuilder),
    Count(UInt32Builder),
    Float(Float64Builder),
    List(ListBuilder<StringBuilder>),
}

impl Column {
    /// A builder with room for `rows` cells (and, for text and lists, for the
    /// usual text and items), so that filling a chunk does not grow and copy it.
    fn new(name: &str, kind: ColumnKind, rows: usize) -> Column {
        // Result text is a contract string or a version: rarely over 32 bytes.
        // A list holds a few contract strings; reason codes up to a dozen or so.
        const TEXT: usize = 32;
        const ITEMS: usize = 8;
        // Columns that are empty but for error rows, or unless sentences are asked for.
        let text = if name.starts_with("error_") || name == "reasons" {
            0
        } else {
            TEXT
        };
        if let Some(values) = categories(name) {
            return Column::Category(Int8Builder::with_capacity(rows), values);
        }
        match kind {
            ColumnKind::Text => Column::Text(StringBuilder::with_capacity(rows, rows * text)),
            ColumnKind::Bool => Column::Bool(BooleanBuilder::with_capacity(rows)),
            ColumnKind::Count => Column::Count(UInt32Builder::with_capacity(rows)),
            ColumnKind::Float => Column::Float(Float64Builder::with_capacity(rows)),
            ColumnKind::List => Column::List(ListBuilder::with_capacity(
                StringBuilder::with_capacity(rows * ITEMS, rows * ITEMS * TEXT),
                rows,
            )),
        }
    }

    /// Appends a cell; a cell of another kind (`Missing`) is a null.
    fn push(&mut self, cell: Cell<'_>) {
        match (self, cell) {
            (Column::Category(b, values), Cell::Text(s)) => category(b, values, &s),
            (Column::Category(b, _), _) => b.append_null(),
            (Column::Text(b), Cell::Text(s)) => b.append_value(s),
            (Column::Text(b), _) => b.append_null(),
            (Column::Bool(b), Cell::Bool(v)) => b.append_value(v),
            (Column::Bool(b), _) => b.append_null(),
            (Column::Count(b), Cell::Count(v)) => b.append_value(v),
            (Column::Count(b), _) => b.append_null(),
            (Column::Float(b), Cell::Float(v)) => b.append_value(v),
            (Column::Float(b), _) => b.append_null(),
            (Column::List(b), Cell::List(items)) => {
                for s in items {
                    b.values().append_value(s);
                }
                b.append(true);
            }
            (Column::List(b), _) => b.append(false),
        }
    }

    fn finish(&mut self) -> Result<ArrayRef, arrow_schema::ArrowError> {
        Ok(match self {
            // Every key is a position in its vocabulary; `try_new` checks it.
            Column::Category(b, values) => Arc::new(DictionaryArray::<Int8Type>::try_new(
                b.finish(),
                Arc::new(StringArray::from(values.to_vec())),
            )?),
            Column::Text(b) => Arc::new(b.finish()),
            Column::Bool(b) => Arc::new(b.finish()),
            Column::Count(b) => Arc::new(b.finish()),
            Column::Float(b) => Arc::new(b.finish()),
            Column::List(b) => Arc::new(b.finish()),
        })
    }
}

/// Appends `v`'s position in `values`. Every value the scorer writes into a
/// categorical column is in its vocabulary (a test compares these columns with
/// the scorer's own strings); one that were not would be a null, never another
/// category.
fn category(b: &mut Int8Builder, values: &[&str], v: &str) {
    match values.iter().position(|&x| x == v) {
        Some(k) => b.append_value(k as i8),
        None => {
            debug_assert!(false, "{v:?} is not one of {values:?}");
            b.append_null()
        }
    }
}

/// The output columns (`flat::RESULT_COLUMNS`), filled a chunk at a time.
struct Builders {
    columns: Vec<Column>,
    /// The input row of each output row (0-based).
    row: UInt64Builder,
}

impl Builders {
    /// Builders with room for `rows` rows.
    fn new(rows: usize) -> Builders {
        Builders {
            columns: flat::RESULT_COLUMNS
                .iter()
                .map(|c| Column::new(c.name, c.kind, rows))
                .collect(),
            row: UInt64Builder::with_capacity(rows),
        }
    }

    fn push(&mut self, row: u64, cells: Vec<Cell<'_>>) {
        self.row.append_value(row);
        for (column, cell) in self.columns.iter_mut().zip(cells) {
            column.push(cell);
        }
    }

    fn finish(mut self) -> Result<RecordBatch, arrow_schema::ArrowError> {
        let mut fields = vec![Field::new("__row", DataType::UInt64, false)];
        let mut arrays: Vec<ArrayRef> = vec![Arc::new(self.row.finish())];
        for (col, column) in flat::RESULT_COLUMNS.iter().zip(&mut self.columns) {
            let array = column.finish()?;
            fields.push(Field::new(col.name, array.data_type().clone(), true));
            arrays.push(array);
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
    }
}

/// The compact path writes cells straight into the builders, with no `Cell` list
/// per row.
impl flat::RowSink for Builders {
    fn text(&mut self, col: usize, v: &str) {
        match &mut self.columns[col] {
            Column::Text(b) => b.append_value(v),
            Column::Category(b, values) => category(b, values, v),
            other => other.push(Cell::Missing),
        }
    }
    fn bool(&mut self, col: usize, v: bool) {
        match &mut self.columns[col] {
            Column::Bool(b) => b.append_value(v),
            other => other.push(Cell::Missing),
        }
    }
    fn count(&mut self, col: usize, v: u32) {
        match &mut self.columns[col] {
            Column::Count(b) => b.append_value(v),
            other => other.push(Cell::Missing),
        }
    }
    fn float(&mut self, col: usize, v: f64) {
        match &mut self.columns[col] {
            Column::Float(b) => b.append_value(v),
            other => other.push(Cell::Missing),
        }
    }
    fn list<I: Iterator<Item = &'static str>>(&mut self, col: usize, items: I) {
        match &mut self.columns[col] {
            Column::List(b) => {
                for v in items {
                    b.values().append_value(v);
                }
                b.append(true);
            }
            other => other.push(Cell::Missing),
        }
    }
    fn not_known(&mut self, col: usize) {
        self.columns[col].push(Cell::NotKnown);
    }
    fn missing(&mut self, col: usize) {
        self.columns[col].push(Cell::Missing);
    }
}

/// One chunk, assessed and written into its own result columns (so that no
/// per-row work is left to one thread): the batch and its number of error rows
/// (`id` is the index of the `id` column).
fn assess_chunk(
    scorer: &Scorer,
    header: &FlatHeader,
    columns: &[Option<Text>],
    id: Option<usize>,
    rows: std::ops::Range<usize>,
    first_row: u64,
    options: &AssessOptions,
) -> Result<(RecordBatch, u64), arrow_schema::ArrowError> {
    let mut cells: Vec<&str> = vec![""; columns.len()];
    let mut builders = Builders::new(rows.len());
    let mut errors = 0u64;
    let mut scratch = dashrisk::parse::FlatScratch::new();
    let mut text = String::new();
    for i in rows {
        for (c, col) in columns.iter().enumerate() {
            cells[c] = col.as_ref().map_or("", |v| v.get(i));
        }
        let row = first_row + i as u64;
        // The compact path, written straight into the columns (the same cells as
        // the full result's; core tests check it). With the sentences, they are
        // written into one kept string.
        let assessed = if options.reason_text {
            scorer.assess_flat_compact_text(header, &cells, &mut scratch, &mut text)
        } else {
            scorer.assess_flat_compact(header, &cells, &mut scratch)
        };
        let outcome = assessed.map(|c| {
            builders.row.append_value(row);
            let id = id.map(|c| cells[c]).filter(|v| !v.trim().is_empty());
            let text = options.reason_text.then_some(text.as_str());
            flat::write_compact_text(&c, id, text, scorer, &mut builders);
        });
        match outcome {
            Ok(()) => {}
            Err(error) => {
                errors += 1;
                let e = RecordError {
                    line: row + 1,
                    // As a successful row's: without surrounding spaces, and
                    // none if that leaves nothing.
                    id: id
                        .map(|c| cells[c].trim())
                        .filter(|v| !v.is_empty())
                        .map(dashrisk::error::truncate_value),
                    error,
                };
                builders.push(row, flat::error_row(&e));
            }
        }
    }
    Ok((builders.finish()?, errors))
}

/// Refuses a contract column whose type is read wrongly as its storage (an
/// Arrow extension type), before any row is read.
fn check_types(
    schema: &Schema,
    passthrough: &std::collections::HashSet<usize>,
) -> Result<(), InputError> {
    for (c, field) in schema.fields().iter().enumerate() {
        if passthrough.contains(&c) {
            continue;
        }
        if let Some(ext) = extension_name(field) {
            return Err(extension_type(field.name(), ext));
        }
    }
    Ok(())
}

/// The text cells `assess_arrow` reads from each contract column of an Arrow
/// stream, `None` for a null (not known), as `[(column, cells)]`; columns the
/// scorer does not read are left out. For tests: it shows how each Arrow type is
/// read, which results alone do not always show (a list of nulls, not known, and
/// an empty list of transitions, none, give the same assessment).
#[pyfunction]
pub fn arrow_cells(
    py: Python<'_>,
    data: PyRecordBatchReader,
) -> PyResult<Vec<(String, Vec<Option<String>>)>> {
    let reader = data.into_reader()?;
    let (names, _header, passthrough) = read_header(py, &reader.schema())?;
    let read: Vec<usize> = (0..names.len())
        .filter(|c| !passthrough.contains(c))
        .collect();
    let mut out: Vec<(String, Vec<Option<String>>)> = read
        .iter()
        .map(|&c| (names[c].clone(), Vec::new()))
        .collect();
    for batch in reader {
        let batch = batch.map_err(|e| internal("reading the frame", e))?;
        for (k, &c) in read.iter().enumerate() {
            let text = column_cells(&names[c], batch.column(c)).map_err(|e| input_error(py, &e))?;
            out[k]
                .1
                .extend((0..batch.num_rows()).map(|i| text.cell(i).map(str::to_string)));
        }
    }
    Ok(out)
}

/// A stream's column names, read once as a flat header, and the pass-through
/// columns; a name the contract refuses, or a contract column of a type that
/// cannot be read, is an `InputError` before any row is read.
fn read_header(
    py: Python<'_>,
    schema: &arrow_schema::SchemaRef,
) -> PyResult<(Vec<String>, FlatHeader, std::collections::HashSet<usize>)> {
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let header = FlatHeader::new(&names);
    if let Some(e) = header.problem() {
        return Err(input_error(py, &e));
    }
    let passthrough: std::collections::HashSet<usize> =
        header.passthrough().iter().copied().collect();
    check_types(schema, &passthrough).map_err(|e| input_error(py, &e))?;
    Ok((names, header, passthrough))
}

/// Assesses every row of an Arrow stream (any object with `__arrow_c_stream__`) in
/// the flat layout. Returns `(table, errors)`: an Arrow table (`__arrow_c_stream__`)
/// with the input row number `__row` and the flat result columns, lists as real
/// list columns, error rows with their `error_*` columns; and the number of error
/// rows. A column name the contract refuses (close to a contract name, a repeated
/// column, a nested name its section lacks) or a column of a type that cannot be
/// read raises `InputError` before any row is assessed.
#[pyfunction]
#[pyo3(signature = (scorer, data, reasons = false))]
pub fn assess_arrow(
    py: Python<'_>,
    scorer: &PyScorer,
    data: PyRecordBatchReader,
    reasons: bool,
) -> PyResult<(PyTable, u64)> {
    let reader = data.into_reader()?;
    let (names, header, passthrough) = read_header(py, &reader.schema())?;
    let id_column = names.iter().position(|n| n == "id");
    let scorer = scorer.inner();
    let options = AssessOptions {
        reason_text: reasons,
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let outcome = py.detach(|| -> Result<(Vec<RecordBatch>, u64), InputError> {
        let failed = |e: arrow_schema::ArrowError| {
            InputError::new(
                ErrorKind::WrongType,
                "",
                None,
                format!("reading the frame: {e}"),
            )
        };
        let mut batches = Vec::new();
        let mut first_row = 0u64;
        let mut errors = 0u64;
        for batch in reader {
            let batch = batch.map_err(failed)?;
            let mut columns: Vec<Option<Text>> = Vec::with_capacity(names.len());
            for (c, name) in names.iter().enumerate() {
                columns.push(if passthrough.contains(&c) {
                    None
                } else {
                    Some(column_cells(name, batch.column(c))?)
                });
            }
            let n = batch.num_rows();
            // One contiguous part of the batch per core, each written as chunks of
            // CHUNK rows into its own result columns; parts come back in order.
            let per = n.div_ceil(threads.max(1)).max(1);
            let parts: Vec<std::ops::Range<usize>> =
                (0..n).step_by(per).map(|s| s..(s + per).min(n)).collect();
            let done = std::thread::scope(|s| {
                let handles: Vec<_> = parts
                    .iter()
                    .map(|part| {
                        let (scorer, header, columns, options) =
                            (&scorer, &header, &columns, &options);
                        let part = part.clone();
                        s.spawn(move || {
                            (part.start..part.end)
                                .step_by(CHUNK)
                                .map(|from| {
                                    let r = from..(from + CHUNK).min(part.end);
                                    assess_chunk(
                                        scorer, header, columns, id_column, r, first_row, options,
                                    )
                                })
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                // A worker that panicked is an error for the whole call: its
                // rows are never silently missing.
                handles
                    .into_iter()
                    .map(|h| h.join().map_err(|_| ()))
                    .collect::<Result<Vec<_>, ()>>()
            })
            .map_err(|()| {
                InputError::new(
                    ErrorKind::WrongType,
                    "",
                    None,
                    "internal error: a worker stopped; no result was returned",
                )
            })?;
            for chunk in done.into_iter().flatten() {
                let (b, e) = chunk.map_err(failed)?;
                errors += e;
                batches.push(b);
            }
            first_row += n as u64;
        }
        if batches.is_empty() {
            batches.push(Builders::new(0).finish().map_err(failed)?);
        }
        Ok((batches, errors))
    });
    let (batches, errors) = outcome.map_err(|e| input_error(py, &e))?;
    let schema = batches[0].schema();
    let table =
        PyTable::try_new(batches, schema).map_err(|e| internal("building the result table", e))?;
    Ok((table, errors))
}
