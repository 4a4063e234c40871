//! Import of spreadsheets: what can be imported, which columns map to which fields (matched from English
//! and Serbian headers), the switches of normalization, and what the import pages show (preview rows with
//! before → after, duplicate groups with the user's decision, progress and outcome).

use super::text::search_key;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportEntity {
    Account,
    Contact,
    Lead,
    Product,
    Opportunity,
    Activity,
}

impl ImportEntity {
    pub const ALL: [ImportEntity; 6] = [
        ImportEntity::Account,
        ImportEntity::Contact,
        ImportEntity::Lead,
        ImportEntity::Product,
        ImportEntity::Opportunity,
        ImportEntity::Activity,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ImportEntity::Account => "account",
            ImportEntity::Contact => "contact",
            ImportEntity::Lead => "lead",
            ImportEntity::Product => "product",
            ImportEntity::Opportunity => "opportunity",
            ImportEntity::Activity => "activity",
        }
    }

    /// The alias its table has in queries.
    pub fn alias(self) -> &'static str {
        match self {
            ImportEntity::Account => "a",
            ImportEntity::Contact => "c",
            ImportEntity::Lead => "l",
            ImportEntity::Product => "p",
            ImportEntity::Opportunity => "o",
            ImportEntity::Activity => "act",
        }
    }

    /// The columns whose equal values make two records the same (each indexed, and stored normalized by
    /// every form: e-mails lower-case, PIB and MB as digits, product codes as written).
    pub fn exact_columns(self) -> &'static [&'static str] {
        match self {
            ImportEntity::Account => &["email", "pib", "mb"],
            ImportEntity::Contact => &["email"],
            ImportEntity::Lead => &["email", "pib"],
            ImportEntity::Product => &["code"],
            // A deal is the same deal by its name at its account (a key of its own).
            ImportEntity::Opportunity => &[],
            // An activity is the same one by its kind, start, subject and account (a key of its own).
            ImportEntity::Activity => &[],
        }
    }

    /// The table its records live in.
    pub fn table(self) -> &'static str {
        match self {
            ImportEntity::Account => "accounts",
            ImportEntity::Contact => "contacts",
            ImportEntity::Lead => "leads",
            ImportEntity::Product => "products",
            ImportEntity::Opportunity => "opportunities",
            ImportEntity::Activity => "activities",
        }
    }

    pub fn parse(s: &str) -> Option<ImportEntity> {
        Self::ALL.into_iter().find(|e| e.code() == s)
    }

    /// The fields a column can be mapped to, in form order; the first ones are required.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            ImportEntity::Account => &[
                "name", "types", "category", "industry", "region", "city", "address", "phone", "email", "website", "pib", "mb", "notes",
                "owner", "inactive",
            ],
            ImportEntity::Contact => &[
                "first_name",
                "last_name",
                "full_name",
                "account",
                "job_title",
                "buying_role",
                "email",
                "phone",
                "mobile",
                "owner",
                "do_not_email",
                "do_not_call",
                "do_not_mail",
            ],
            ImportEntity::Lead => &[
                "company",
                "first_name",
                "last_name",
                "full_name",
                "title",
                "email",
                "phone",
                "city",
                "region",
                "pib",
                "source",
                "rating",
                "estimated",
                "currency",
                "notes",
                "owner",
                "do_not_email",
                "do_not_call",
                "do_not_mail",
            ],
            ImportEntity::Product => &["code", "name", "family", "unit", "list_price", "currency", "unit_cost", "active"],
            ImportEntity::Opportunity => &[
                "name",
                "account",
                "close_date",
                "stage",
                "probability",
                "amount",
                "currency",
                "contact",
                "source",
                "description",
                "forecast_category",
                "owner",
            ],
            ImportEntity::Activity => &[
                "kind",
                "subject",
                "starts_at",
                "ends_at",
                "completed",
                "account",
                "contact",
                "direction",
                "outcome",
                "location",
                "description",
                "priority",
                "owner",
            ],
        }
    }

    /// Fields that are read from the file but are not columns of the record as such (a full name is
    /// split; types and the account are related rows): they take no part in field-by-field updates.
    /// An activity keeps what it is about and its status (completing is a step of its own).
    pub fn compared_fields(self) -> Vec<&'static str> {
        let skip = |f: &str| match self {
            ImportEntity::Activity => matches!(f, "account" | "contact" | "completed"),
            _ => matches!(f, "full_name" | "types" | "account"),
        };
        self.fields().iter().copied().filter(|f| !skip(f)).collect()
    }

    /// Whether `field` is a yes/no flag kept as "1" or "0" (contact preferences, an inactive account): a
    /// record's flag that is not set counts as empty, so that "fill empty fields" sets it from a "yes"
    /// and only "overwrite" clears it with a "no".
    pub fn is_flag(field: &str) -> bool {
        matches!(field, "do_not_email" | "do_not_call" | "do_not_mail" | "inactive")
    }

    /// Fields a row must have (after mapping): an account needs a name; a contact a first and last name,
    /// or a full name that is split.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            ImportEntity::Account => &["name"],
            ImportEntity::Contact => &["last_name"],
            // A lead is a company or a person: the lead form's own check says which is missing.
            ImportEntity::Lead => &[],
            ImportEntity::Product => &["code", "name", "family", "unit", "list_price"],
            ImportEntity::Opportunity => &["name", "account", "close_date"],
            // An activity is about an account or a contact: the row's check says which is missing.
            ImportEntity::Activity => &["kind", "subject", "starts_at"],
        }
    }
}

