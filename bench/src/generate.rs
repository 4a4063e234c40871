//! The benchmark data set: a Serbian B2B distributor grown to scale — teams by region, managers and
//! salespeople, accounts with valid PIB/MB, contacts with e-mails and phones, opportunities over three
//! years (a small open pipeline, the rest won or lost). Deterministic: the same scale, seed and as-of
//! date give the same rows. Loaded in bulk: multi-row INSERTs in one transaction per table on SQLite,
//! `COPY … FROM STDIN` on Postgres.

use app::db::{Backend, Db};
use app::domain::ids::{mb_with_check, pib_with_check};
use app::domain::text::{search_key, search_text};
use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Row;
use std::time::Instant;

pub const PASSWORD: &str = "bench-lozinka";
pub const TEAMS: usize = 5;
pub const SALES_PER_TEAM: usize = 10;

/// How big the data set is.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Scale {
    pub contacts: i64,
    pub accounts: i64,
    pub opportunities: i64,
    pub open_opportunities: i64,
    pub activities: i64,
    /// Activities of the one busy account W8 opens (account 1).
    pub busy_account_activities: i64,
}

impl Scale {
    /// The issue's default: 1,000,000 contacts, 200,000 accounts, 1,000,000 opportunities of which 10,000
    /// open, 5,000,000 activities (5,000 of them on account 1).
    pub fn from_contacts(contacts: i64) -> Scale {
        Scale {
            contacts,
            accounts: (contacts / 5).max(1),
            opportunities: contacts,
            open_opportunities: (contacts / 100).max(1),
            activities: contacts * 5,
            busy_account_activities: 5_000.min(contacts * 5),
        }
    }
}

pub const REGIONS: [&str; TEAMS] = ["Beograd", "Vojvodina", "Šumadija", "Zapadna Srbija", "Južna Srbija"];
const CITIES: [&[&str]; TEAMS] = [
    &["Beograd", "Zemun", "Pančevo", "Obrenovac", "Smederevo"],
    &["Novi Sad", "Subotica", "Zrenjanin", "Sombor", "Sremska Mitrovica"],
    &["Kragujevac", "Jagodina", "Kraljevo", "Kruševac", "Čačak"],
    &["Užice", "Valjevo", "Šabac", "Loznica", "Novi Pazar"],
    &["Niš", "Leskovac", "Vranje", "Pirot", "Zaječar"],
];
const FIRST: [&str; 40] = [
    "Ana",
    "Marko",
    "Milica",
    "Nikola",
    "Jelena",
    "Stefan",
    "Marija",
    "Luka",
    "Jovana",
    "Nemanja",
    "Ivana",
    "Miloš",
    "Tamara",
    "Đorđe",
    "Dragana",
    "Vladimir",
    "Snežana",
    "Aleksandar",
    "Katarina",
    "Dušan",
    "Sanja",
    "Petar",
    "Maja",
    "Uroš",
    "Branka",
    "Zoran",
    "Gordana",
    "Dejan",
    "Ljiljana",
    "Goran",
    "Vesna",
    "Bojan",
    "Nataša",
    "Srđan",
    "Tijana",
    "Filip",
    "Mirjana",
    "Vuk",
    "Biljana",
    "Željko",
];
const LAST: [&str; 48] = [
    "Petrović",
    "Jovanović",
    "Nikolić",
    "Marković",
    "Đorđević",
    "Stojanović",
    "Ilić",
    "Stanković",
    "Pavlović",
    "Milošević",
    "Popović",
    "Kostić",
    "Simić",
    "Lukić",
    "Savić",
    "Živković",
    "Todorović",
    "Mitrović",
    "Ristić",
    "Šarić",
    "Kovačević",
    "Radović",
    "Vasić",
    "Tomić",
    "Obradović",
    "Janković",
    "Pešić",
    "Babić",
    "Filipović",
    "Ćirić",
    "Lazić",
    "Matić",
    "Božić",
    "Vuković",
    "Gajić",
    "Čolić",
    "Knežević",
    "Milenković",
    "Stevanović",
    "Mladenović",
    "Đurić",
    "Krstić",
    "Antić",
    "Ivanović",
    "Rakić",
    "Bogdanović",
    "Zečević",
    "Šević",
];
const COMPANY_A: [&str; 24] = [
    "Agro", "Metal", "Elektro", "Termo", "Hidro", "Auto", "Drvo", "Medi", "Euro", "Inter", "Gradnja", "Tehno", "Prom", "Trans", "Info",
    "Eko", "Pek", "Mlek", "Farm", "Plast", "Tekstil", "Papir", "Vino", "Bio",
];
const COMPANY_B: [&str; 16] = [
    "Trade",
    "Invest",
    "Servis",
    "Promet",
    "Kop",
    "Sistem",
    "Market",
    "Logistika",
    "Oprema",
    "Centar",
    "Komerc",
    "Plus",
    "Group",
    "Net",
    "Lab",
    "Dizajn",
];
const LEGAL: [&str; 4] = ["d.o.o.", "d.o.o.", "a.d.", "preduzetnik"];
const INDUSTRIES: [&str; 8] =
    ["maloprodaja", "veleprodaja", "proizvodnja", "građevina", "ugostiteljstvo", "zdravstvo", "poljoprivreda", "IT"];
