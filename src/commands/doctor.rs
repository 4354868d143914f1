//! `kctl doctor`: checks a connection step by step and says what is wrong.
//!
//! Steps: name resolution and TCP connect for each bootstrap address, the Kafka handshake
//! (ApiVersions), cluster metadata through librdkafka (which includes TLS and SASL: a refused
//! TLS handshake fails the handshake step, a refused login the authentication step), then
//! whether every broker the cluster advertises is itself reachable (the classic
//! advertised.listeners mistake), and authentication. With a schema registry set, a last step
//! checks it answers as a registry and takes the credentials.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::Ctx;
use crate::error::{Error, Result};
use crate::kafka::{self, probe, ClientConfig, ClusterInfo, Kafka};
use crate::render::{plural, Block, Render, Table};

#[derive(Debug, clap::Args)]
pub struct Args {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Failed,
    Skipped,
}

#[derive(Debug, Serialize)]
pub struct Step {
    /// resolve, connect, handshake, metadata, advertised, authentication or registry.
    pub step: &'static str,
    /// The address or broker the step is about.
    pub target: String,
    pub status: Status,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub ok: bool,
    pub verdict: String,
    pub steps: Vec<Step>,
    /// The verdict is a warning: the connection works, but a step failed.
    #[serde(skip)]
    pub warning: bool,
    /// What to do about the failure, when kctl knows.
    #[serde(skip)]
    pub hint: Option<String>,
}

struct Doctor {
    deadline: Instant,
    /// The connections speak TLS: the handshake step is left to the metadata step.
    tls: bool,
    /// The SASL mechanism, when the connections authenticate.
    sasl: Option<String>,
    steps: Vec<Step>,
    /// The first failure's explanation, which becomes the verdict.
    problem: Option<String>,
    /// A failure that does not stop the connection (a bootstrap address that does not work
    /// while others do): the verdict when there is no problem.
    warning: Option<String>,
    /// What to do about the problem, when kctl knows.
    hint: Option<String>,
}

impl Doctor {
    fn remaining(&self) -> Duration {
        self.deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1))
    }

    fn record(
        &mut self,
        step: &'static str,
        target: &str,
        result: std::result::Result<String, String>,
    ) -> bool {
        let ok = result.is_ok();
        let (status, detail) = match result {
            Ok(d) => (Status::Ok, d),
            Err(d) => (Status::Failed, d),
        };
        self.steps.push(Step {
            step,
            target: target.to_string(),
            status,
            detail,
        });
        ok
    }

    fn fail(&mut self, verdict: String) {
        if self.problem.is_none() {
            self.problem = Some(verdict);
        }
    }

    fn skip(&mut self, step: &'static str, target: &str, why: &str) {
        self.steps.push(Step {
            step,
            target: target.to_string(),
            status: Status::Skipped,
            detail: why.to_string(),
        });
    }

    /// Resolve, connect and (unless TLS) handshake with one address. Returns whether it works.
    async fn check_address(
        &mut self,
        address: &str,
        handshake: bool,
        label: &str,
    ) -> std::result::Result<(), String> {
        let addrs = match probe::resolve(address, self.remaining()).await {
            Ok(addrs) => {
                let shown: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
                self.record("resolve", label, Ok(shown.join(", ")));
                addrs
            }
            Err(e) => {
                let msg = format!("cannot resolve {address}: {e}");
                self.record("resolve", label, Err(e));
                return Err(msg);
            }
        };
        let mut last = String::new();
        for addr in addrs {
            match probe::connect(addr, self.remaining()).await {
                Ok(mut stream) => {
                    self.record("connect", label, Ok(format!("TCP connection to {addr}")));
                    if !handshake {
                        self.skip(
                            "handshake",
                            label,
                            "TLS listener: checked with the metadata step",
                        );
                        return Ok(());
                    }
                    return match probe::api_versions(&mut stream, self.remaining()).await {
                        Ok(h) => {
                            self.record(
                                "handshake",
                                label,
                                Ok(format!("Kafka answered ApiVersions ({} APIs)", h.api_count)),
                            );
                            Ok(())
                        }
                        Err(e) => {
                            let msg = format!("{address} accepts connections, but {e}");
                            self.record("handshake", label, Err(e));
                            Err(msg)
                        }
                    };
                }
                Err(e) => {
                    let via = if addr.to_string() == address {
                        String::new()
                    } else {
                        format!(" ({addr})")
                    };
                    last = format!("cannot connect to {address}{via}: {e}");
                    self.record("connect", label, Err(format!("{addr}: {e}")));
                }
            }
        }
        Err(last)
    }
}

