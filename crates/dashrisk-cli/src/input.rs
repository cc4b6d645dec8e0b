//! How input files are opened: the text encoding (UTF-8, Windows-1252 or UTF-16,
//! with UTF-16 and UTF-8 byte-order marks detected), the format (JSON Lines or CSV)
//! and the CSV delimiter (comma, semicolon, tab or pipe), each given or detected;
//! and a progress bar on standard error for files, when it is a terminal.

use crate::{Fatal, Format};
use encoding_rs::Encoding;
use encoding_rs_io::DecodeReaderBytesBuilder;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressStyle};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// The input options every command that reads records shares.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct InputArgs {
    /// Input format (default: from the file extension, else sniffed).
    #[arg(long)]
    pub format: Option<Format>,
    /// CSV delimiter: , ; tab or | (default: the one that finds the most input
    /// contract columns in the header).
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Text encoding: utf-8 (the default), windows-1252, utf-16 (little-endian
    /// unless a byte-order mark says otherwise), utf-16le or utf-16be. A UTF-16 or
    /// UTF-8 byte-order mark is always detected.
    #[arg(long, value_name = "ENCODING", value_parser = parse_encoding)]
    pub encoding: Option<&'static Encoding>,
}

/// The delimiters the detection tries, in order of preference on a tie.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "," | "comma" => Ok(b','),
        ";" | "semicolon" => Ok(b';'),
        "\t" | "tab" | "\\t" => Ok(b'\t'),
        "|" | "pipe" => Ok(b'|'),
        other => Err(format!(
            "{other:?} is not a delimiter this reader takes; expected one of: , ; tab |"
        )),
    }
}

fn parse_encoding(s: &str) -> Result<&'static Encoding, String> {
    match s.to_ascii_lowercase().replace('_', "-").as_str() {
        "utf-8" | "utf8" => Ok(encoding_rs::UTF_8),
        "windows-1252" | "cp1252" | "latin1" | "latin-1" | "iso-8859-1" => {
            Ok(encoding_rs::WINDOWS_1252)
        }
        "utf-16" | "utf16" | "utf-16le" | "utf16le" => Ok(encoding_rs::UTF_16LE),
        "utf-16be" | "utf16be" => Ok(encoding_rs::UTF_16BE),
        other => Err(format!(
            "{other:?} is not an encoding this reader takes; expected one of: utf-8, windows-1252, utf-16, utf-16le, utf-16be"
        )),
    }
}

/// A name for a delimiter in messages.
pub fn delimiter_name(d: u8) -> &'static str {
    match d {
        b',' => "','",
        b';' => "';'",
        b'\t' => "a tab",
        b'|' => "'|'",
        _ => "another character",
    }
}

/// An opened input: the decoded text, its format and its CSV delimiter.
pub struct Opened {
    /// UTF-8 (or raw bytes, for a file given as UTF-8: invalid bytes stay invalid
    /// and become error records naming the cell).
    pub reader: Box<dyn BufRead>,
    /// JSON Lines or CSV.
    pub format: Format,
    /// The CSV delimiter (`,` for JSON Lines).
    pub delimiter: u8,
}

fn progress(input: &str, file: &File) -> Option<ProgressBar> {
    let len = file.metadata().ok()?.len();
    let target = ProgressDrawTarget::stderr_with_hz(4);
    if target.is_hidden() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(len), target)
        .with_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}, {eta} left",
            )
            .ok()?
            .progress_chars("=> "),
        )
        .with_prefix(
            Path::new(input)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
        )
        .with_finish(ProgressFinish::AndClear);
    Some(bar)
}

/// Opens `input` (a path, or `-` for standard input): decodes it, settles its format
/// (given, else from the extension, else sniffed) and its CSV delimiter (given, else
/// detected from the header).
pub fn open(input: &str, args: &InputArgs) -> Result<Opened, Fatal> {
    let raw: Box<dyn Read> = if input == "-" {
        Box::new(io::stdin().lock())
    } else {
        let f = File::open(input).map_err(|e| Fatal(format!("{input}: {e}")))?;
        match progress(input, &f) {
            Some(bar) => Box::new(bar.wrap_read(f)),
            None => Box::new(f),
        }
    };
    open_reader(raw, input, args)
}