const TITLES: [&str; 8] =
    ["direktor", "nabavka", "komercijalista", "finansije", "vlasnik", "menadžer prodaje", "tehnički direktor", "logistika"];
const ROLES: [&str; 4] = ["decision_maker", "influencer", "user", "other"];
const SOURCES: [&str; 6] = ["web", "sajam", "preporuka", "partner", "kampanja", "hladan poziv"];
const PRODUCTS: [&str; 10] = [
    "rashladne vitrine",
    "viljuškari",
    "kase i vage",
    "regali",
    "servisni ugovor",
    "softver",
    "ambalaža",
    "rasveta",
    "klima uređaji",
    "nameštaj",
];

/// A value of one generated column.
#[derive(Clone, Debug)]
pub enum V {
    I(i64),
    T(String),
    N,
}

impl From<i64> for V {
    fn from(v: i64) -> V {
        V::I(v)
    }
}
impl From<String> for V {
    fn from(v: String) -> V {
        V::T(v)
    }
}
impl From<&str> for V {
    fn from(v: &str) -> V {
        V::T(v.to_string())
    }
}
impl From<Option<String>> for V {
    fn from(v: Option<String>) -> V {
        v.map(V::T).unwrap_or(V::N)
    }
}

/// A user of the data set, as the workloads need it.
#[derive(Clone, Debug)]
pub struct BenchUser {
    pub id: i64,
    pub email: String,
    pub role: &'static str,
    pub team_id: Option<i64>,
}

/// What the workloads need to know about the generated data.
#[derive(Clone, Debug)]
pub struct DataSet {
    pub scale: Scale,
    pub users: Vec<BenchUser>,
    pub open_stages: Vec<i64>,
    pub as_of: NaiveDate,
    /// Seconds spent generating (None when an existing data set was reused).
    pub generated_secs: Option<f64>,
}

fn ts(d: NaiveDate, secs: i64) -> String {
    format!("{}T{:02}:{:02}:{:02}.000Z", d.format("%Y-%m-%d"), (secs / 3600) % 24, (secs / 60) % 60, secs % 60)
}

fn ascii(s: &str) -> String {
    search_key(s).chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

/// Creates (or reuses, when the same one is already there) the data set in `db`.
pub async fn ensure(db: &Db, url: &str, scale: Scale, seed: u64, as_of: NaiveDate, regenerate: bool) -> Result<DataSet, String> {
    let marker = format!("contacts={};activities={};seed={seed};as_of={as_of}", scale.contacts, scale.activities);
    let existing: Option<String> = sqlx::query("SELECT value FROM settings WHERE key = 'bench_dataset'")
        .fetch_optional(&db.pool)
        .await
        .map_err(|e| e.to_string())?
        .map(|r| r.try_get("value").unwrap_or_default());
    let mut generated_secs = None;
    if existing.as_deref() != Some(marker.as_str()) || regenerate {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&db.pool).await.map_err(|e| e.to_string())?.get("n");
        if n > 0 {
            return Err("the bench database is not empty and holds another data set: delete it (or pass a new --database-url)".into());
        }
        let started = Instant::now();
        generate(db, url, scale, seed, as_of).await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ('bench_dataset', $1)")
            .bind(&marker)
            .execute(&db.pool)
            .await
            .map_err(|e| e.to_string())?;
        generated_secs = Some(started.elapsed().as_secs_f64());
    }
    // The generator computes search_text with the application's recipe: nothing to reindex at start.
    app::services::search::mark_indexed(db).await.map_err(|e| format!("{e:?}"))?;
    load(db, scale, as_of, generated_secs).await
}

