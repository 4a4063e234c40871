//! `veza-bench`: generates a deterministic data set at scale (default 1,000,000 contacts) on SQLite or
//! Postgres and measures Veza's own code paths against raw SQL in the same run. Prints a table and
//! writes JSON. See docs/performance.md.

mod generate;
mod measure;
mod raw;
mod server;
mod workloads;

use clap::Parser;
use measure::Outcome;
use serde_json::json;
use std::collections::HashMap;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "veza-bench", about = "Veza benchmark harness: Veza vs raw SQL in the same run")]
struct Cli {
    /// sqlite or postgres.
    #[arg(long, default_value = "sqlite")]
    backend: String,
    /// Contacts in the data set (accounts = 1/5, opportunities = as many, 1% of them open).
    #[arg(long, default_value_t = 1_000_000)]
    contacts: i64,
    /// The quick scale: 20,000 contacts, fewer rounds, a 10-second W7 (proves the harness works).
    #[arg(long)]
    quick: bool,
    /// Database URL; default: target/bench/veza-bench-<contacts>.db, or the Postgres database
    /// veza_bench_<contacts> on --pg (created when missing).
    #[arg(long)]
    database_url: Option<String>,
    /// Postgres server for --backend postgres.
    #[arg(long, env = "VEZA_TEST_PG", default_value = "postgres://postgres@127.0.0.1:5432")]
    pg: String,
    /// Seed of the generator.
    #[arg(long, default_value_t = 20261127)]
    seed: u64,
    /// Generate again even when the database holds this data set.
    #[arg(long)]
    regenerate: bool,
    /// The Veza server binary for the HTTP workloads.
    #[arg(long, default_value = "target/release/veza")]
    server: String,
    /// The site directory built by cargo-leptos (pages' assets and the wasm whose size is reported).
    #[arg(long, default_value = "target/site")]
    site_root: String,
    /// Port of the benchmarked server.
    #[arg(long, default_value_t = 3990)]
    port: u16,
    /// Timed rounds of each workload.
    #[arg(long)]
    rounds: Option<usize>,
    /// Seconds of W7.
    #[arg(long)]
    w7_secs: Option<u64>,
    /// Where to write the JSON report (default target/bench/<backend>-<contacts>.json).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Activities in the data set (default five per contact). Fewer make generation much faster for
    /// workloads that do not read activities (W1–W6); the data set gets its own database.
    #[arg(long)]
    activities: Option<i64>,
    /// Run only these workloads (e.g. `--only W4,W6`); all when not given.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Exit with an error when any request failed under load (CI uses it; missed speed targets never fail).
    #[arg(long)]
    strict: bool,
}

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("veza-bench: {msg}");
    std::process::exit(2)
}