/// Header spellings that map to a field, folded like search keys (case, diacritics and Cyrillic ignored).
fn synonyms(entity: ImportEntity, field: &str) -> &'static [&'static str] {
    match (entity, field) {
        (ImportEntity::Account, "name") => &[
            "name",
            "account",
            "account name",
            "company",
            "company name",
            "naziv",
            "naziv firme",
            "firma",
            "kompanija",
            "preduzece",
            "klijent",
            "kupac",
            "poslovni partner",
        ],
        (ImportEntity::Account, "types") => &["type", "types", "relationship", "tip", "vrsta", "odnos", "tip klijenta"],
        (ImportEntity::Contact, "account") => {
            &["account", "account name", "company", "company name", "firma", "kompanija", "preduzece", "naziv firme", "klijent", "kupac"]
        }
        (_, "category") => &["category", "kategorija", "klasa", "rang"],
        (_, "industry") => &["industry", "delatnost", "industrija", "bransa", "sektor"],
        (_, "region") => &["region", "regija", "region prodaje", "okrug", "oblast", "teritorija"],
        (_, "city") => &["city", "town", "grad", "mesto", "opstina", "sediste"],
        (_, "address") => &["address", "street", "adresa", "ulica", "adresa sedista"],
        (_, "phone") => &["phone", "telephone", "tel", "telefon", "fiksni", "fiksni telefon", "broj telefona", "phone number"],
        (_, "mobile") => &["mobile", "mobile phone", "cell", "mob", "mobilni", "mobilni telefon", "mobitel"],
        (_, "email") => &["email", "e-mail", "e mail", "mail", "email address", "e-posta", "elektronska posta", "imejl", "adresa e-poste"],
        (_, "website") => &["website", "web", "web site", "www", "url", "sajt", "veb sajt", "internet stranica"],
        (_, "pib") => &["pib", "tax id", "vat", "vat number", "poreski broj", "poreski identifikacioni broj"],
        (_, "mb") => &["mb", "maticni broj", "registration number", "company number", "reg no", "mbr"],
        (_, "notes") => &["notes", "note", "comment", "comments", "napomena", "napomene", "beleske", "komentar", "opis"],
        (_, "owner") => {
            &["owner", "owner email", "account owner", "salesperson", "vlasnik", "prodavac", "komercijalista", "zaduzen", "odgovorno lice"]
        }
        (_, "first_name") => &["first name", "firstname", "given name", "ime"],
        (_, "last_name") => &["last name", "lastname", "surname", "family name", "prezime"],
        (_, "full_name") => &["name", "full name", "contact", "contact name", "ime i prezime", "kontakt", "kontakt osoba"],
        (_, "job_title") => &["title", "job title", "position", "role title", "pozicija", "funkcija", "radno mesto", "zvanje", "titula"],
        (_, "buying_role") => &["buying role", "role", "uloga", "uloga u kupovini"],
        (ImportEntity::Lead, "company") => {
            &["company", "company name", "account", "account name", "organization", "firma", "kompanija", "preduzece", "naziv firme"]
        }
        (ImportEntity::Lead, "title") => &["title", "job title", "position", "pozicija", "funkcija", "radno mesto", "zvanje"],
        (ImportEntity::Lead, "source") => &["source", "lead source", "izvor", "izvor kontakta", "kanal", "odakle"],
        (ImportEntity::Lead, "rating") => &["rating", "temperature", "ocena", "procena", "toplina", "status interesa"],
        (ImportEntity::Lead, "estimated") => {
            &["estimated value", "estimate", "value", "potential", "procenjena vrednost", "procena vrednosti", "vrednost", "potencijal"]
        }
        (_, "currency") => &["currency", "curr", "valuta"],
        (ImportEntity::Product, "code") => {
            &["code", "product code", "sku", "item code", "article", "sifra", "sifra artikla", "sifra proizvoda", "kod"]
        }
        (ImportEntity::Product, "name") => {
            &["name", "product", "product name", "item", "naziv", "naziv artikla", "naziv proizvoda", "artikal", "proizvod"]
        }
        (ImportEntity::Product, "family") => {
            &["family", "product family", "group", "category", "grupa", "grupa proizvoda", "porodica", "kategorija"]
        }
        (ImportEntity::Product, "unit") => &["unit", "uom", "unit of measure", "jm", "jedinica mere", "jedinica", "j mere"],
        (ImportEntity::Product, "list_price") => {
            &["list price", "price", "unit price", "cena", "cenovnik", "prodajna cena", "cena bez pdv", "vp cena", "veleprodajna cena"]
        }
        (ImportEntity::Product, "unit_cost") => &["unit cost", "cost", "purchase price", "nabavna cena", "trosak", "cena kostanja"],
        (ImportEntity::Opportunity, "name") => {
            &["name", "opportunity", "opportunity name", "deal", "deal name", "prilika", "naziv prilike", "posao", "naziv posla", "predmet"]
        }
        (ImportEntity::Opportunity, "account") => {
            &["account", "account name", "customer", "company", "kupac", "klijent", "firma", "kompanija", "naziv firme", "nalogodavac"]
        }
        (ImportEntity::Opportunity, "close_date") => {
            &["close date", "expected close", "closing date", "datum zatvaranja", "ocekivano zatvaranje", "rok", "datum"]
        }
        (ImportEntity::Opportunity, "stage") => &["stage", "sales stage", "phase", "faza", "faza prodaje", "status", "korak"],
        (ImportEntity::Opportunity, "probability") => &["probability", "probability %", "chance", "verovatnoca", "sansa", "izgledi"],
        (ImportEntity::Opportunity, "amount") => {
            &["amount", "value", "deal value", "iznos", "vrednost", "vrednost posla", "procenjena vrednost"]
        }
        (ImportEntity::Opportunity, "contact") => {
            &["contact", "contact email", "primary contact", "kontakt", "kontakt osoba", "e-mail kontakta", "email kontakta"]
        }
        (ImportEntity::Opportunity, "source") => &["source", "lead source", "izvor", "kanal"],
        (ImportEntity::Opportunity, "description") => &["description", "notes", "details", "opis", "napomena", "beleske"],
        (ImportEntity::Opportunity, "forecast_category") => &["forecast category", "forecast", "kategorija prognoze", "prognoza"],
        (ImportEntity::Activity, "kind") => &["kind", "type", "activity type", "vrsta", "tip", "vrsta aktivnosti", "aktivnost"],
        (ImportEntity::Activity, "subject") => &["subject", "title", "topic", "naslov", "tema", "predmet"],
        (ImportEntity::Activity, "starts_at") => {
            &["date", "start", "starts", "starts at", "when", "date and time", "datum", "vreme", "pocetak", "datum i vreme", "termin"]
        }
        (ImportEntity::Activity, "ends_at") => &["end", "ends", "ends at", "kraj", "zavrsetak", "do"],
        (ImportEntity::Activity, "completed") => &["done", "completed", "status", "zavrseno", "obavljeno", "uradjeno"],
        (ImportEntity::Activity, "account") => {
            &["account", "account name", "customer", "company", "kupac", "klijent", "firma", "kompanija", "naziv firme"]
        }
        (ImportEntity::Activity, "contact") => &["contact", "contact email", "kontakt", "kontakt osoba", "e-mail kontakta", "email"],
        (ImportEntity::Activity, "direction") => &["direction", "smer", "dolazni/odlazni"],
        (ImportEntity::Activity, "outcome") => &["outcome", "result", "ishod", "rezultat", "zakljucak"],
        (ImportEntity::Activity, "location") => &["location", "place", "mesto", "lokacija", "adresa"],
        (ImportEntity::Activity, "description") => &["description", "notes", "details", "opis", "napomena", "beleske"],
        (ImportEntity::Activity, "priority") => &["priority", "prioritet", "vaznost", "hitnost"],
        (ImportEntity::Product, "active") => &["active", "status", "aktivan", "u prodaji", "aktivno"],
        (_, "do_not_email") => &[
            "do not email",
            "do not e-mail",
            "dont email",
            "no email",
            "email opt out",
            "ne slati e-postu",
            "ne slati email",
            "ne slati mejl",
            "bez e-poste",
            "bez emaila",
        ],
        (_, "do_not_call") => &["do not call", "dont call", "no calls", "no call", "ne zvati", "ne pozivati", "bez poziva"],
        (_, "do_not_mail") => &["do not mail", "do not send mail", "no mail", "no post", "ne slati postu", "bez poste"],
        (ImportEntity::Account, "inactive") => &["inactive", "neaktivan", "neaktivna", "neaktivno", "ne saradjujemo"],
        _ => &[],
    }
}

