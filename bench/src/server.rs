//! A real Veza server for the HTTP workloads: started as its own process on the data set, timed from
//! spawn to its first answered request, its memory (RSS) read from /proc, and signed-in sessions.

use app::domain::text::urlencode;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    pub base: String,
    pub startup_ms: f64,
}

impl Server {
    pub async fn start(bin: &str, site_root: &str, database_url: &str, port: u16) -> Result<Server, String> {
        let addr = format!("127.0.0.1:{port}");
        let started = Instant::now();
        let child = Command::new(bin)
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ROOT", site_root)
            .env("LEPTOS_SITE_ADDR", &addr)
            .env("LEPTOS_OUTPUT_NAME", "veza")
            .env("VEZA_LANG", "sr")
            .env("VEZA_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {bin}: {e} (build it first: cargo leptos build --release)"))?;
        let mut server = Server { child, base: format!("http://{addr}"), startup_ms: 0.0 };
        let client = reqwest::Client::new();
        loop {
            if let Ok(r) = client.get(format!("{}/healthz", server.base)).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("the server exited during start-up ({status})"));
            }
            if started.elapsed() > Duration::from_secs(120) {
                return Err("the server did not answer within 120 s".into());
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        server.startup_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(server)
    }

    /// Resident memory of the server process in MiB.
    pub fn rss_mib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    }

    /// Signs `email` in through the sign-in server function and returns the session cookie.
    pub async fn sign_in(&self, client: &reqwest::Client, email: &str, password: &str) -> Result<String, String> {
        use leptos::server_fn::ServerFn;
        let path = <app::api::session::SignIn as ServerFn>::PATH;
        let body = format!("email={}&password={}", urlencode(email), urlencode(password));
        let r = client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", &self.base)
            .body(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("veza_session="))
            .and_then(|c| c.split(';').next())
            .map(str::to_string);
        match cookie {
            Some(c) if r.status().is_success() => Ok(c),
            _ => Err(format!("sign-in of {email} failed: {}", r.status())),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