/// [`open`] on a reader: `name` gives the extension that may settle the format.
pub fn open_reader(raw: Box<dyn Read>, name: &str, args: &InputArgs) -> Result<Opened, Fatal> {
    // With no encoding given, or UTF-8: bytes pass through as they are (so invalid
    // UTF-8 is an error, never silently replaced), but a UTF-16 byte-order mark
    // switches to UTF-16 and a UTF-8 one is dropped. An encoding given is used
    // unless a byte-order mark says otherwise.
    let explicit = args.encoding.filter(|e| *e != encoding_rs::UTF_8);
    let decoded = DecodeReaderBytesBuilder::new()
        .encoding(explicit)
        .bom_override(true)
        .strip_bom(true)
        .utf8_passthru(true)
        .build(raw);
    let mut decoded = BufReader::with_capacity(1 << 16, decoded);
    // The first line, whole, before anything is decided from it: a pipe can hand
    // over the header in pieces. Kept in memory up to 1 MiB (a wider header is read
    // on as usual, and a format or delimiter it would have told is then the default).
    let mut head = Vec::new();
    (&mut decoded).take(1 << 20).read_until(b'\n', &mut head)?;
    let mut reader: Box<dyn BufRead> = Box::new(BufReader::with_capacity(
        1 << 16,
        io::Cursor::new(head).chain(decoded),
    ));
    let format = crate::assess::settle_format(&mut *reader, name, args.format)?;
    let delimiter = match (format, args.delimiter) {
        (Format::Jsonl, _) => b',',
        (Format::Csv, Some(d)) => d,
        (Format::Csv, None) => detect_delimiter(reader.fill_buf()?),
    };
    Ok(Opened {
        reader,
        format,
        delimiter,
    })
}

/// The delimiter that splits the first line into the most input contract columns
/// (question ids and the screen and context columns); a comma when none finds any
/// (the header check then says so, with a hint).
pub fn detect_delimiter(buf: &[u8]) -> u8 {
    let end = buf.iter().position(|&b| b == b'\n').unwrap_or(buf.len());
    let Ok(line) = std::str::from_utf8(&buf[..end]) else {
        return b',';
    };
    let line = line.trim_start_matches('\u{feff}').trim_end_matches('\r');
    let mut best = (0usize, b',');
    for d in DELIMITERS {
        let n = line
            .split(char::from(d))
            .map(|c| c.trim().trim_matches('"'))
            .filter(|c| !dashrisk::parse::is_passthrough_column(c))
            .count();
        if n > best.0 {
            best = (n, d);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8], args: &InputArgs) -> (String, Format, u8) {
        let mut o = open_reader(Box::new(io::Cursor::new(bytes.to_vec())), "x.csv", args)
            .map_err(|e| e.0)
            .unwrap();
        let mut s = String::new();
        o.reader.read_to_string(&mut s).unwrap();
        (s, o.format, o.delimiter)
    }

    #[test]
    fn delimiters_are_detected_from_contract_columns() {
        assert_eq!(detect_delimiter(b"id;q1;fear;notes, more\n"), b';');
        assert_eq!(detect_delimiter(b"id\tq1\tfear\n"), b'\t');
        assert_eq!(detect_delimiter(b"id|q1|fear\n"), b'|');
        assert_eq!(detect_delimiter(b"id,q1,fear;x\n"), b',');
        assert_eq!(
            detect_delimiter(b"a;b;c\n"),
            b',',
            "no contract column: comma"
        );
        assert_eq!(detect_delimiter(b"\"id\";\"q1\"\r\n"), b';');
    }

    #[test]
    fn utf16_is_detected_from_its_byte_order_mark() {
        let text = "id,q1\nJosé,yes\n";
        let mut le = vec![0xff, 0xfe];
        le.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(read_all(&le, &InputArgs::default()).0, text);
        let mut be = vec![0xfe, 0xff];
        be.extend(text.encode_utf16().flat_map(|u| u.to_be_bytes()));
        assert_eq!(read_all(&be, &InputArgs::default()).0, text);
    }

    #[test]
    fn windows_1252_is_decoded_when_asked_and_left_invalid_otherwise() {
        let bytes = b"id,q1\nJos\xe9,yes\n";
        let args = InputArgs {
            encoding: Some(encoding_rs::WINDOWS_1252),
            ..InputArgs::default()
        };
        assert_eq!(read_all(bytes, &args).0, "id,q1\nJosé,yes\n");
        // Not asked: the byte stays, so the cell is an error, not a silent U+FFFD.
        let mut o = open_reader(
            Box::new(io::Cursor::new(bytes.to_vec())),
            "x.csv",
            &InputArgs::default(),
        )
        .map_err(|e| e.0)
        .unwrap();
        let mut v = Vec::new();
        o.reader.read_to_end(&mut v).unwrap();
        assert_eq!(v, bytes);
    }

    #[test]
    fn a_utf8_byte_order_mark_is_dropped_and_options_parse() {
        let (s, f, d) = read_all(b"\xef\xbb\xbfid;q1\n", &InputArgs::default());
        assert_eq!((s.as_str(), f, d), ("id;q1\n", Format::Csv, b';'));
        assert_eq!(parse_delimiter("tab"), Ok(b'\t'));
        assert!(parse_delimiter(":").unwrap_err().contains("tab"));
        assert_eq!(parse_encoding("UTF-16"), Ok(encoding_rs::UTF_16LE));
        assert!(parse_encoding("ebcdic")
            .unwrap_err()
            .contains("windows-1252"));
    }
}