async fn load(db: &Db, scale: Scale, as_of: NaiveDate, generated_secs: Option<f64>) -> Result<DataSet, String> {
    let rows =
        sqlx::query("SELECT id, email, role, team_id FROM users ORDER BY id").fetch_all(&db.pool).await.map_err(|e| e.to_string())?;
    let users = rows
        .iter()
        .map(|r| {
            let role: String = r.get("role");
            BenchUser {
                id: r.get("id"),
                email: r.get("email"),
                role: match role.as_str() {
                    "admin" => "admin",
                    "manager" => "manager",
                    "marketing" => "marketing",
                    _ => "sales",
                },
                team_id: r.get("team_id"),
            }
        })
        .collect();
    let stages = app::services::stages::list(db).await.map_err(|e| format!("{e:?}"))?;
    use app::domain::StageKind;
    Ok(DataSet {
        scale,
        users,
        open_stages: stages.iter().filter(|s| s.kind == StageKind::Open).map(|s| s.id).collect(),
        as_of,
        generated_secs,
    })
}

async fn generate(db: &Db, url: &str, scale: Scale, seed: u64, as_of: NaiveDate) -> Result<(), String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let stages = app::services::stages::list(db).await.map_err(|e| format!("{e:?}"))?;
    use app::domain::StageKind;
    let open: Vec<(i64, i64)> = stages.iter().filter(|s| s.kind == StageKind::Open).map(|s| (s.id, s.probability)).collect();
    let won = stages.iter().find(|s| s.kind == StageKind::Won).map(|s| s.id).ok_or("no won stage")?;
    let lost = stages.iter().find(|s| s.kind == StageKind::Lost).map(|s| s.id).ok_or("no lost stage")?;
    let start = as_of - Duration::days(3 * 365);
    let mut loader = Loader::new(db.backend, url).await?;

    // Teams and users: one team per region, each with a manager and ten salespeople; an admin and a marketer.
    let hash = app::services::auth::hash_password(PASSWORD).await.map_err(|e| format!("{e:?}"))?;
    let created = ts(start, 0);
    let mut teams = Vec::new();
    for (t, region) in REGIONS.iter().enumerate() {
        teams.push(vec![V::I(t as i64 + 1), V::from(format!("Prodaja {region}")), V::from(created.as_str())]);
    }
    loader.load("teams", &["id", "name", "created_at"], teams).await?;
    let mut users = Vec::new();
    let user = |uid: i64, email: String, name: String, role: &str, team: Option<i64>| {
        vec![
            V::I(uid),
            V::T(email),
            V::T(name),
            V::T(hash.clone()),
            V::from(role),
            team.map(V::I).unwrap_or(V::N),
            V::I(1),
            V::from(created.as_str()),
            V::from(created.as_str()),
        ]
    };
    users.push(user(1, "admin@bench.veza.rs".into(), "Administrator".into(), "admin", None));
    users.push(user(2, "marketing@bench.veza.rs".into(), "Marketing".into(), "marketing", None));
    let mut uid = 2;
    // sales_of[team] = user ids of that team's salespeople
    let mut sales_of: Vec<Vec<i64>> = vec![Vec::new(); TEAMS];
    let mut n = 0;
    for t in 0..TEAMS {
        let team = Some(t as i64 + 1);
        uid += 1;
        users.push(user(uid, format!("manager{}@bench.veza.rs", t + 1), format!("{} {} (menadžer)", FIRST[t], LAST[t]), "manager", team));
        for _ in 0..SALES_PER_TEAM {
            n += 1;
            let name = format!("{} {}", FIRST[(n * 7) % FIRST.len()], LAST[(n * 11) % LAST.len()]);
            uid += 1;
            users.push(user(uid, format!("sales{n:02}@bench.veza.rs"), name, "sales", team));
            sales_of[t].push(uid);
        }
    }
    loader.load("users", &["id", "email", "name", "password_hash", "role", "team_id", "active", "created_at", "updated_at"], users).await?;

    // Accounts: spread over regions (team = region), owned by one of the team's salespeople.
    let day_span = (as_of - start).num_days();
    let mut account_owner = Vec::with_capacity(scale.accounts as usize);
    let mut account_domain = Vec::with_capacity(scale.accounts as usize);
    let mut batch = Vec::new();
    const ACCOUNT_COLS: [&str; 20] = [
        "id",
        "name",
        "search_key",
        "search_text",
        "category",
        "industry",
        "region",
        "city",
        "phone",
        "email",
        "pib",
        "mb",
        "owner_id",
        "team_id",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "version",
        "is_demo",
    ];
    for id in 1..=scale.accounts {
        let t = rng.gen_range(0..TEAMS);
        let owner = sales_of[t][rng.gen_range(0..SALES_PER_TEAM)];
        let city = CITIES[t][rng.gen_range(0..5)];
        let a = COMPANY_A[rng.gen_range(0..COMPANY_A.len())];
        let b = if rng.gen_bool(0.5) {
            COMPANY_B[rng.gen_range(0..COMPANY_B.len())].to_string()
        } else {
            LAST[rng.gen_range(0..LAST.len())].to_string()
        };
        let name = format!("{a} {b} {id} {}", LEGAL[rng.gen_range(0..LEGAL.len())]);
        let domain = format!("{}{}{id}.rs", ascii(a), ascii(&b));
        let email = format!("office@{domain}");
        let phone = format!("+381 {} {:03} {:04}", 11 + t * 5, rng.gen_range(100..1000), rng.gen_range(0..10000));
        let pib = pib_with_check(10_000_000 + id as u32);
        let mb = mb_with_check(1_000_000 + (id as u32 % 8_000_000)).unwrap_or_default();
        let created_day = rng.gen_range(0..day_span);
        let created = ts(start + Duration::days(created_day), rng.gen_range(0..86_400));
        let st = search_text(&[Some(&name), Some(&email), Some(&phone), Some(&pib), Some(&mb), Some(city)]);
        batch.push(vec![
            V::I(id),
            V::from(name.as_str()),
            V::T(search_key(&name)),
            V::T(st),
            V::from(["A", "B", "B", "C", "C", "C"][rng.gen_range(0..6)]),
            V::from(INDUSTRIES[rng.gen_range(0..INDUSTRIES.len())]),
            V::from(REGIONS[t]),
            V::from(city),
            V::T(phone),
            V::T(email),
            V::T(pib),
            V::T(mb),
            V::I(owner),
            V::I(t as i64 + 1),
            V::from(created.as_str()),
            V::I(owner),
            V::T(created),
            V::I(owner),
            V::I(1),
            V::I(0),
        ]);
        account_owner.push((owner, t as i64 + 1, created_day));
        account_domain.push(domain);
        if batch.len() == 20_000 {
            loader.load("accounts", &ACCOUNT_COLS, std::mem::take(&mut batch)).await?;
        }
    }
    loader.load("accounts", &ACCOUNT_COLS, std::mem::take(&mut batch)).await?;
    let types: Vec<Vec<V>> = (1..=scale.accounts)
        .map(|id| {
            vec![
                V::I(id),
                V::from(if id % 10 == 0 {
                    "prospect"
                } else if id % 97 == 0 {
                    "partner"
                } else {
                    "customer"
                }),
            ]
        })
        .collect();
    for chunk in types.chunks(50_000) {
        loader.load("account_types", &["account_id", "type"], chunk.to_vec()).await?;
    }

    // Contacts: five per account (on average), owned like their account.
    const CONTACT_COLS: [&str; 17] = [
        "id",
        "first_name",
        "last_name",
        "search_key",
        "search_text",
        "account_id",
        "job_title",
        "buying_role",
        "email",
        "phone",
        "mobile",
        "owner_id",
        "team_id",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ];
    for id in 1..=scale.contacts {
        let acc = ((id - 1) % scale.accounts) + 1;
        let (owner, team, created_day) = account_owner[(acc - 1) as usize];
        let first = FIRST[rng.gen_range(0..FIRST.len())];
        let last = LAST[rng.gen_range(0..LAST.len())];
        let email = format!("{}.{}@{}", ascii(first), ascii(last), account_domain[(acc - 1) as usize]);
        let mobile = format!("+381 6{} {:03} {:04}", rng.gen_range(0..10), rng.gen_range(100..1000), rng.gen_range(0..10000));
        let name = format!("{first} {last}");
        let st = search_text(&[Some(&name), Some(&email), Some(&mobile)]);
        let day = (created_day + rng.gen_range(0..60)).min(day_span);
        let created = ts(start + Duration::days(day), rng.gen_range(0..86_400));
        batch.push(vec![
            V::I(id),
            V::from(first),
            V::from(last),
            V::T(search_key(&name)),
            V::T(st),
            V::I(acc),
            V::from(TITLES[rng.gen_range(0..TITLES.len())]),
            V::from(ROLES[rng.gen_range(0..ROLES.len())]),
            V::T(email),
            V::N,
            V::T(mobile),
            V::I(owner),
            V::I(team),
            V::from(created.as_str()),
            V::I(owner),
            V::T(created),
            V::I(owner),
        ]);
        if batch.len() == 20_000 {
            loader.load("contacts", &CONTACT_COLS, std::mem::take(&mut batch)).await?;
        }
    }
    loader.load("contacts", &CONTACT_COLS, std::mem::take(&mut batch)).await?;

    // Opportunities: every 100th is open (closing in the coming year); the rest closed over three years,
    // 40% won.
    const OPP_COLS: [&str; 21] = [
        "id",
        "name",
        "search_key",
        "search_text",
        "account_id",
        "contact_id",
        "owner_id",
        "team_id",
        "stage_id",
        "probability",
        "amount_minor",
        "currency",
        "close_date",
        "source",
        "stage_changed_at",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "version",
        "probability_manual",
    ];
    let open_every = (scale.opportunities / scale.open_opportunities).max(1);
    for id in 1..=scale.opportunities {
        let acc = rng.gen_range(1..=scale.accounts);
        let (owner, team, _) = account_owner[(acc - 1) as usize];
        let contact = acc + scale.accounts * rng.gen_range(0..5);
        let contact = if contact <= scale.contacts { V::I(contact) } else { V::N };
        let is_open = id % open_every == 0;
        let (stage, probability, close) = if is_open {
            let (s, p) = open[rng.gen_range(0..open.len())];
            (s, p, as_of + Duration::days(rng.gen_range(0..365)))
        } else if rng.gen_bool(0.4) {
            (won, 100, start + Duration::days(rng.gen_range(0..day_span)))
        } else {
            (lost, 0, start + Duration::days(rng.gen_range(0..day_span)))
        };
        let created = ts(close - Duration::days(rng.gen_range(20..200)), rng.gen_range(0..86_400));
        let changed = ts(close.min(as_of) - Duration::days(rng.gen_range(0..20)), rng.gen_range(0..86_400));
        // Log-uniform between 50,000 and 5,000,000 RSD (or EUR a hundred times smaller).
        let eur = rng.gen_bool(0.2);
        let rsd = (50_000f64 * 100f64.powf(rng.gen::<f64>())) as i64;
        let amount = if eur { rsd / 117 * 100 } else { rsd * 100 };
        let name = format!("{} — {}", PRODUCTS[rng.gen_range(0..PRODUCTS.len())], id);
        let key = search_key(&name);
        batch.push(vec![
            V::I(id),
            V::T(name),
            V::T(key.clone()),
            V::T(key),
            V::I(acc),
            contact,
            V::I(owner),
            V::I(team),
            V::I(stage),
            V::I(probability),
            V::I(amount),
            V::from(if eur { "EUR" } else { "RSD" }),
            V::T(close.format("%Y-%m-%d").to_string()),
            V::from(SOURCES[rng.gen_range(0..SOURCES.len())]),
            V::T(changed.clone()),
            V::T(created),
            V::I(owner),
            V::T(changed),
            V::I(owner),
            V::I(1),
            V::I(0),
        ]);
        if batch.len() == 20_000 {
            loader.load("opportunities", &OPP_COLS, std::mem::take(&mut batch)).await?;
        }
    }
    loader.load("opportunities", &OPP_COLS, std::mem::take(&mut batch)).await?;

    // Activities over the three years and the coming month: the first `busy_account_activities` on
    // account 1 (W8's timeline), the rest spread over all accounts; 60% about the account, 40% about
    // one of its contacts. Past ones are mostly completed.
    const ACT_COLS: [&str; 17] = [
        "id",
        "kind",
        "subject",
        "status",
        "priority",
        "starts_at",
        "outcome",
        "regarding_kind",
        "regarding_id",
        "account_id",
        "owner_id",
        "team_id",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "version",
    ];
    const KINDS: [&str; 6] = ["call", "call", "meeting", "task", "email", "letter"];
    const SUBJECTS: [&str; 6] =
        ["Telefonski razgovor", "Poseta kupcu", "Poslati ponudu", "Ponuda i uslovi", "Dopis o cenama", "Dogovor o isporuci"];
    let span = day_span + 30;
    for id in 1..=scale.activities {
        let acc = if id <= scale.busy_account_activities { 1 } else { rng.gen_range(1..=scale.accounts) };
        let (owner, team, _) = account_owner[(acc - 1) as usize];
        let contact = acc + scale.accounts * rng.gen_range(0..5);
        let (rk, rid) = if rng.gen_bool(0.4) && contact <= scale.contacts { ("contact", contact) } else { ("account", acc) };
        let k = rng.gen_range(0..KINDS.len());
        let day = start + Duration::days(rng.gen_range(0..span));
        let starts = ts(day, rng.gen_range(7 * 3600..18 * 3600));
        let status = if day < as_of {
            if rng.gen_bool(0.9) {
                "completed"
            } else {
                "open"
            }
        } else {
            "open"
        };
        batch.push(vec![
            V::I(id),
            V::from(KINDS[k]),
            V::from(SUBJECTS[k]),
            V::from(status),
            V::from(if rng.gen_bool(0.15) { "high" } else { "normal" }),
            V::T(starts.clone()),
            if status == "completed" && KINDS[k] == "call" { V::from("Zainteresovan") } else { V::N },
            V::from(rk),
            V::I(rid),
            V::I(acc),
            V::I(owner),
            V::I(team),
            V::T(starts.clone()),
            V::I(owner),
            V::T(starts),
            V::I(owner),
            V::I(1),
        ]);
        if batch.len() == 20_000 {
            loader.load("activities", &ACT_COLS, std::mem::take(&mut batch)).await?;
        }
    }
    loader.load("activities", &ACT_COLS, std::mem::take(&mut batch)).await?;
    loader.finish(&["teams", "users", "accounts", "contacts", "opportunities", "activities"]).await
}

