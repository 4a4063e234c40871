//! `veza demo`: a realistic, deterministic data set of a Serbian B2B distributor — teams and regions,
//! ~50 accounts of every relationship type, 150 contacts, 300 opportunities over the last 18 months,
//! 60 leads, and calls, meetings, tasks and emails around today.
//! Loading twice changes nothing (a settings marker), and every record is flagged `is_demo`.

use super::{accounts, auth, contacts, opportunities, Actor};
use crate::db::Db;
use crate::domain::ids::{mb_with_check, pib_with_check};
use crate::domain::reports::ForecastCategory;
use crate::domain::{Role, StageKind};
use crate::error::AppError;
use chrono::{Duration, NaiveDate, Utc};
use sqlx::Row;

pub const DEMO_PASSWORD: &str = "demo-lozinka";

/// A small deterministic generator (64-bit LCG), so every run produces the same data.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const REGIONS: &[(&str, &[&str])] = &[
    ("Beograd", &["Beograd", "Zemun", "Novi Beograd", "Pančevo"]),
    ("Vojvodina", &["Novi Sad", "Subotica", "Zrenjanin", "Sombor", "Kikinda"]),
    ("Šumadija i Zapadna Srbija", &["Kragujevac", "Čačak", "Kraljevo", "Užice", "Šabac"]),
    ("Južna i Istočna Srbija", &["Niš", "Leskovac", "Vranje", "Zaječar", "Pirot"]),
];
const TEAMS: &[(&str, &str)] =
    &[("Prodaja Beograd", "Beograd"), ("Prodaja Vojvodina", "Vojvodina"), ("Prodaja Centar i Jug", "Šumadija i Zapadna Srbija")];
const FIRST: &[&str] = &[
    "Marko",
    "Jelena",
    "Nikola",
    "Ana",
    "Stefan",
    "Milica",
    "Nemanja",
    "Jovana",
    "Miloš",
    "Ivana",
    "Dragan",
    "Snežana",
    "Aleksandar",
    "Tijana",
    "Đorđe",
    "Maja",
    "Vladimir",
    "Katarina",
    "Dušan",
    "Marija",
];
const LAST: &[&str] = &[
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
    "Savić",
    "Kostić",
    "Todorović",
    "Živković",
    "Lazić",
    "Mitrović",
    "Ristić",
    "Obradović",
    "Radovanović",
];
const NAME_A: &[&str] = &[
    "Agro", "Termo", "Elektro", "Metal", "Bio", "Grad", "Tehno", "Euro", "Pek", "Mlin", "Drvo", "Hemo", "Info", "Auto", "Sun", "Vino",
    "Medi", "Plast", "Stak", "Lim",
];
const NAME_B: &[&str] =
    &["promet", "servis", "gradnja", "trade", "komerc", "plus", "tim", "centar", "prom", "star", "mont", "ing", "pak", "line"];
const FORMS: &[&str] = &["d.o.o.", "d.o.o.", "d.o.o.", "a.d.", "d.o.o.", "preduzetnik"];
const INDUSTRIES: &[&str] = &[
    "Prehrambena industrija",
    "Građevinarstvo",
    "Trgovina na veliko",
    "Poljoprivreda",
    "Metaloprerada",
    "Energetika",
    "Zdravstvo",
    "IT i telekomunikacije",
    "Transport i logistika",
    "Ugostiteljstvo",
];
const TITLES: &[(&str, &str)] = &[
    ("Direktor", "decision_maker"),
    ("Direktor nabavke", "decision_maker"),
    ("Vlasnik", "decision_maker"),
    ("Šef nabavke", "influencer"),
    ("Tehnički direktor", "influencer"),
    ("Finansijski direktor", "influencer"),
    ("Referent nabavke", "user"),
    ("Inženjer održavanja", "user"),
    ("Komercijalista", "other"),
    ("Menadžer projekta", "influencer"),
];
const PRODUCTS: &[&str] = &[
    "Isporuka ambalaže",
    "Rashladna oprema",
    "Godišnji ugovor za servis",
    "Linija za pakovanje",
    "Industrijske vage",
    "Viljuškari",
    "Solarni paneli",
    "Softver za magacin",
    "Regalni sistemi",
    "Hemija za pranje",
    "Rezervni delovi",
    "Kompresori",
];
/// Opportunity sources: the codes of the lead-source list (reports group by them).
const SOURCES: &[&str] = &["web", "fair", "referral", "partner", "campaign", "cold_call", "advertisement"];
const LEAD_COMPANIES: &[&str] = &[
    "Agro Banat",
    "Pekara Zlatni Klas",
    "Metal Prom",
    "Građevina Kosovac",
    "Vinarija Fruška",
    "Mlinar Sombor",
    "Klima Servis Niš",
    "Hotel Palić",
    "Auto Centar Kragujevac",
    "Stolarija Užice",
    "Farmacija Plus",
    "Elektro Timok",
    "Mesara Zlatibor",
    "Štamparija Grafo",
    "Logistika Sever",
    "Hladnjača Arilje",
    "Tekstil Leskovac",
    "Apoteka Vranje",
    "Plastika Zaječar",
    "Kafe Bar Centar",
];
const CALL_OUTCOMES: &[&str] = &[
    "Zainteresovan, traži ponudu",
    "Nije dostupan, pozvati ponovo",
    "Dogovoren sastanak",
    "Poslati katalog",
    "Odložio za sledeći kvartal",
];
const TASKS: &[&str] = &["Poslati ponudu", "Pripremiti ugovor", "Proveriti uplatu", "Poslati katalog", "Ažurirati cenovnik kupcu"];
const MEETINGS: &[&str] = &["Poseta kupcu", "Prezentacija proizvoda", "Pregovori o ceni", "Obilazak magacina"];