/// Guesses the field of each column from its header; a field is given to one column at most (the first).
pub fn auto_map(entity: ImportEntity, headers: &[String]) -> Vec<String> {
    let mut used: Vec<&str> = Vec::new();
    headers
        .iter()
        .map(|h| {
            let key = search_key(h.trim().trim_end_matches(['*', ':']).trim());
            let key = key.replace(['_', '.'], " ");
            let key = key.split_whitespace().collect::<Vec<_>>().join(" ");
            let found = entity.fields().iter().find(|f| !used.contains(*f) && (**f == key || synonyms(entity, f).contains(&key.as_str())));
            match found {
                Some(f) => {
                    used.push(f);
                    f.to_string()
                }
                None => String::new(),
            }
        })
        .collect()
}

/// The normalization switches of one import; all on by default except the Cyrillic conversion. (Which
/// keys find duplicates, and from which similarity, is set by the duplicate rules.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportOptions {
    pub spaces: bool,
    pub proper_case: bool,
    pub emails: bool,
    pub phones: bool,
    pub cities: bool,
    pub cyrillic: bool,
    /// Contacts: a company a row names that is not in Veza is created with its people (a typical export
    /// from Excel has the company and the person on each row).
    pub create_accounts: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions { spaces: true, proper_case: true, emails: true, phones: true, cities: true, cyrillic: false, create_accounts: true }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportStatus {
    /// Uploaded, waiting for the mapping.
    Mapping,
    Analyzing,
    /// Analysed: the preview and duplicate groups wait for the user.
    Review,
    Running,
    Done,
    Failed,
    Undone,
}