pub async fn run(_args: Args, ctx: &Ctx) -> Result<()> {
    let mut report = diagnose(ctx.client()?).await;
    if ctx.settings.registry.is_some() {
        check_registry(ctx, &mut report).await;
    }
    ctx.printer.print(&report)?;
    if report.ok {
        Ok(())
    } else if report.warning {
        Err(Error::runtime(report.verdict).context("the connection check found a problem"))
    } else {
        let error = Error::runtime(report.verdict).context("the connection check failed");
        Err(match report.hint {
            Some(hint) => error.with_hint(hint),
            None => error,
        })
    }
}

pub async fn diagnose(client: &ClientConfig) -> Report {
    let kafka::SecurityMode { tls, sasl } = client.security_mode();
    let mut doc = Doctor {
        deadline: Instant::now() + client.timeout,
        tls,
        sasl,
        steps: Vec::new(),
        problem: None,
        warning: None,
        hint: None,
    };
    if doc.check_bootstrap(client).await {
        if let Some(cluster) = doc.check_metadata(client).await {
            doc.check_advertised(&cluster, &client.bootstrap_servers())
                .await;
            doc.check_authentication(&client.bootstrap_servers());
        }
    }
    finish(doc)
}

impl Doctor {
    /// Step 1, every bootstrap address on its own. False when none is reachable (the later
    /// steps are skipped then).
    async fn check_bootstrap(&mut self, client: &ClientConfig) -> bool {
        let mut reachable = 0;
        let mut errors = Vec::new();
        for broker in &client.brokers {
            match self.check_address(broker, !self.tls, broker).await {
                Ok(()) => reachable += 1,
                Err(e) => errors.push(e),
            }
        }
        if reachable > 0 && !errors.is_empty() {
            self.warning = Some(format!(
                "{} of {} bootstrap addresses {} not work ({}): clients get through the others, \
                 but fix or remove {} (-b/--brokers, KCTL_BROKERS or the context's brokers)",
                errors.len(),
                client.brokers.len(),
                plural(errors.len(), "does", "do"),
                errors.join("; "),
                plural(errors.len(), "it", "them"),
            ));
        }
        if reachable == 0 {
            let why = errors.into_iter().next().unwrap_or_default();
            self.fail(format!("no bootstrap broker is reachable: {why}"));
            for step in ["metadata", "advertised", "authentication"] {
                self.skip(step, "-", "no bootstrap broker reachable");
            }
            return false;
        }
        true
    }

    /// Step 2, metadata through librdkafka: the real client path, including TLS and SASL.
    async fn check_metadata(&mut self, client: &ClientConfig) -> Option<ClusterInfo> {
        let mut meta_client = client.clone();
        meta_client.timeout = self.remaining();
        let bootstrap = client.bootstrap_servers();
        let (metadata, stage) = match Kafka::connect(&meta_client) {
            Ok(k) => {
                let metadata = k.metadata().await;
                (metadata, k.failed_stage())
            }
            Err(e) => (Err(e), None),
        };
        match metadata {
            Ok(cluster) => {
                let detail = format!(
                    "{} broker(s), {} topic(s)",
                    cluster.brokers.len(),
                    cluster.topics.len()
                );
                self.record("metadata", &bootstrap, Ok(detail));
                Some(cluster)
            }
            Err(e) => {
                self.metadata_failed(&bootstrap, stage, &e);
                None
            }
        }
    }

    /// The metadata could not be read: the step that failed is the TLS handshake or the SASL
    /// login when librdkafka said so, else the metadata step itself.
    fn metadata_failed(&mut self, bootstrap: &str, stage: Option<kafka::FailedStage>, e: &Error) {
        let reason = match stage {
            Some(_) => e.reason(),
            None => e.message(),
        };
        let (step, verdict) = match stage {
            Some(kafka::FailedStage::Handshake) => (
                "handshake",
                format!("the broker answers, but the TLS handshake failed: {reason}"),
            ),
            Some(kafka::FailedStage::Authentication) => (
                "authentication",
                format!("the broker answers, but authentication failed: {reason}"),
            ),
            None if self.sasl.is_some() || self.tls => (
                "metadata",
                format!(
                    "the broker answers, but the Kafka client could not read metadata (check the TLS/SASL settings): {reason}"
                ),
            ),
            None => (
                "metadata",
                format!("the broker answers, but metadata could not be read: {reason}"),
            ),
        };
        if stage.is_some() {
            self.hint = e.hint().map(str::to_string);
        }
        // A TLS listener's handshake step was left to this one: it fails in its place.
        if step == "handshake" {
            self.steps
                .retain(|s| !(s.step == "handshake" && s.status == Status::Skipped));
        }
        self.record(step, bootstrap, Err(reason));
        self.fail(verdict);
        for later in ["metadata", "advertised", "authentication"] {
            if later != step {
                self.skip(later, "-", "the connection failed");
            }
        }
    }