/// What `load` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Loaded,
    /// The demo data was there already: nothing changed.
    AlreadyLoaded,
    /// The database has this many users of its own: the demo's administrator, with a password anyone
    /// can read in the README, is not planted among them unless asked with `force`.
    HasUsers(i64),
}

/// Loads the demo data unless it is already there, or the database has users of its own (then only
/// with `force`).
pub async fn load(db: &Db, force: bool) -> Result<Outcome, AppError> {
    let done = sqlx::query("SELECT value FROM settings WHERE key = 'demo_loaded'").fetch_optional(&db.pool).await?;
    if done.is_some() {
        return Ok(Outcome::AlreadyLoaded);
    }
    let (own_users,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM users WHERE email NOT LIKE '%@demo.veza.rs'").fetch_one(&db.pool).await?;
    if own_users > 0 && !force {
        return Ok(Outcome::HasUsers(own_users));
    }
    super::stages::ensure_defaults(db, crate::i18n::Lang::Sr).await?;
    let mut rng = Rng(0x5645_5a41); // "VEZA"

    // Teams and people: a manager and salespeople per team, plus marketing and an administrator.
    let mut sellers: Vec<(i64, usize)> = Vec::new();
    let mut used_emails = std::collections::HashSet::new();
    let mut person = |rng: &mut Rng| loop {
        let (f, l) = (*rng.pick(FIRST), *rng.pick(LAST));
        let email = format!("{}.{}@demo.veza.rs", crate::domain::text::search_key(f), crate::domain::text::search_key(l));
        if used_emails.insert(email.clone()) {
            return (format!("{f} {l}"), email);
        }
    };
    let admin_id = new_user(db, "Admin Demo", "admin@demo.veza.rs", "admin", None).await?;
    let mut team_ids = Vec::new();
    for (i, (team, _)) in TEAMS.iter().enumerate() {
        let team_id = auth::ensure_team(db, team).await?;
        team_ids.push(team_id);
        let (name, email) = person(&mut rng);
        let m = new_user(db, &name, &email, "manager", Some(team_id)).await?;
        sellers.push((m, i));
        for _ in 0..3 {
            let (name, email) = person(&mut rng);
            let s = new_user(db, &name, &email, "sales", Some(team_id)).await?;
            sellers.push((s, i));
        }
    }
    let (name, email) = person(&mut rng);
    new_user(db, &name, &email, "marketing", Some(auth::ensure_team(db, TEAMS[0].0).await?)).await?;

    let admin = auth::user_by_id(db, admin_id).await?;
    let actor = Actor { role: Role::Admin, ..admin };
    let stages = super::stages::list(db).await?;
    let open: Vec<_> = stages.iter().filter(|s| s.kind == StageKind::Open).collect();
    let won = stages.iter().find(|s| s.kind == StageKind::Won);
    let lost = stages.iter().find(|s| s.kind == StageKind::Lost);

    let mut tx = db.begin().await?;
    let type_plan: &[&[&str]] = &[
        &["customer"],
        &["customer"],
        &["customer"],
        &["customer", "partner"],
        &["prospect"],
        &["prospect"],
        &["competitor"],
        &["dealer"],
        &["distributor"],
        &["supplier"],
    ];
    let mut account_ids = Vec::new();
    let mut account_names = std::collections::HashSet::new();
    for i in 0..50u32 {
        let name = loop {
            let n = format!("{}{} {}", rng.pick(NAME_A), rng.pick(NAME_B), rng.pick(FORMS));
            if account_names.insert(n.clone()) {
                break n;
            }
        };
        let (seller, team_idx) = *rng.pick(&sellers);
        let region_idx =
            if rng.below(4) == 0 { rng.below(REGIONS.len() as u64) as usize } else { [0, 1, 2][team_idx].min(REGIONS.len() - 1) };
        let (region, cities) = REGIONS[region_idx];
        let city = *rng.pick(cities);
        let types = type_plan[(i as usize) % type_plan.len()];
        let domain = crate::domain::text::search_key(&name).split(' ').next().unwrap_or("firma").to_string();
        let v = accounts::Valid {
            name,
            types: types.iter().filter_map(|t| crate::domain::RelationshipType::parse(t)).collect(),
            category: crate::domain::Category::parse(["A", "B", "B", "C", "C"][rng.below(5) as usize]),
            industry: Some(rng.pick(INDUSTRIES).to_string()),
            region: Some(region.to_string()),
            city: Some(city.to_string()),
            address: Some(format!(
                "{} {}",
                rng.pick(&["Bulevar oslobođenja", "Kneza Miloša", "Industrijska zona bb", "Cara Dušana", "Vojvode Stepe", "Nemanjina"]),
                1 + rng.below(180)
            )),
            phone: Some(format!(
                "+381 {} {} {}",
                [11, 21, 34, 18, 32][rng.below(5) as usize],
                200 + rng.below(799),
                1000 + rng.below(8999)
            )),
            email: Some(format!("office@{domain}.rs")),
            website: Some(format!("www.{domain}.rs")),
            pib: Some(pib_with_check(10_000_000 + (i * 1_234_567) % 89_999_999)),
            mb: (0..20).find_map(|k| mb_with_check(2_000_000 + i * 31_337 + k)),
            notes: None,
            inactive: false,
            owner_id: Some(seller),
        };
        let id = accounts::insert(&mut tx, &actor, &v, true).await?;
        account_ids.push((id, seller, types.contains(&"competitor")));
    }
    let mut contacts_by_account: Vec<(i64, Vec<i64>)> = Vec::new();
    for (n, (account, owner, _)) in account_ids.iter().enumerate() {
        let mut ids = Vec::new();
        for k in 0..3 {
            let (f, l) = (*rng.pick(FIRST), *rng.pick(LAST));
            let (title, role) = TITLES[(n * 3 + k + rng.below(3) as usize) % TITLES.len()];
            let v = contacts::Valid {
                first_name: f.into(),
                last_name: l.into(),
                account_id: Some(*account),
                job_title: Some(title.into()),
                buying_role: crate::domain::BuyingRole::parse(role),
                email: Some(format!(
                    "{}.{}{}@example.rs",
                    crate::domain::text::search_key(f),
                    crate::domain::text::search_key(l),
                    n * 3 + k
                )),
                phone: Some(format!("+381 11 {} {}", 300 + rng.below(600), 1000 + rng.below(8999))),
                mobile: Some(format!("+381 6{} {} {}", rng.below(6) + 1, 100 + rng.below(899), 1000 + rng.below(8999))),
                preferences: Default::default(),
                owner_id: Some(*owner),
            };
            ids.push(contacts::insert(&mut tx, &actor, &v, true).await?);
        }
        contacts_by_account.push((*account, ids));
    }
    let today = Utc::now().date_naive();
    let customers: Vec<_> = account_ids.iter().filter(|a| !a.2).collect();
    for n in 0..300u64 {
        let (account, owner, _) = **rng.pick(&customers);
        let contact = contacts_by_account.iter().find(|(a, _)| *a == account).and_then(|(_, c)| c.first().copied());
        let created_days_ago = rng.below(540) as i64; // 18 months
        let created = today - Duration::days(created_days_ago);
        // Older deals are mostly closed; recent ones mostly open.
        let closed = created_days_ago > 120 && rng.below(10) < 8;
        let (stage_id, close): (i64, NaiveDate) = if closed {
            let s = if rng.below(100) < 45 { won } else { lost };
            (s.or(open.last().copied()).map(|s| s.id).unwrap_or(open[0].id), created + Duration::days(20 + rng.below(100) as i64))
        } else {
            let s = open[rng.below(open.len() as u64) as usize];
            // A few open deals are already overdue.
            let offset = if rng.below(10) == 0 { -(rng.below(30) as i64) - 1 } else { 5 + rng.below(180) as i64 };
            (s.id, today + Duration::days(offset))
        };
        let amount = (5 + rng.below(400)) as i64 * 10_000 * 100; // 50.000 – 4.000.000 RSD
        let eur = rng.below(4) == 0;
        let v = opportunities::Valid {
            name: format!("{} {}", rng.pick(PRODUCTS), 2025 + (n % 2)),
            account_id: account,
            contact_id: contact,
            owner_id: Some(owner),
            stage_id,
            probability: None,
            amount_minor: if eur { amount / 117 } else { amount },
            currency: if eur { crate::domain::money::Currency::EUR } else { crate::domain::money::Currency::RSD },
            close_date: close.format("%Y-%m-%d").to_string(),
            source: Some(rng.pick(SOURCES).to_string()),
            description: None,
            forecast_category: match rng.below(10) {
                0..=1 => ForecastCategory::Commit,
                2..=4 => ForecastCategory::BestCase,
                _ => ForecastCategory::Pipeline,
            },
        };
        let created_ts = format!("{}T{:02}:{:02}:00.000Z", created.format("%Y-%m-%d"), 8 + rng.below(9), rng.below(60));
        opportunities::insert(&mut tx, &actor, &v, Some(&created_ts), true).await?;
    }
    let seller_ids: Vec<i64> = sellers.iter().map(|s| s.0).collect();
    load_leads(&mut tx, &actor, &seller_ids, &mut rng).await?;
    load_activities(&mut tx, &actor, &contacts_by_account, &account_ids, &mut rng).await?;
    load_competition(&mut tx, &actor, &account_ids, &mut rng).await?;
    load_goals(&mut tx, &actor, &team_ids, &sellers).await?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ('demo_loaded', $1)").bind(crate::db::now()).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(Outcome::Loaded)
}

/// Our catalog: (code, name, family, unit, list price RSD, unit cost RSD).
const CATALOG: &[(&str, &str, &str, &str, i64, i64)] = &[
    ("PMP-100", "Centrifugalna pumpa CP-100", "Pumpe", "kom", 185_000, 121_000),
    ("PMP-250", "Centrifugalna pumpa CP-250", "Pumpe", "kom", 342_000, 228_000),
    ("PMP-DOZ", "Dozirna pumpa DZ-20", "Pumpe", "kom", 96_500, 58_000),
    ("VNT-050", "Kuglasti ventil DN50", "Ventili", "kom", 12_400, 7_100),
    ("VNT-100", "Leptir ventil DN100", "Ventili", "kom", 27_900, 16_300),
    ("VNT-REG", "Regulacioni ventil RV-3", "Ventili", "kom", 64_000, 39_500),
    ("AUT-PLC", "PLC upravljački orman", "Automatika", "kom", 420_000, 301_000),
    ("AUT-SEN", "Senzor protoka SP-4", "Automatika", "kom", 38_500, 21_000),
    ("AUT-SCD", "SCADA licenca", "Automatika", "kom", 250_000, 90_000),
    ("CEV-PE", "PE cev 110 mm", "Cevi", "m", 1_450, 980),
    ("SRV-MNT", "Montaža i puštanje u rad", "Servis", "h", 4_800, 2_600),
    ("SRV-ODR", "Godišnje održavanje", "Servis", "kom", 120_000, 64_000),
];

/// Products, price lists, discount rules, competitor profiles with market share and products, field
/// observations, and closed deals with their outcome (reasons, winners, lines with costs).
async fn load_competition(tx: &mut crate::db::Tx, actor: &Actor, accounts: &[(i64, i64, bool)], rng: &mut Rng) -> Result<(), AppError> {
    use crate::domain::catalog::line_total;
    use crate::domain::money::Currency;
    let today = Utc::now().date_naive();
    let year_start = format!("{}-01-01", today.format("%Y"));
    let mut products = Vec::new();
    for (code, name, family, unit, price, cost) in CATALOG {
        let v = super::products::catalog::ValidProduct {
            code: code.to_string(),
            name: name.to_string(),
            family: family.to_string(),
            unit: unit.to_string(),
            list_price_minor: price * 100,
            currency: Currency::RSD,
            unit_cost_minor: Some(cost * 100),
            active: true,
        };
        products.push((super::products::catalog::insert_product(tx, actor, &v, true).await?, *family, price * 100, cost * 100));
    }
    let ts = crate::db::now();
    // A general wholesale list (5 % under list) and a better one for category A customers (10 %).
    for (name, category, percent) in [("Veleprodaja", None, 95), ("Kupci kategorije A", Some("A"), 90)] {
        let id: i64 = sqlx::query(
            "INSERT INTO price_lists (name, currency, category, valid_from, valid_to, active, created_at, created_by, updated_at, updated_by, version) \
             VALUES ($1, 'RSD', $2, $3, NULL, 1, $4, $5, $4, $5, 1) RETURNING id",
        )
        .bind(format!("{name} {}", today.format("%Y")))
        .bind(category)
        .bind(&year_start)
        .bind(&ts)
        .bind(actor.id)
        .fetch_one(&mut **tx)
        .await?
        .try_get("id")?;
        for (pid, _, price, _) in &products {
            sqlx::query("INSERT INTO price_list_items (price_list_id, product_id, price_minor) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(*pid)
                .bind(price * percent / 100)
                .execute(&mut **tx)
                .await?;
        }
    }
    for (name, family, percent, min_qty) in
        [("Servisni paket", "Servis", 1000, 0), ("Količinski rabat na ventile", "Ventili", 1500, 20_000)]
    {
        sqlx::query(
            "INSERT INTO discount_rules (name, product_id, family, category, min_quantity_milli, percent_bp, amount_minor, currency, valid_from, valid_to, active, \
             created_at, created_by, updated_at, updated_by, version) VALUES ($1, NULL, $2, NULL, $3, $4, NULL, NULL, $5, NULL, 1, $6, $7, $6, $7, 1)",
        )
        .bind(name)
        .bind(family)
        .bind(min_qty)
        .bind(percent)
        .bind(&year_start)
        .bind(&ts)
        .bind(actor.id)
        .execute(&mut **tx)
        .await?;
    }

    // Competitors: profile, quarterly market share, their products against ours.
    const STRENGTHS: &[&str] =
        &["Niska cena, brza isporuka iz magacina", "Poznat brend, dobar servis u Beogradu", "Široka mreža distributera"];
    const WEAKNESSES: &[&str] = &["Slab servis van Beograda", "Duži rokovi isporuke", "Skuplji rezervni delovi"];
    const LIKES: &[&str] =
        &["Daju 60 dana odloženog plaćanja", "Serviser dolazi isti dan", "Niža cena za 10 %", "Već imaju njihovu opremu"];
    let competitors: Vec<i64> = accounts.iter().filter(|a| a.2).map(|a| a.0).collect();
    let customers: Vec<i64> = accounts.iter().filter(|a| !a.2).map(|a| a.0).collect();
    let mut their_products: Vec<(i64, i64, i64)> = Vec::new(); // (competitor, their product, our price)
    for (i, c) in competitors.iter().enumerate() {
        sqlx::query(
            "INSERT INTO competitor_profiles (account_id, strengths, weaknesses, threat, regions, potential_minor, potential_currency, updated_at, updated_by, version) \
             VALUES ($1, $2, $3, $4, $5, $6, 'RSD', $7, $8, 1)",
        )
        .bind(*c)
        .bind(STRENGTHS[i % STRENGTHS.len()])
        .bind(WEAKNESSES[i % WEAKNESSES.len()])
        .bind(["high", "medium", "low"][i % 3])
        .bind(["Beograd\nVojvodina", "Šumadija i Zapadna Srbija", "Beograd\nJužna i Istočna Srbija"][i % 3])
        .bind((50 + rng.below(200)) as i64 * 1_000_000 * 100)
        .bind(&ts)
        .bind(actor.id)
        .execute(&mut **tx)
        .await?;
        let mut share = 800 + rng.below(1500) as i64;
        for q in 0..6 {
            let as_of = today - Duration::days(90 * (5 - q));
            share = (share + rng.below(300) as i64 - 130).clamp(200, 6000);
            sqlx::query("INSERT INTO market_shares (competitor_id, share_bp, region, family, as_of, source, created_at, created_by) VALUES ($1, $2, NULL, NULL, $3, $4, $5, $6)")
                .bind(*c)
                .bind(share)
                .bind(as_of.format("%Y-%m-%d").to_string())
                .bind("Procena prodajnog tima")
                .bind(&ts)
                .bind(actor.id)
                .execute(&mut **tx)
                .await?;
        }
        for k in 0..2 {
            let (pid, family, price, _) = products[(i * 3 + k * 4) % products.len()];
            let id: i64 = sqlx::query(
                "INSERT INTO competitor_products (competitor_id, name, search_key, family, quality, service, notes, created_at, created_by, updated_at, updated_by, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $7, $8, 1) RETURNING id",
            )
            .bind(*c)
            .bind(format!("{family} {}", ["Eko", "Pro", "Max", "Standard"][(i + k) % 4]))
            .bind(crate::domain::text::search_key(&format!("{family} {}", ["Eko", "Pro", "Max", "Standard"][(i + k) % 4])))
            .bind(family)
            .bind(2 + rng.below(4) as i64)
            .bind(1 + rng.below(5) as i64)
            .bind(&ts)
            .bind(actor.id)
            .fetch_one(&mut **tx)
            .await?
            .try_get("id")?;
            sqlx::query("INSERT INTO competitor_product_counters (competitor_product_id, product_id) VALUES ($1, $2)")
                .bind(id)
                .bind(pid)
                .execute(&mut **tx)
                .await?;
            their_products.push((*c, id, price));
        }
    }
    // Observations over the last year: their price around ours, a rebate, terms.
    for n in 0..40u64 {
        if their_products.is_empty() || customers.is_empty() {
            break;
        }
        let (competitor, product, ours) = *rng.pick(&their_products);
        let customer = *rng.pick(&customers);
        let (owner, team): (i64, Option<i64>) =
            sqlx::query_as("SELECT owner_id, team_id FROM accounts WHERE id = $1").bind(customer).fetch_one(&mut **tx).await?;
        let on = today - Duration::days(360 - n as i64 * 9);
        let price = ours * (85 + rng.below(25) as i64) / 100;
        sqlx::query(
            "INSERT INTO field_observations (competitor_id, competitor_product_id, customer_id, opportunity_id, observed_on, region, price_minor, currency, rebate_bp, \
             payment_terms, quality, service, why_liked, note, owner_id, team_id, created_at, created_by, updated_at, version) \
             VALUES ($1, $2, $3, NULL, $4, (SELECT region FROM accounts WHERE id = $3), $5, 'RSD', $6, $7, $8, $9, $10, NULL, $11, $12, $13, $11, $13, 1)",
        )
        .bind(competitor)
        .bind(product)
        .bind(customer)
        .bind(on.format("%Y-%m-%d").to_string())
        .bind(price)
        .bind([0, 300, 500, 1000][rng.below(4) as usize])
        .bind(["30 dana", "60 dana", "avans 50 %"][rng.below(3) as usize])
        .bind(2 + rng.below(4) as i64)
        .bind(1 + rng.below(5) as i64)
        .bind(*rng.pick(LIKES))
        .bind(owner)
        .bind(team)
        .bind(&ts)
        .execute(&mut **tx)
        .await?;
    }
    // Closed deals get their outcome; a third of all deals get product lines (the value follows).
    let reasons: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, code FROM picklist_values WHERE list = 'loss_reason' ORDER BY position").fetch_all(&mut **tx).await?;
    let deals: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT o.id, s.kind, o.close_date, o.currency FROM opportunities o JOIN stages s ON s.id = o.stage_id WHERE o.is_demo = 1 ORDER BY o.id",
    )
    .fetch_all(&mut **tx)
    .await?;
    for (id, kind, close_date, currency) in deals {
        let competitor = (!competitors.is_empty() && rng.below(3) > 0).then(|| *rng.pick(&competitors));
        if let Some(c) = competitor {
            sqlx::query("INSERT INTO opportunity_competitors (opportunity_id, competitor_id, added_at, added_by) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(c)
                .bind(&ts)
                .bind(actor.id)
                .execute(&mut **tx)
                .await?;
        }
        if kind == "lost" && !reasons.is_empty() {
            let (reason, code) = &reasons[[0, 0, 0, 1, 2, 3, 4, 5][rng.below(8) as usize].min(reasons.len() - 1)];
            let winner = competitor.filter(|_| code != crate::domain::NO_DECISION);
            sqlx::query("UPDATE opportunities SET closed_at = $1, close_reason_id = $2, won_by_id = $3, close_notes = $4 WHERE id = $5")
                .bind(format!("{close_date}T15:00:00.000Z"))
                .bind(*reason)
                .bind(winner)
                .bind(
                    ["Konkurent je ponudio duži rok plaćanja.", "Kupac je odložio investiciju.", "Naša ponuda je stigla kasno."]
                        [rng.below(3) as usize],
                )
                .bind(id)
                .execute(&mut **tx)
                .await?;
        } else if kind == "won" {
            sqlx::query("UPDATE opportunities SET closed_at = $1 WHERE id = $2")
                .bind(format!("{close_date}T15:00:00.000Z"))
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        if currency == "RSD" && rng.below(3) == 0 {
            let mut total = 0;
            for position in 1..=(1 + rng.below(3) as i64) {
                let (pid, _, price, cost) = *rng.pick(&products);
                let qty = (1 + rng.below(12) as i64) * 1000;
                let line = line_total(qty, price * 95 / 100, 0, 0);
                total += line;
                sqlx::query(
                    "INSERT INTO opportunity_lines (opportunity_id, position, product_id, quantity_milli, unit_price_minor, price_source, price_list_id, discount_bp, \
                     discount_minor, discount_rule_id, total_minor, unit_cost_minor, created_at, created_by, updated_at, updated_by, version) \
                     VALUES ($1, $2, $3, $4, $5, 'manual', NULL, 0, 0, NULL, $6, $7, $8, $9, $8, $9, 1)",
                )
                .bind(id)
                .bind(position)
                .bind(pid)
                .bind(qty)
                .bind(price * 95 / 100)
                .bind(line)
                .bind(cost)
                .bind(&ts)
                .bind(actor.id)
                .execute(&mut **tx)
                .await?;
            }
            sqlx::query("UPDATE opportunities SET amount_minor = $1 WHERE id = $2").bind(total).bind(id).execute(&mut **tx).await?;
        }
    }
    Ok(())
}

/// 60 leads over the last four months: new, contacted and a few disqualified, every source and rating.
async fn load_leads(tx: &mut crate::db::Tx, actor: &Actor, sellers: &[i64], rng: &mut Rng) -> Result<(), AppError> {
    use crate::domain::{LeadRating, LeadStatus};
    let lists = sqlx::query_as::<_, (i64, String)>("SELECT id, list FROM picklist_values WHERE active = 1 ORDER BY list, position")
        .fetch_all(&mut **tx)
        .await?;
    let sources: Vec<i64> = lists.iter().filter(|(_, l)| l == crate::domain::LIST_LEAD_SOURCE).map(|(id, _)| *id).collect();
    let reasons: Vec<i64> = lists.iter().filter(|(_, l)| l == crate::domain::LIST_DISQUALIFY_REASON).map(|(id, _)| *id).collect();
    let today = Utc::now().date_naive();
    for n in 0..60u64 {
        let company = format!(
            "{}{}",
            rng.pick(LEAD_COMPANIES),
            if n >= LEAD_COMPANIES.len() as u64 { format!(" {}", n / 20 + 1) } else { String::new() }
        );
        let (f, l) = (*rng.pick(FIRST), *rng.pick(LAST));
        let region = rng.pick(REGIONS);
        let status = match rng.below(10) {
            0..=4 => LeadStatus::New,
            5..=7 => LeadStatus::Contacted,
            _ => LeadStatus::Disqualified,
        };
        let v = super::leads::Valid {
            company: Some(format!("{company} d.o.o.")),
            first_name: Some(f.to_string()),
            last_name: Some(l.to_string()),
            title: Some(["Direktor", "Nabavka", "Vlasnik", "Komercijalista"][rng.below(4) as usize].to_string()),
            email: Some(format!("{}.{}{}@lead.example.rs", crate::domain::text::search_key(f), crate::domain::text::search_key(l), n)),
            phone: Some(format!("+381 6{} {} {}", rng.below(6) + 1, 100 + rng.below(899), 1000 + rng.below(8999))),
            city: Some(rng.pick(region.1).to_string()),
            region: Some(region.0.to_string()),
            pib: None,
            source_id: Some(*rng.pick(&sources)),
            rating: *rng.pick(LeadRating::ALL),
            status: if status == LeadStatus::Disqualified { LeadStatus::Contacted } else { status },
            estimated_minor: (1 + rng.below(60)) as i64 * 50_000 * 100,
            currency: crate::domain::money::Currency::RSD,
            notes: None,
            preferences: Default::default(),
            owner_id: Some(*rng.pick(sellers)),
        };
        let created = today - Duration::days(rng.below(120) as i64);
        let ts = format!("{}T{:02}:{:02}:00.000Z", created.format("%Y-%m-%d"), 8 + rng.below(9), rng.below(60));
        let id = super::leads::insert(tx, actor, &v, Some(&ts), true).await?;
        if status == LeadStatus::Disqualified {
            sqlx::query(
                "UPDATE leads SET status = 'disqualified', disqualify_reason_id = $1, closed_at = $2, closed_by = owner_id WHERE id = $3",
            )
            .bind(*rng.pick(&reasons))
            .bind(&ts)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// Two to six activities per customer account over the last two months and the next two weeks:
/// completed calls with outcomes, meetings and visits, tasks (a few overdue), logged emails.
async fn load_activities(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    contacts_by_account: &[(i64, Vec<i64>)],
    accounts: &[(i64, i64, bool)],
    rng: &mut Rng,
) -> Result<(), AppError> {
    use crate::domain::{ActivityKind, Direction, Priority, RegardingKind};
    let now = Utc::now();
    for (account, owner, competitor) in accounts {
        if *competitor {
            continue;
        }
        let people = contacts_by_account.iter().find(|(a, _)| a == account).map(|(_, c)| c.clone()).unwrap_or_default();
        for _ in 0..(2 + rng.below(5)) {
            let days = rng.below(75) as i64 - 60; // two months back, two weeks ahead
            let start = (now + Duration::days(days))
                .date_naive()
                .and_hms_opt(8 + rng.below(9) as u32, [0, 15, 30, 45][rng.below(4) as usize], 0)
                .unwrap_or_default();
            let Some(starts) = crate::clock::local_to_utc(start) else { continue };
            let past = days < 0;
            let kind = *rng.pick(&[ActivityKind::Call, ActivityKind::Call, ActivityKind::Meeting, ActivityKind::Task, ActivityKind::Email]);
            let (subject, ends, outcome) = match kind {
                ActivityKind::Call => (
                    "Telefonski razgovor".to_string(),
                    Some(starts + Duration::minutes(10 + rng.below(20) as i64)),
                    past.then(|| rng.pick(CALL_OUTCOMES).to_string()),
                ),
                ActivityKind::Meeting => {
                    (rng.pick(MEETINGS).to_string(), Some(starts + Duration::minutes(60 + 30 * rng.below(3) as i64)), None)
                }
                ActivityKind::Email => ("Ponuda i uslovi plaćanja".to_string(), None, None),
                _ => (rng.pick(TASKS).to_string(), None, None),
            };
            let regarding = match people.first() {
                Some(c) if kind != ActivityKind::Task && rng.below(2) == 0 => (RegardingKind::Contact, *c),
                _ => (RegardingKind::Account, *account),
            };
            // Past calls, emails and meetings happened; about one past task in four is still open (overdue).
            let completed = past && (kind != ActivityKind::Task || rng.below(4) != 0);
            let v = super::activities::Valid {
                kind,
                subject,
                description: None,
                priority: if rng.below(5) == 0 { Priority::High } else { Priority::Normal },
                starts_at: crate::clock::stamp(starts),
                ends_at: ends.map(crate::clock::stamp),
                direction: (kind == ActivityKind::Call).then(|| if rng.below(3) == 0 { Direction::In } else { Direction::Out }),
                outcome,
                location: (kind == ActivityKind::Meeting).then(|| "Kod kupca".to_string()),
                regarding_kind: regarding.0,
                regarding_id: regarding.1,
                owner_id: Some(*owner),
                completed,
                attendee_contacts: if kind == ActivityKind::Meeting { people.iter().take(1).copied().collect() } else { Vec::new() },
                attendee_users: Vec::new(),
            };
            super::activities::insert(tx, actor, &v, None, true).await?;
        }
    }
    Ok(())
}

async fn new_user(db: &Db, name: &str, email: &str, role: &str, team: Option<i64>) -> Result<i64, AppError> {
    if let Some(row) = sqlx::query("SELECT id FROM users WHERE email = $1").bind(email).fetch_optional(&db.pool).await? {
        return Ok(row.try_get("id")?);
    }
    let id = auth::create_user(
        db,
        None,
        auth::NewUser { email: email.into(), name: name.into(), role: role.into(), team_id: team, password: DEMO_PASSWORD.into() },
    )
    .await?;
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE users SET is_demo = 1 WHERE id = $1").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(id)
}

/// Whether demo data is loaded (the UI shows a banner).
pub async fn is_loaded(db: &Db) -> Result<bool, AppError> {
    Ok(sqlx::query("SELECT value FROM settings WHERE key = 'demo_loaded'").fetch_optional(&db.pool).await?.is_some())
}

/// Goals for this quarter and month: each team +20 % won revenue over the same quarter last year, each
/// salesperson a monthly revenue target and eight meetings.
async fn load_goals(tx: &mut crate::db::Tx, actor: &Actor, team_ids: &[i64], sellers: &[(i64, usize)]) -> Result<(), AppError> {
    use crate::domain::reports::Period;
    let today = crate::clock::today();
    let quarter = Period::Quarter.start_of(today).format("%Y-%m-%d").to_string();
    let month = Period::Month.start_of(today).format("%Y-%m-%d").to_string();
    let metric = async |tx: &mut crate::db::Tx, name: &str| -> Result<i64, AppError> {
        Ok(sqlx::query("SELECT id FROM goal_metrics WHERE name = $1").bind(name).fetch_one(&mut **tx).await?.try_get("id")?)
    };
    let (revenue, meetings) = (metric(tx, "won_revenue").await?, metric(tx, "meetings_done").await?);
    let now = crate::db::now();
    let insert = "INSERT INTO goals (metric_id, user_id, team_id, period, period_start, target_kind, target, created_at, created_by, updated_at, updated_by, version) \
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $9, 1)";
    for team in team_ids {
        sqlx::query(insert)
            .bind(revenue)
            .bind(None::<i64>)
            .bind(Some(*team))
            .bind("quarter")
            .bind(&quarter)
            .bind("relative")
            .bind(2_000_i64)
            .bind(&now)
            .bind(actor.id)
            .execute(&mut **tx)
            .await?;
    }
    for (i, (seller, _)) in sellers.iter().enumerate() {
        for (metric, target) in [(revenue, (150 + 25 * (i as i64 % 4)) * 10_000 * 100), (meetings, 8)] {
            sqlx::query(insert)
                .bind(metric)
                .bind(Some(*seller))
                .bind(None::<i64>)
                .bind("month")
                .bind(&month)
                .bind("absolute")
                .bind(target)
                .bind(&now)
                .bind(actor.id)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}