impl ImportStatus {
    pub const ALL: [ImportStatus; 7] = [
        ImportStatus::Mapping,
        ImportStatus::Analyzing,
        ImportStatus::Review,
        ImportStatus::Running,
        ImportStatus::Done,
        ImportStatus::Failed,
        ImportStatus::Undone,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ImportStatus::Mapping => "mapping",
            ImportStatus::Analyzing => "analyzing",
            ImportStatus::Review => "review",
            ImportStatus::Running => "running",
            ImportStatus::Done => "done",
            ImportStatus::Failed => "failed",
            ImportStatus::Undone => "undone",
        }
    }

    pub fn parse(s: &str) -> Option<ImportStatus> {
        Self::ALL.into_iter().find(|e| e.code() == s)
    }

    /// A background job works on it (the page polls its progress).
    pub fn busy(self) -> bool {
        matches!(self, ImportStatus::Analyzing | ImportStatus::Running)
    }
}

/// What is done with a group of rows that look like the same record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    /// Nothing of the later rows is written (the existing record, or the group's first row, stays).
    Skip,
    /// The existing record (or the record made from the group's first row) takes the rows' values, field
    /// by field as the policies say.
    Update,
    /// Every row becomes a record of its own.
    Create,
}

impl Decision {
    pub const ALL: [Decision; 3] = [Decision::Update, Decision::Skip, Decision::Create];

    pub fn code(self) -> &'static str {
        match self {
            Decision::Skip => "skip",
            Decision::Update => "update",
            Decision::Create => "create",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        Self::ALL.into_iter().find(|e| e.code() == s)
    }
}

/// Per field, when updating: keep the existing value, overwrite it, or fill it only where it is empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldPolicy {
    Keep,
    Overwrite,
    FillEmpty,
}

