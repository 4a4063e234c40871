//! The uploaded file: recognised (CSV in UTF-8, Windows-1250 or Windows-1252 with or without a BOM, any
//! of the usual delimiters; or XLSX, whose first sheet is turned into UTF-8 CSV), stored in the database
//! in 1 MB chunks, and read back as a stream of rows — chunk by chunk, never the whole file in memory.

use crate::db::{Db, Tx};
use crate::domain::validate::field;
use crate::error::{AppError, Problem};
use encoding_rs::{Encoding, UTF_8, WINDOWS_1250, WINDOWS_1252};
use sqlx::Row;

pub const CHUNK_BYTES: usize = 1 << 20;

/// What the first look at a file found.
#[derive(Debug)]
pub struct Recognised {
    pub encoding: &'static Encoding,
    /// The text stored: the file as uploaded, or the CSV made from a spreadsheet.
    pub bytes: Vec<u8>,
    pub delimiter: u8,
    pub label: &'static str,
}

/// Which encoding a CSV is in: a BOM says so; text that is valid UTF-8 is UTF-8; otherwise the letters
/// decide between Central European (Serbian č ć đ, 1250) and Western (1252) code pages.
pub fn detect_encoding(bytes: &[u8]) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return enc;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    // Bytes that are Serbian letters in 1250 (Č č Ć ć Đ đ) but rare Western ones in 1252 (È è Æ æ Ð ð),
    // against bytes common in Western text that are rare letters in 1250 (à â ç ê î ñ ô ù û).
    let serbian = bytes.iter().filter(|b| matches!(b, 0xC8 | 0xE8 | 0xC6 | 0xE6 | 0xD0 | 0xF0)).count();
    let western = bytes.iter().filter(|b| matches!(b, 0xE0 | 0xE2 | 0xE7 | 0xEA | 0xEE | 0xF1 | 0xF4 | 0xF9 | 0xFB | 0xC0 | 0xC7)).count();
    if western > serbian {
        WINDOWS_1252
    } else {
        WINDOWS_1250
    }
}

/// The delimiter of a CSV: the candidate that splits the first lines into the same number (more than one)
/// of fields most consistently; a comma when nothing does.
pub fn detect_delimiter(sample: &str) -> u8 {
    let lines: Vec<&str> = sample.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    let mut best = (b',', 0usize);
    for d in [b';', b',', b'\t', b'|'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d as char)).collect();
        let Some(&first) = counts.first() else { continue };
        if first == 0 {
            continue;
        }
        let consistent = counts.iter().filter(|&&c| c == first).count();
        let score = consistent * 100 + first;
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, d: char) -> usize {
    let mut quoted = false;
    line.chars()
        .filter(|&c| {
            if c == '"' {
                quoted = !quoted;
            }
            !quoted && c == d
        })
        .count()
}

pub fn is_xlsx(file_name: &str, bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") && file_name.to_ascii_lowercase().ends_with(".xlsx")
}

/// Recognises an upload. XLSX: the first sheet becomes UTF-8 CSV (dates as ISO, numbers as written).
pub fn recognise(file_name: &str, bytes: Vec<u8>) -> Result<Recognised, AppError> {
    if bytes.is_empty() {
        return Err(field("file", Problem::EmptyFile));
    }
    if is_xlsx(file_name, &bytes) {
        let csv = xlsx_to_csv(&bytes)?;
        return Ok(Recognised { encoding: UTF_8, bytes: csv, delimiter: b',', label: "xlsx" });
    }
    let lower = file_name.to_ascii_lowercase();
    if !(lower.ends_with(".csv") || lower.ends_with(".txt") || lower.ends_with(".tsv"))
        || bytes.starts_with(b"PK\x03\x04")
        || bytes.contains(&0)
    {
        return Err(field("file", Problem::FileTypeNotAllowed));
    }
    let encoding = detect_encoding(&bytes);
    let label = if encoding == UTF_8 {
        "UTF-8"
    } else if encoding == WINDOWS_1250 {
        "Windows-1250"
    } else if encoding == WINDOWS_1252 {
        "Windows-1252"
    } else {
        "UTF-16"
    };
    // Stored as UTF-8 whatever it came in, so every later step reads one encoding.
    let bytes = encoding.decode(&bytes).0.into_owned().into_bytes();
    let delimiter = detect_delimiter(std::str::from_utf8(&bytes[..floor_char(&bytes, 64 * 1024)]).unwrap_or(""));
    Ok(Recognised { encoding, bytes, delimiter, label })
}