    /// Step 3, every advertised broker must be reachable itself: clients talk to those addresses.
    async fn check_advertised(&mut self, cluster: &ClusterInfo, bootstrap: &str) {
        for b in &cluster.brokers {
            let address = if b.host.contains(':') {
                format!("[{}]:{}", b.host, b.port)
            } else {
                format!("{}:{}", b.host, b.port)
            };
            let label = format!("broker {} ({address})", b.id);
            let before = self.steps.len();
            let result = self.check_address(&address, !self.tls, &label).await;
            // Fold the per-address steps of an advertised broker into one "advertised" step.
            self.steps.truncate(before);
            match result {
                Ok(()) => {
                    let detail = if self.tls {
                        "reachable"
                    } else {
                        "reachable, answers Kafka"
                    };
                    self.record("advertised", &label, Ok(detail.to_string()));
                }
                Err(e) => {
                    self.record("advertised", &label, Err(e.clone()));
                    self.fail(format!(
                        "the cluster answers at {bootstrap}, but broker {} advertises {address}, which is not reachable from here ({e}); \
                         set the broker's advertised.listeners to an address clients can reach \
                         (with docker-compose: KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://localhost:9092)",
                        b.id
                    ));
                }
            }
        }
    }

    /// Step 4, authentication: metadata went through, so the credentials (if any) were accepted.
    fn check_authentication(&mut self, bootstrap: &str) {
        match self.sasl.clone() {
            Some(mechanism) => {
                let detail = format!("SASL {mechanism} accepted");
                self.record("authentication", bootstrap, Ok(detail));
            }
            None => {
                let why = if self.tls {
                    "TLS without SASL"
                } else {
                    "none configured (PLAINTEXT)"
                };
                self.skip("authentication", bootstrap, why);
            }
        }
    }
}

/// The schema registry step, when one is set: it answers (within --timeout), it is a
/// registry (its subjects list is a registry's answer), and it takes the credentials.
async fn check_registry(ctx: &Ctx, report: &mut Report) {
    let url = ctx
        .settings
        .registry
        .as_ref()
        .map_or_else(String::new, |r| r.url.clone());
    let auth = match ctx.settings.registry.as_ref().and_then(|r| r.auth.as_ref()) {
        Some(crate::registry::settings::RegistryAuth::Basic { .. }) => ", basic auth accepted",
        Some(crate::registry::settings::RegistryAuth::Bearer(_)) => ", token accepted",
        None => "",
    };
    let result = match ctx.registry() {
        Ok(registry) => registry.call(|client| client.subjects(false)).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(subjects) => {
            report.steps.push(Step {
                step: "registry",
                target: url,
                status: Status::Ok,
                detail: format!(
                    "a schema registry, {} {}{auth}",
                    subjects.len(),
                    plural(subjects.len(), "subject", "subjects")
                ),
            });
            if report.ok {
                report.verdict.push_str("; the schema registry answers");
            }
        }
        Err(e) => {
            report.steps.push(Step {
                step: "registry",
                target: url,
                status: Status::Failed,
                detail: e.reason(),
            });
            if report.ok || report.warning {
                report.ok = false;
                report.warning = false;
                report.verdict = format!(
                    "the cluster answers, but the schema registry does not work: {}",
                    e.reason()
                );
                report.hint = e.hint().map(str::to_string);
            }
        }
    }
}

/// The verdict: the first problem; else a warning when a step failed all the same; else ok.
/// A failed step never ends in "the connection works".
fn finish(doc: Doctor) -> Report {
    let warning = doc.warning.or_else(|| {
        doc.steps
            .iter()
            .find(|s| s.status == Status::Failed)
            .map(|s| format!("step {} failed for {}: {}", s.step, s.target, s.detail))
    });
    match (doc.problem, warning) {
        (Some(problem), _) => Report {
            ok: false,
            verdict: problem,
            steps: doc.steps,
            warning: false,
            hint: doc.hint,
        },
        (None, Some(warning)) => Report {
            ok: false,
            verdict: warning,
            steps: doc.steps,
            warning: true,
            hint: None,
        },
        (None, None) => Report {
            ok: true,
            verdict: "the connection works: every broker is reachable and answers Kafka".into(),
            steps: doc.steps,
            warning: false,
            hint: None,
        },
    }
}

impl Render for Report {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new(["STEP", "TARGET", "RESULT", "DETAIL"]);
        for s in &self.steps {
            let result = match s.status {
                Status::Ok => "ok",
                Status::Failed => "FAILED",
                Status::Skipped => "skipped",
            };
            table.row([
                s.step.to_string(),
                s.target.clone(),
                result.to_string(),
                s.detail.clone(),
            ]);
        }
        vec![
            Block::Table(table),
            Block::Line(String::new()),
            Block::Line(format!(
                "verdict: {}",
                if self.ok {
                    self.verdict.clone()
                } else if self.warning {
                    format!("WARNING: {}", self.verdict)
                } else {
                    format!("FAILED: {}", self.verdict)
                }
            )),
        ]
    }
}