impl FieldPolicy {
    pub const ALL: [FieldPolicy; 3] = [FieldPolicy::FillEmpty, FieldPolicy::Overwrite, FieldPolicy::Keep];

    pub fn code(self) -> &'static str {
        match self {
            FieldPolicy::Keep => "keep",
            FieldPolicy::Overwrite => "overwrite",
            FieldPolicy::FillEmpty => "fill",
        }
    }

    pub fn parse(s: &str) -> Option<FieldPolicy> {
        Self::ALL.into_iter().find(|e| e.code() == s)
    }

    /// The value a field gets: `existing` as it is, `incoming` from the file (empty values never erase).
    pub fn apply(self, existing: Option<&str>, incoming: Option<&str>) -> Option<String> {
        let existing = existing.filter(|s| !s.is_empty());
        let incoming = incoming.filter(|s| !s.is_empty());
        match self {
            FieldPolicy::Keep => existing.map(str::to_string),
            FieldPolicy::Overwrite => incoming.or(existing).map(str::to_string),
            FieldPolicy::FillEmpty => existing.or(incoming).map(str::to_string),
        }
    }
}

/// One import as lists and the progress bar show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub id: i64,
    pub entity: ImportEntity,
    pub file_name: String,
    pub encoding: String,
    pub status: ImportStatus,
    pub total_rows: i64,
    /// Rows analysed (while analysing) or written (while running).
    pub rows_done: i64,
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub rejected: i64,
    pub groups: i64,
    /// Why it failed (a message for the user, never an internal error text).
    pub error: Option<String>,
    pub created_by_name: String,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub version: i64,
}

impl ImportSummary {
    pub fn percent(&self) -> i64 {
        if self.total_rows <= 0 {
            return if matches!(self.status, ImportStatus::Done | ImportStatus::Review) { 100 } else { 0 };
        }
        (self.rows_done * 100 / self.total_rows).clamp(0, 100)
    }
}

/// The mapping step: the file's columns with sample values and the field chosen for each.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MappingView {
    pub import: ImportSummary,
    pub headers: Vec<String>,
    pub samples: Vec<Vec<String>>,
    pub mapping: Vec<String>,
    pub options: ImportOptions,
    pub saved: Vec<SavedMapping>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedMapping {
    pub id: i64,
    pub name: String,
}

/// A cell's value before and after normalization, and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellView {
    pub field: String,
    pub before: String,
    pub after: String,
    /// What is wrong with the value, when it is refused.
    pub problem: Option<crate::error::Problem>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowView {
    pub row_no: i64,
    pub cells: Vec<CellView>,
    pub rejected: bool,
    pub group: Option<i64>,
}

/// A set of rows (and possibly one existing record) that look like the same thing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DuplicateGroup {
    pub group: i64,
    /// How they matched: "email", "pib", "mb", "phone", "name" (fuzzy, with the similarity).
    pub matched_by: String,
    pub similarity: u8,
    pub existing_id: Option<i64>,
    pub existing_label: Option<String>,
    /// Field, existing value, then the values of each row in the group.
    pub fields: Vec<(String, Option<String>, Vec<String>)>,
    pub rows: Vec<i64>,
    pub decision: Decision,
    pub policies: Vec<(String, FieldPolicy)>,
    /// What the group may be the same as, found only by a similar name: kept apart unless joined.
    pub suggestion: Option<Suggestion>,
}

/// A record a group of rows may be the same as, found only by a similar name (no identifier agrees, none
/// differs): an existing record or an earlier group of the file. The default is to keep them apart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub existing_id: Option<i64>,
    /// The existing record's name, or the name in the earlier group's first row.
    pub label: String,
    /// The earlier group's rows (empty for an existing record).
    pub rows: Vec<i64>,
    pub similarity: u8,
    pub joined: bool,
}

/// The companies a contacts import will create (they are not in Veza): how many, and the first names.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewAccounts {
    pub count: i64,
    pub names: Vec<String>,
}

/// Where a finished import's rows went: how many distinct records the file held, how many of them were
/// created, which existing records were updated (or left alone for a skipped row), and what was rejected.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub distinct: i64,
    pub created: i64,
    pub updated_existing: i64,
    pub skipped_existing: i64,
    pub rejected: i64,
    /// The existing records the rows went to (the first 200), each with its rows.
    pub existing: Vec<ExistingOutcome>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExistingOutcome {
    pub id: i64,
    pub label: String,
    pub rows: Vec<i64>,
    /// Only skipped rows named it: it was left as it was.
    pub skipped: bool,
}