/// mimalloc instead of the C library's allocator: the import and its analysis allocate small strings per
/// cell, and glibc's malloc/free took 14-20 % of their CPU samples; with mimalloc allocation is about
/// 10 % (docs/performance.md, W5).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    // Veza's own log lines (an import's time split, say) with RUST_LOG=info; warnings only by default.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let contacts = if cli.quick { 20_000 } else { cli.contacts };
    let mut scale = generate::Scale::from_contacts(contacts);
    if let Some(n) = cli.activities {
        scale.activities = n.max(0);
        scale.busy_account_activities = scale.busy_account_activities.min(scale.activities);
    }
    // A data set with its own number of activities lives in its own database.
    let tag = match cli.activities {
        Some(n) => format!("{contacts}_a{n}"),
        None => contacts.to_string(),
    };
    let rounds = cli.rounds.unwrap_or(if cli.quick { 20 } else { 100 });
    let w7_secs = cli.w7_secs.unwrap_or(if cli.quick { 10 } else { 60 });
    std::fs::create_dir_all("target/bench").unwrap_or_else(|e| fail(e));
    let url = match (&cli.database_url, cli.backend.as_str()) {
        (Some(u), _) => u.clone(),
        (None, "sqlite") => format!("sqlite://target/bench/veza-bench-{tag}.db"),
        (None, "postgres") => {
            let name = format!("veza_bench_{tag}");
            let admin = format!("{}/postgres", cli.pg.trim_end_matches('/'));
            let mut conn =
                <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.unwrap_or_else(|e| fail(format!("{admin}: {e}")));
            let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
                .bind(&name)
                .fetch_optional(&mut conn)
                .await
                .unwrap_or_else(|e| fail(e));
            if exists.is_none() {
                sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap_or_else(|e| fail(e));
            }
            format!("{}/{name}", cli.pg.trim_end_matches('/'))
        }
        (None, other) => fail(format!("--backend must be sqlite or postgres (got {other})")),
    };
    let db = app::db::Db::connect(&url).await.unwrap_or_else(|e| fail(e));
    app::services::stages::ensure_defaults(&db, app::i18n::Lang::Sr).await.unwrap_or_else(|e| fail(format!("{e:?}")));
    let as_of = chrono::Utc::now().date_naive();
    println!(
        "Veza benchmark on {} — preparing {} contacts, {} accounts, {} opportunities ({} open), {} activities…",
        db.backend.name(),
        fmt(scale.contacts),
        fmt(scale.accounts),
        fmt(scale.opportunities),
        fmt(scale.open_opportunities),
        fmt(scale.activities)
    );
    let data = generate::ensure(&db, &url, scale, cli.seed, as_of, cli.regenerate).await.unwrap_or_else(|e| fail(e));
    match data.generated_secs {
        Some(s) => println!("data set generated in {s:.1} s"),
        None => println!("data set reused (generated earlier with the same scale and seed)"),
    }
    let raw = raw::Raw::connect(&url).await.unwrap_or_else(|e| fail(e));
    let cx = workloads::Ctx { db: db.clone(), raw, data: data.clone(), rounds };

    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut push = |r: Result<Vec<Outcome>, String>, what: &str| match r {
        Ok(o) => outcomes.extend(o),
        Err(e) => fail(format!("{what}: {e}")),
    };

    let run = |w: &str| cli.only.is_empty() || cli.only.iter().any(|o| o.trim().eq_ignore_ascii_case(w));
    // The server for the HTTP workloads.
    let needs_server = ["W1", "W7", "W8"].iter().any(|w| run(w));
    let server = if needs_server {
        Some(server::Server::start(&cli.server, &cli.site_root, &url, cli.port).await.unwrap_or_else(|e| fail(e)))
    } else {
        None
    };
    let rss_idle = server.as_ref().and_then(|s| s.rss_mib());
    let startup_ms = server.as_ref().map(|s| s.startup_ms).unwrap_or(0.0);
    let client = reqwest::Client::new();
    let admin_cookie = match &server {
        Some(server) => {
            println!("server ready in {:.0} ms, RSS {:.1} MiB", server.startup_ms, rss_idle.unwrap_or(0.0));
            server.sign_in(&client, "admin@bench.veza.rs", generate::PASSWORD).await.unwrap_or_else(|e| fail(e))
        }
        None => String::new(),
    };

    if let (Some(server), true) = (&server, run("W1")) {
        println!("W1 board page…");
        push(workloads::w1_board(&cx, server, &client, &admin_cookie).await.map(|o| vec![o]), "W1");
    }
    if run("W2") {
        println!("W2 stage moves…");
        push(workloads::w2_move(&cx).await.map(|o| vec![o]), "W2");
    }
    if run("W3") {
        println!("W3 contact list…");
        push(workloads::w3_contacts(&cx).await, "W3");
    }
    if run("W4") {
        println!("W4 forecast…");
        push(workloads::w4_forecast(&cx).await, "W4");
    }
    if run("W5") {
        let w5_rows = scale.contacts.clamp(1_000, 100_000) as usize;
        println!("W5 import of {w5_rows} contacts…");
        push(workloads::w5_import(&cx, w5_rows).await.map(|o| vec![o]), "W5");
    }
    if run("W6") {
        println!("W6 global search…");
        push(workloads::w6_search(&cx).await.map(|o| vec![o]), "W6");
    }
    if run("W9") {
        println!("W9 advanced find…");
        push(workloads::w9_find(&cx).await, "W9");
    }
    if run("W10") {
        println!("W10 quick campaign…");
        push(workloads::w10_campaign(&cx).await.map(|o| vec![o]), "W10");
    }
    let mut rss_w7 = None;
    if let (Some(server), true) = (&server, run("W7")) {
        println!("W7 mixed load for {w7_secs} s…");
        let (w7, rss_a) = workloads::w7_mixed(&cx, server, w7_secs, true).await.unwrap_or_else(|e| fail(format!("W7: {e}")));
        push(Ok(vec![w7]), "W7");
        let sat_secs = (w7_secs / 3).max(5);
        println!("W7b saturation for {sat_secs} s…");
        let (w7b, rss_b) = workloads::w7_mixed(&cx, server, sat_secs, false).await.unwrap_or_else(|e| fail(format!("W7b: {e}")));
        push(Ok(vec![w7b]), "W7b");
        rss_w7 = match (rss_a, rss_b) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
    if let (Some(server), true) = (&server, run("W8")) {
        println!("W8 account timeline page…");
        push(workloads::w8_timeline(&cx, server, &client).await.map(|o| vec![o]), "W8");
    }
    let rss_after = server.as_ref().and_then(|s| s.rss_mib());
    drop(server);

    let wasm = wasm_size(&cli.site_root);
    print_table(&db, &data, &outcomes);
    println!();
    if let Some(w) = &wasm {
        println!(
            "wasm {}: main module {} bytes raw, {} bytes brotli (target ≤ 300 KB brotli); {} lazily loaded chunks, {} bytes raw, \
             {} bytes brotli; heaviest first page load (main + chunks of {}) {} bytes brotli",
            w.dir,
            fmt(w.main_raw as i64),
            fmt(w.main_brotli as i64),
            w.chunks,
            fmt(w.chunks_raw as i64),
            fmt(w.chunks_brotli as i64),
            w.heaviest_split.as_deref().unwrap_or("-"),
            fmt(w.heaviest_page_brotli as i64),
        );
    }
    println!(
        "server: start-up to first answered request {:.0} ms; RSS idle {:.1} MiB, peak under W7 {:.1} MiB, after {:.1} MiB",
        startup_ms,
        rss_idle.unwrap_or(0.0),
        rss_w7.unwrap_or(0.0),
        rss_after.unwrap_or(0.0)
    );
    let report = json!({
        "backend": db.backend.name(),
        "scale": data.scale,
        "seed": cli.seed,
        "as_of": data.as_of.to_string(),
        "generated_secs": data.generated_secs,
        "rounds": rounds,
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "outcomes": outcomes,
        "server": {"startup_ms": startup_ms, "rss_idle_mib": rss_idle, "rss_peak_w7_mib": rss_w7, "rss_after_mib": rss_after},
        "wasm": wasm,
    });
    let out = cli.out.unwrap_or_else(|| PathBuf::from(format!("target/bench/{}-{tag}.json", db.backend.name())));
    std::fs::write(&out, serde_json::to_string_pretty(&report).unwrap()).unwrap_or_else(|e| fail(e));
    println!("JSON report: {}", out.display());
    let failed: u64 = outcomes.iter().map(|o| o.errors).sum();
    if cli.strict && failed > 0 {
        fail(format!("{failed} requests failed under load"));
    }
}