/// Bulk loading: multi-row INSERTs inside one open transaction on SQLite; COPY on Postgres.
enum Loader {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Loader {
    async fn new(backend: Backend, url: &str) -> Result<Loader, String> {
        use sqlx::Connection;
        Ok(match backend {
            Backend::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(url).await.map_err(|e| e.to_string())?;
                sqlx::raw_sql("PRAGMA foreign_keys = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; BEGIN IMMEDIATE")
                    .execute(&mut c)
                    .await
                    .map_err(|e| e.to_string())?;
                Loader::Sqlite(c)
            }
            Backend::Postgres => Loader::Postgres(sqlx::PgConnection::connect(url).await.map_err(|e| e.to_string())?),
        })
    }

    async fn load(&mut self, table: &str, cols: &[&str], rows: Vec<Vec<V>>) -> Result<(), String> {
        if rows.is_empty() {
            return Ok(());
        }
        let t = Instant::now();
        let n = rows.len();
        let r = self.load_inner(table, cols, rows).await;
        if std::env::var("VEZA_BENCH_VERBOSE").is_ok() {
            eprintln!("  {table}: {n} rows in {:.2} s", t.elapsed().as_secs_f64());
        }
        r
    }

    async fn load_inner(&mut self, table: &str, cols: &[&str], rows: Vec<Vec<V>>) -> Result<(), String> {
        match self {
            Loader::Sqlite(c) => {
                // Anonymous `?` placeholders: SQLite looks numbered ones up by a linear walk, which makes
                // statements with thousands of them quadratic.
                let per = (8_000 / cols.len()).max(1);
                for chunk in rows.chunks(per) {
                    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
                    for (i, _) in chunk.iter().enumerate() {
                        if i > 0 {
                            sql.push_str(", ");
                        }
                        sql.push('(');
                        for j in 0..cols.len() {
                            if j > 0 {
                                sql.push_str(", ");
                            }
                            sql.push('?');
                        }
                        sql.push(')');
                    }
                    let mut q = sqlx::query(&sql);
                    for row in chunk {
                        for v in row {
                            q = match v {
                                V::I(i) => q.bind(*i),
                                V::T(t) => q.bind(t.clone()),
                                V::N => q.bind(Option::<i64>::None),
                            };
                        }
                    }
                    q.execute(&mut *c).await.map_err(|e| format!("loading {table}: {e}"))?;
                }
            }
            Loader::Postgres(c) => {
                let mut buf = String::with_capacity(rows.len() * 200);
                for row in &rows {
                    for (j, v) in row.iter().enumerate() {
                        if j > 0 {
                            buf.push('\t');
                        }
                        match v {
                            V::I(i) => buf.push_str(&i.to_string()),
                            V::N => buf.push_str("\\N"),
                            V::T(t) => {
                                for ch in t.chars() {
                                    match ch {
                                        '\\' => buf.push_str("\\\\"),
                                        '\t' => buf.push_str("\\t"),
                                        '\n' => buf.push_str("\\n"),
                                        '\r' => buf.push_str("\\r"),
                                        c => buf.push(c),
                                    }
                                }
                            }
                        }
                    }
                    buf.push('\n');
                }
                let mut copy = c
                    .copy_in_raw(&format!("COPY {table} ({}) FROM STDIN", cols.join(", ")))
                    .await
                    .map_err(|e| format!("COPY {table}: {e}"))?;
                copy.send(buf.as_bytes()).await.map_err(|e| format!("COPY {table}: {e}"))?;
                copy.finish().await.map_err(|e| format!("COPY {table}: {e}"))?;
            }
        }
        Ok(())
    }

    /// Commits, advances identity sequences (Postgres) and refreshes the planner's statistics.
    async fn finish(self, tables: &[&str]) -> Result<(), String> {
        match self {
            Loader::Sqlite(mut c) => {
                sqlx::raw_sql("COMMIT; PRAGMA foreign_keys = ON; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);")
                    .execute(&mut c)
                    .await
                    .map_err(|e| e.to_string())?;
                let bad: Vec<sqlx::sqlite::SqliteRow> =
                    sqlx::query("PRAGMA foreign_key_check").fetch_all(&mut c).await.map_err(|e| e.to_string())?;
                if !bad.is_empty() {
                    return Err(format!("generated data breaks {} foreign keys", bad.len()));
                }
            }
            Loader::Postgres(mut c) => {
                for t in tables {
                    sqlx::raw_sql(&format!("SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"))
                        .execute(&mut c)
                        .await
                        .map_err(|e| e.to_string())?;
                }
                sqlx::raw_sql("VACUUM ANALYZE").execute(&mut c).await.map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    }
}