/// The review step: the first rows with their normalization, the rejected rows and the duplicate groups.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreviewView {
    pub import: ImportSummary,
    pub fields: Vec<String>,
    pub rows: Vec<RowView>,
    pub rejects: Vec<RowView>,
    pub groups: Vec<DuplicateGroup>,
    pub can_undo: bool,
    /// Once the import is done: where its rows went.
    pub outcome: Option<ImportOutcome>,
    /// A contacts import: the companies it creates.
    pub new_accounts: Option<NewAccounts>,
}

/// Everything the import page shows at its current step (one request, so the page renders and hydrates
/// from one answer): the mapping while columns are mapped, the preview once analysed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportPageData {
    pub summary: ImportSummary,
    pub mapping: Option<MappingView>,
    pub preview: Option<PreviewView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_map_in_both_languages() {
        let h: Vec<String> = ["Naziv firme", "PIB", "Matični broj", "Grad", "E-mail", "Telefon", "Napomena", "Nešto treće"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(auto_map(ImportEntity::Account, &h), ["name", "pib", "mb", "city", "email", "phone", "notes", ""]);
        let h: Vec<String> =
            ["First Name", "Last Name", "Company", "E-Mail", "Mobile", "Job Title", "Owner"].iter().map(|s| s.to_string()).collect();
        assert_eq!(auto_map(ImportEntity::Contact, &h), ["first_name", "last_name", "account", "email", "mobile", "job_title", "owner"]);
        let h: Vec<String> = ["ИМЕ", "Prezime", "Email", "email"].iter().map(|s| s.to_string()).collect();
        assert_eq!(auto_map(ImportEntity::Contact, &h), ["first_name", "last_name", "email", ""]);
        let h: Vec<String> =
            ["Firma", "Ime i prezime", "Izvor", "Ocena", "Procenjena vrednost", "Telefon"].iter().map(|s| s.to_string()).collect();
        assert_eq!(auto_map(ImportEntity::Lead, &h), ["company", "full_name", "source", "rating", "estimated", "phone"]);
        let h: Vec<String> =
            ["Šifra artikla", "Naziv", "Grupa", "JM", "VP cena", "Nabavna cena", "Valuta"].iter().map(|s| s.to_string()).collect();
        assert_eq!(auto_map(ImportEntity::Product, &h), ["code", "name", "family", "unit", "list_price", "unit_cost", "currency"]);
        let h: Vec<String> =
            ["Naziv posla", "Kupac", "Faza", "Iznos", "Rok", "Verovatnoća", "Kontakt"].iter().map(|s| s.to_string()).collect();
        assert_eq!(auto_map(ImportEntity::Opportunity, &h), ["name", "account", "stage", "amount", "close_date", "probability", "contact"]);
        let h: Vec<String> = ["Vrsta", "Naslov", "Datum", "Firma", "Kontakt", "Ishod", "Obavljeno"].iter().map(|s| s.to_string()).collect();
        assert_eq!(auto_map(ImportEntity::Activity, &h), ["kind", "subject", "starts_at", "account", "contact", "outcome", "completed"]);
        let h: Vec<String> = ["Prezime", "Ne zvati", "Do not e-mail", "Ne slati poštu"].iter().map(|s| s.to_string()).collect();
        assert_eq!(auto_map(ImportEntity::Contact, &h), ["last_name", "do_not_call", "do_not_email", "do_not_mail"]);
        let h: Vec<String> = ["Naziv", "Neaktivan"].iter().map(|s| s.to_string()).collect();
        assert_eq!(auto_map(ImportEntity::Account, &h), ["name", "inactive"]);
    }

    #[test]
    fn field_policies() {
        assert_eq!(FieldPolicy::FillEmpty.apply(Some("a"), Some("b")).as_deref(), Some("a"));
        assert_eq!(FieldPolicy::FillEmpty.apply(None, Some("b")).as_deref(), Some("b"));
        assert_eq!(FieldPolicy::FillEmpty.apply(Some(""), Some("b")).as_deref(), Some("b"));
        assert_eq!(FieldPolicy::Overwrite.apply(Some("a"), Some("b")).as_deref(), Some("b"));
        assert_eq!(FieldPolicy::Overwrite.apply(Some("a"), None).as_deref(), Some("a"));
        assert_eq!(FieldPolicy::Keep.apply(None, Some("b")), None);
    }
}