fn fmt(n: i64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn print_table(db: &app::db::Db, data: &generate::DataSet, outcomes: &[Outcome]) {
    let s = data.scale;
    println!();
    println!(
        "Veza vs raw SQL — {} — {} contacts, {} accounts, {} opportunities ({} open), {} cores",
        db.backend.name(),
        fmt(s.contacts),
        fmt(s.accounts),
        fmt(s.opportunities),
        fmt(s.open_opportunities),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
    println!(
        "{:<4} {:>7} {:>10} {:>10} {:>10} {:>10}  {:<6} {:<26} workload",
        "#", "ratio", "Veza p50", "Veza p95", "raw p50", "raw p95", "met", "target"
    );
    for o in outcomes {
        let ms = |v: Option<f64>| v.map(|x| format!("{x:.2} ms")).unwrap_or_else(|| "—".into());
        println!(
            "{:<4} {:>7} {:>10} {:>10} {:>10} {:>10}  {:<6} {:<26} {}",
            o.id,
            o.ratio.map(|r| format!("{r:.2}")).unwrap_or_else(|| "—".into()),
            ms(o.veza.as_ref().map(|v| v.p50_ms)),
            ms(o.veza.as_ref().map(|v| v.p95_ms)),
            ms(o.baseline.as_ref().map(|v| v.p50_ms)),
            ms(o.baseline.as_ref().map(|v| v.p95_ms)),
            match o.met {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "—",
            },
            o.target.text,
            o.name
        );
        for n in &o.notes {
            println!("{:<4} {:>7} {}", "", "", n);
        }
    }
}

/// Sizes of the app's WebAssembly in the site directory, raw and compressed with brotli (quality 11).
/// A split build (`cargo leptos build --split`) has a main module, which every page loads first, and
/// chunks that a lazily loaded page fetches when it opens (`__wasm_split_manifest.json` lists, per
/// split point, the chunks it needs).
#[derive(serde::Serialize)]
struct WasmSizes {
    dir: String,
    /// The main module: `veza.wasm`.
    main_raw: usize,
    main_brotli: usize,
    chunks: usize,
    chunks_raw: usize,
    chunks_brotli: usize,
    /// The split point whose modules weigh most, and main + those modules (brotli): the largest first
    /// download of any page.
    heaviest_split: Option<String>,
    heaviest_page_brotli: usize,
}

fn brotli_len(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    match brotli::BrotliCompress(&mut std::io::Cursor::new(bytes), &mut out, &params) {
        Ok(_) => out.len(),
        Err(_) => bytes.len(),
    }
}

fn wasm_size(site_root: &str) -> Option<WasmSizes> {
    let dir = std::path::Path::new(site_root).join("pkg");
    let measure = |name: &str| std::fs::read(dir.join(name)).ok().map(|bytes| (bytes.len(), brotli_len(&bytes)));
    let main = measure("veza.wasm")?;
    let manifest: HashMap<String, Vec<String>> = std::fs::read_to_string(dir.join("__wasm_split_manifest.json"))
        .ok()
        .and_then(|m| serde_json::from_str(&m).ok())
        .unwrap_or_default();
    let named = |file: &str| {
        let file = file.trim_start_matches("./");
        if file.ends_with(".wasm") {
            file.to_string()
        } else {
            format!("{file}.wasm")
        }
    };
    // Each split point's list holds its own module (`split_<name>`) and the shared chunks it needs;
    // only those are measured (the directory may keep an earlier build's files).
    let built: std::collections::HashSet<String> = manifest.values().flatten().map(|f| named(f)).collect();
    let sizes: HashMap<String, (usize, usize)> = built.into_iter().filter_map(|name| Some((name.clone(), measure(&name)?))).collect();
    let chunk = |file: &str| sizes.get(&named(file)).map_or(0, |s| s.1);
    let heaviest = manifest
        .iter()
        .map(|(split, files)| (split.clone(), files.iter().map(|f| chunk(f)).sum::<usize>()))
        .max_by_key(|(_, brotli)| *brotli);
    Some(WasmSizes {
        dir: dir.display().to_string(),
        main_raw: main.0,
        main_brotli: main.1,
        chunks: sizes.len(),
        chunks_raw: sizes.values().map(|s| s.0).sum(),
        chunks_brotli: sizes.values().map(|s| s.1).sum(),
        heaviest_page_brotli: main.1 + heaviest.as_ref().map_or(0, |h| h.1),
        heaviest_split: heaviest.map(|h| h.0),
    })
}