/// The largest index ≤ `max` that does not split a UTF-8 character.
fn floor_char(bytes: &[u8], max: usize) -> usize {
    let mut i = bytes.len().min(max);
    while i > 0 && i < bytes.len() && (bytes[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    i
}

/// The most columns a spreadsheet's sheet may span: no import has half as many fields, and a sheet that
/// claims more (a used area of `A1:XFD1048576`) is refused before anything is laid out.
pub const MAX_COLUMNS: u32 = 1_000;

/// The most a spreadsheet may unpack to: four times the upload limit, at least 64 MB. An XLSX is a
/// zip of XML, and XML compresses up to a thousand times.
pub fn max_unpacked_bytes() -> usize {
    (super::max_bytes() * 4).max(64 << 20)
}

/// Unpacks every entry of the archive without keeping it, counting the bytes: the sizes an archive
/// declares can lie, what comes out of the decompressor cannot. Refuses past `limit`.
fn check_unpacked(bytes: &[u8], limit: usize) -> Result<(), AppError> {
    use std::io::Read;
    let not_xlsx = |_| field("file", Problem::FileTypeNotAllowed);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(not_xlsx)?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(not_xlsx)?;
        let room = (limit as u64).saturating_sub(total) + 1;
        total += std::io::copy(&mut entry.take(room), &mut std::io::sink()).map_err(|_| field("file", Problem::FileTypeNotAllowed))?;
        if total > limit as u64 {
            return Err(field("file", Problem::UnpacksTooLarge((limit >> 20) as i64)));
        }
    }
    Ok(())
}

/// A cell's text as the CSV gets it.
fn cell_text(c: &calamine::DataRef) -> String {
    use calamine::DataRef;
    match c {
        DataRef::Empty | DataRef::Error(_) => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => b.to_string(),
        // Excel counts days from 1899-12-30; a date cell becomes an ISO date.
        DataRef::DateTime(d) => chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|base| base.checked_add_signed(chrono::Duration::days(d.as_f64().floor() as i64)))
            .map(|x| x.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
    }
}

/// The first sheet as CSV, read cell by cell: only cells with a value are kept (never rows × columns of
/// the area a sheet claims); the CSV spans the used columns, every row as wide, and blank rows are left
/// out.
fn xlsx_to_csv(bytes: &[u8]) -> Result<Vec<u8>, AppError> {
    use calamine::{Reader, Xlsx};
    let limit = max_unpacked_bytes();
    check_unpacked(bytes, limit)?;
    let not_xlsx = |_| field("file", Problem::FileTypeNotAllowed);
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(not_xlsx)?;
    let sheet = book.sheet_names().into_iter().next().ok_or_else(|| field("file", Problem::EmptyFile))?;
    let mut cells = book.worksheet_cells_reader(&sheet).map_err(not_xlsx)?;
    let mut rows: Vec<Vec<(u32, String)>> = Vec::new();
    let mut row_at = None;
    let (mut first_col, mut last_col) = (u32::MAX, 0u32);
    // What the cells hold once laid out: a shared string counts each time a cell repeats it.
    let mut kept = 0usize;
    while let Some(cell) = cells.next_cell().map_err(not_xlsx)? {
        let text = cell_text(cell.get_value());
        if text.trim().is_empty() {
            continue;
        }
        kept += text.len() + 1;
        if kept > limit {
            return Err(field("file", Problem::UnpacksTooLarge((limit >> 20) as i64)));
        }
        let (r, c) = cell.get_position();
        (first_col, last_col) = (first_col.min(c), last_col.max(c));
        if last_col - first_col >= MAX_COLUMNS {
            return Err(field("file", Problem::TooManyColumns(MAX_COLUMNS as i64)));
        }
        if row_at != Some(r) {
            rows.push(Vec::new());
            row_at = Some(r);
        }
        rows.last_mut().expect("a row was pushed").push((c, text));
    }
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for row in rows {
        let mut record = vec![String::new(); (last_col - first_col + 1) as usize];
        for (c, text) in row {
            record[(c - first_col) as usize] = text;
        }
        w.write_record(&record).map_err(|_| AppError::Internal)?;
        if w.get_ref().len() > limit {
            return Err(field("file", Problem::UnpacksTooLarge((limit >> 20) as i64)));
        }
    }
    w.into_inner().map_err(|_| AppError::Internal)
}

/// Stores the recognised text in chunks.
pub async fn store(tx: &mut Tx, import_id: i64, bytes: &[u8]) -> Result<(), AppError> {
    for (seq, chunk) in bytes.chunks(CHUNK_BYTES).enumerate() {
        sqlx::query("INSERT INTO import_chunks (import_id, seq, content) VALUES ($1, $2, $3)")
            .bind(import_id)
            .bind(seq as i64)
            .bind(chunk.to_vec())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The rows of a stored file (UTF-8), one at a time: chunks are fetched as needed (a character split
/// between chunks is joined) and parsed as CSV (quotes, delimiters and line breaks inside quotes).
pub struct Rows<'a> {
    db: &'a Db,
    import_id: i64,
    next_seq: i64,
    decoder: encoding_rs::Decoder,
    parser: csv_core::Reader,
    input: Vec<u8>,
    pos: usize,
    input_done: bool,
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl<'a> Rows<'a> {
    pub fn new(db: &'a Db, import_id: i64, delimiter: u8) -> Rows<'a> {
        Rows {
            db,
            import_id,
            next_seq: 0,
            decoder: UTF_8.new_decoder_with_bom_removal(),
            parser: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            input: Vec::new(),
            pos: 0,
            input_done: false,
            out: vec![0; 4096],
            ends: vec![0; 64],
        }
    }

    async fn refill(&mut self) -> Result<(), AppError> {
        let row = sqlx::query("SELECT content FROM import_chunks WHERE import_id = $1 AND seq = $2")
            .bind(self.import_id)
            .bind(self.next_seq)
            .fetch_optional(&self.db.pool)
            .await?;
        self.input.clear();
        self.pos = 0;
        match row {
            Some(r) => {
                let bytes: Vec<u8> = r.try_get("content")?;
                self.next_seq += 1;
                let mut text = String::with_capacity(bytes.len() + bytes.len() / 2 + 16);
                let _ = self.decoder.decode_to_string(&bytes, &mut text, false);
                if text.capacity() - text.len() < 16 {
                    text.reserve(64);
                }
                self.input = text.into_bytes();
            }
            None => {
                let mut text = String::with_capacity(16);
                let _ = self.decoder.decode_to_string(&[], &mut text, true);
                self.input = text.into_bytes();
                self.input_done = true;
            }
        }
        Ok(())
    }

    /// The next row's cells, or `None` at the end of the file.
    pub async fn next(&mut self) -> Result<Option<Vec<String>>, AppError> {
        let (mut out_len, mut ends_len) = (0usize, 0usize);
        loop {
            if self.pos >= self.input.len() && !self.input_done {
                self.refill().await?;
                continue;
            }
            let input = &self.input[self.pos..];
            let (res, nin, nout, nend) = self.parser.read_record(input, &mut self.out[out_len..], &mut self.ends[ends_len..]);
            self.pos += nin;
            out_len += nout;
            ends_len += nend;
            use csv_core::ReadRecordResult::*;
            match res {
                InputEmpty => {
                    if self.input_done && self.pos >= self.input.len() {
                        // Empty input tells the parser the data ended; the next call returns the last record.
                        continue;
                    }
                }
                OutputFull => self.out.resize(self.out.len() * 2, 0),
                OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                Record => {
                    let mut cells = Vec::with_capacity(ends_len);
                    let mut start = 0;
                    for &end in &self.ends[..ends_len] {
                        cells.push(String::from_utf8_lossy(&self.out[start..end]).into_owned());
                        start = end;
                    }
                    return Ok(Some(cells));
                }
                End => return Ok(None),
            }
        }
    }

    /// The next row that is not blank.
    pub async fn next_nonblank(&mut self) -> Result<Option<Vec<String>>, AppError> {
        loop {
            match self.next().await? {
                Some(cells) if cells.iter().all(|c| c.trim().is_empty()) => continue,
                other => return Ok(other),
            }
        }
    }

    /// The next `n` rows that are not blank (fewer at the end of the file), numbered on from `last_row`,
    /// which is moved to the last one read.
    pub async fn next_batch(&mut self, n: usize, last_row: &mut i64) -> Result<Vec<(i64, Vec<String>)>, AppError> {
        let mut batch = Vec::with_capacity(n);
        while batch.len() < n {
            match self.next_nonblank().await? {
                Some(r) => {
                    *last_row += 1;
                    batch.push((*last_row, r));
                }
                None => break,
            }
        }
        Ok(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(detect_encoding("Čačak;Niš".as_bytes()), UTF_8);
        let (cp1250, _, _) = WINDOWS_1250.encode("Čačak;Đorđević;Ćuprija");
        assert_eq!(detect_encoding(&cp1250), WINDOWS_1250);
        let (cp1252, _, _) = WINDOWS_1252.encode("Française;Açores;crème brûlée à la");
        assert_eq!(detect_encoding(&cp1252), WINDOWS_1252);
        assert_eq!(detect_encoding(b"\xEF\xBB\xBFName"), UTF_8);
    }

    #[test]
    fn delimiters() {
        assert_eq!(detect_delimiter("a;b;c\n1;2;3\n"), b';');
        assert_eq!(detect_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(detect_delimiter("a\tb\n1\t2\n"), b'\t');
        // Commas inside quotes and a decimal comma do not fool it.
        assert_eq!(detect_delimiter("naziv;iznos\n\"Mlekara, Šabac\";1,5\nDelta;2,5\n"), b';');
    }

    #[test]
    fn xlsx_becomes_csv() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Naziv firme").unwrap();
        sheet.write_string(0, 1, "PIB").unwrap();
        sheet.write_string(0, 2, "Osnovana").unwrap();
        sheet.write_string(1, 0, "Mlekara, Šabac").unwrap();
        sheet.write_number(1, 1, 100002887.0).unwrap();
        let date = ExcelDateTime::from_ymd(2026, 11, 27).unwrap();
        sheet.write_datetime_with_format(1, 2, &date, &Format::new().set_num_format("dd.mm.yyyy")).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let r = recognise("kupci.xlsx", bytes).unwrap();
        assert_eq!((r.label, r.delimiter), ("xlsx", b','));
        assert_eq!(String::from_utf8(r.bytes).unwrap(), "Naziv firme,PIB,Osnovana\n\"Mlekara, Šabac\",100002887,2026-11-27\n");
        // A sheet starting at C3 starts the CSV at its first used column, as Excel shows it.
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(2, 2, "Naziv").unwrap();
        sheet.write_string(3, 3, "Grad").unwrap();
        let r = recognise("pomereno.xlsx", book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(String::from_utf8(r.bytes).unwrap(), "Naziv,\n,Grad\n");
        // A zip that is not a spreadsheet is refused.
        assert!(matches!(
            recognise("x.xlsx", b"PK\x03\x04junk".to_vec()),
            Err(AppError::Validation { problem: Problem::FileTypeNotAllowed, .. })
        ));
    }

    #[test]
    fn file_types() {
        assert!(matches!(recognise("a.csv", vec![]), Err(AppError::Validation { problem: Problem::EmptyFile, .. })));
        assert!(matches!(recognise("a.exe", b"MZ".to_vec()), Err(AppError::Validation { problem: Problem::FileTypeNotAllowed, .. })));
        let r = recognise("a.csv", b"\xEF\xBB\xBFime;prezime\nAna;Mari\xC4\x87\n".to_vec()).unwrap();
        assert_eq!((r.label, r.delimiter), ("UTF-8", b';'));
    }

    /// A 1.6 KB workbook whose sheet spans A1:XFD1048576 (cells only in the two corners) once made the
    /// reader lay out every cell of that area, and the server grew until the kernel killed it. Now it
    /// is refused, at once, naming the limit.
    #[test]
    fn a_sheet_spanning_every_column_is_refused_without_laying_it_out() {
        use rust_xlsxwriter::Workbook;
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "a").unwrap();
        sheet.write_string(1_048_575, 16_383, "z").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert!(bytes.len() < 10_000);
        assert_eq!(
            recognise("bomba.xlsx", bytes).unwrap_err(),
            AppError::Validation { field: "file".into(), problem: Problem::TooManyColumns(MAX_COLUMNS as i64) }
        );
        // The last row of a sheet is fine when its columns are.
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Naziv").unwrap();
        sheet.write_string(1_048_575, 0, "Poslednja d.o.o.").unwrap();
        let r = recognise("dugacak.xlsx", book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(String::from_utf8(r.bytes).unwrap(), "Naziv\nPoslednja d.o.o.\n");
    }

    /// An archive that unpacks to more than the limit is refused by what comes out of it, whatever it
    /// declares.
    #[test]
    fn an_archive_that_unpacks_past_the_limit_is_refused() {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/sharedStrings.xml", options).unwrap();
        zip.write_all(&vec![b'a'; 3 << 20]).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert!(bytes.len() < 100_000, "it compresses: {}", bytes.len());
        assert_eq!(
            check_unpacked(&bytes, 1 << 20).unwrap_err(),
            AppError::Validation { field: "file".into(), problem: Problem::UnpacksTooLarge(1) }
        );
        assert_eq!(check_unpacked(&bytes, 4 << 20), Ok(()));
    }
}
