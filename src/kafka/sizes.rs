//! Bytes on disk per replica, from DescribeLogDirs (which librdkafka has no API for): asked
//! of every broker about its own log directories, in parallel, over kctl's own connections
//! (`wire/`) with the same TLS and SASL settings as librdkafka's. A broker that cannot be
//! asked (refused, unreachable, a SASL mechanism kctl does not speak) is a [`SizeFailure`],
//! never an error: sizes are extra facts.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::authz::{self, Operation, Resource};
use super::client::Kafka;
use super::types::{Broker, TopicInfo, TopicPartition};
use super::wire::{self, WireError, WireSettings};
use crate::settings::format_duration;

/// Kafka's error code for a refusal of an operation on the cluster.
const CLUSTER_AUTHORIZATION_FAILED: i16 = 31;

/// The size of one replica, as its broker reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaSize {
    pub broker: i32,
    /// The log directory holding it.
    pub log_dir: String,
    pub size_bytes: i64,
    /// How many offsets it is behind the log end (a future replica: behind the current one).
    pub offset_lag: i64,
    /// A replica being moved to another log directory of the same broker.
    pub is_future: bool,
}

/// Why a broker gave no sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeFailure {
    /// `None`: no broker could be asked (the settings).
    pub broker: Option<i32>,
    /// What went wrong, as a sentence part ("refused DescribeLogDirs: ...").
    pub reason: String,
}

/// What the brokers said about the replicas in their log directories.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogDirSizes {
    /// The replicas found, per partition.
    pub replicas: BTreeMap<TopicPartition, Vec<ReplicaSize>>,
    /// The brokers that answered: a replica on one of them that is not in `replicas` has no
    /// log there.
    pub answered: BTreeSet<i32>,
    pub failures: Vec<SizeFailure>,
}

impl LogDirSizes {
    /// One warning for all the failures, if there were any.
    pub fn warning(&self) -> Option<String> {
        let first = self.failures.first()?;
        let same = self.failures.iter().all(|f| f.reason == first.reason);
        let brokers: Vec<String> = self
            .failures
            .iter()
            .filter_map(|f| f.broker.map(|b| b.to_string()))
            .collect();
        let whose = match brokers.len() {
            0 => String::new(),
            1 => format!(" for the replicas on broker {}", brokers[0]),
            _ => format!(" for the replicas on brokers {}", brokers.join(", ")),
        };
        let why = if same {
            first.reason.clone()
        } else {
            self.failures
                .iter()
                .map(|f| match f.broker {
                    Some(b) => format!("broker {b}: {}", f.reason),
                    None => f.reason.clone(),
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        Some(format!("sizes are unknown{whose}: {why}"))
    }
}

/// What DescribeLogDirs asks for: some topics' partitions, or all topics.
pub enum SizesOf<'a> {
    /// These topics' partitions, asked of the brokers holding their replicas.
    Topics(&'a [&'a TopicInfo]),
    /// Every topic, asked of every broker.
    AllTopics,
}

impl Kafka {
    /// The sizes of the replicas of `of`, from every broker of `brokers` (the metadata's)
    /// that may hold one, each exchange bounded by the timeout.
    pub async fn log_dir_sizes(&self, brokers: &[Broker], of: SizesOf<'_>) -> LogDirSizes {
        let settings = match &self.wire {
            Ok(settings) => settings.clone(),
            Err(e) => return unavailable(e),
        };
        let Plan {
            topics,
            brokers,
            offline,
        } = plan(brokers, &of);
        let asks = brokers.iter().map(|b| {
            let settings = settings.clone();
            let topics = topics.clone();
            ask(b, settings, topics)
        });
        let answers = futures::future::join_all(asks).await;
        let mut sizes = LogDirSizes::default();
        for id in offline {
            sizes.failures.push(SizeFailure {
                broker: Some(id),
                reason: "it is not in the cluster's metadata (offline)".to_string(),
            });
        }
        for (broker, answer) in brokers.iter().zip(answers) {
            add(&mut sizes, broker, answer, &self.principal);
        }
        sizes
    }
}

/// Whom to ask about what.
struct Plan<'a> {
    /// The topics and partitions to ask about (`None`: all).
    topics: Option<Vec<(String, Vec<i32>)>>,
    brokers: Vec<&'a Broker>,
    /// Brokers holding a replica that the metadata does not name (offline).
    offline: BTreeSet<i32>,
}

/// Only the brokers holding a replica of the topics have something to say about them (one
/// that is down or slow then holds up nothing else).
fn plan<'a>(brokers: &'a [Broker], of: &SizesOf<'_>) -> Plan<'a> {
    let SizesOf::Topics(topics) = of else {
        return Plan {
            topics: None,
            brokers: brokers.iter().collect(),
            offline: BTreeSet::new(),
        };
    };
    let hosts: BTreeSet<i32> = topics
        .iter()
        .flat_map(|t| &t.partitions)
        .flat_map(|p| p.replicas.iter().copied())
        .collect();
    Plan {
        topics: Some(
            topics
                .iter()
                .map(|t| (t.name.clone(), t.partitions.iter().map(|p| p.id).collect()))
                .collect(),
        ),
        brokers: brokers.iter().filter(|b| hosts.contains(&b.id)).collect(),
        offline: hosts
            .into_iter()
            .filter(|id| brokers.iter().all(|b| b.id != *id))
            .collect(),
    }
}

fn unavailable(e: &WireError) -> LogDirSizes {
    LogDirSizes {
        failures: vec![SizeFailure {
            broker: None,
            reason: e.to_string(),
        }],
        ..LogDirSizes::default()
    }
}

/// One broker's log directories, on the blocking pool, bounded by the timeout.
async fn ask(
    broker: &Broker,
    settings: WireSettings,
    topics: Option<Vec<(String, Vec<i32>)>>,
) -> Result<Vec<wire::LogDir>, WireError> {
    let address = if broker.host.contains(':') {
        format!("[{}]:{}", broker.host, broker.port)
    } else {
        format!("{}:{}", broker.host, broker.port)
    };
    let limit = settings.timeout;
    let call = tokio::task::spawn_blocking(move || {
        wire::describe_log_dirs(&address, &settings, topics.as_deref())
    });
    // The sockets are bounded by the same deadline; this is the net under it.
    match tokio::time::timeout(limit + Duration::from_millis(100), call).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => Err(WireError::Protocol(format!("internal error: {e}"))),
        Err(_) => Err(WireError::Timeout(format!(
            "no answer within {}",
            format_duration(limit)
        ))),
    }
}

/// Adds one broker's answer: its replicas, or why there are none (`principal` is who asked).
fn add(
    sizes: &mut LogDirSizes,
    broker: &Broker,
    answer: Result<Vec<wire::LogDir>, WireError>,
    principal: &str,
) {
    let failure = match answer {
        Err(e) => Some(failure_reason(broker, &e, principal)),
        // Every broker has a log directory: brokers before DescribeLogDirs v3 (Kafka 3.3)
        // answer a principal they do not authorize with none, and no error.
        Ok(dirs) if dirs.is_empty() => Some(format!(
            "{}:{} reported no log directory (not authorized to DescribeLogDirs?)",
            broker.host, broker.port
        )),
        Ok(dirs) => add_dirs(sizes, broker.id, dirs),
    };
    match failure {
        None => {
            sizes.answered.insert(broker.id);
        }
        Some(reason) => sizes.failures.push(SizeFailure {
            broker: Some(broker.id),
            reason,
        }),
    }
}

/// Adds the replicas of a broker's log directories; what to say about those that failed
/// (their replicas are unknown: the broker's sizes are incomplete).
fn add_dirs(sizes: &mut LogDirSizes, broker: i32, dirs: Vec<wire::LogDir>) -> Option<String> {
    let mut failed = Vec::new();
    for dir in dirs {
        if let Some(e) = &dir.error {
            failed.push(format!("{}: {e}", dir.path));
            continue;
        }
        for r in dir.replicas {
            let replica = ReplicaSize {
                broker,
                log_dir: dir.path.clone(),
                size_bytes: r.size,
                offset_lag: r.offset_lag,
                is_future: r.is_future,
            };
            sizes
                .replicas
                .entry((r.topic, r.partition))
                .or_default()
                .push(replica);
        }
    }
    (!failed.is_empty()).then(|| format!("log directories failed: {}", failed.join(", ")))
}

/// What to say about a broker that gave no sizes; no secret ever in it. A refusal
/// (CLUSTER_AUTHORIZATION_FAILED: DescribeLogDirs takes Describe on the cluster) is worded as
/// every refusal is, naming `principal`.
fn failure_reason(broker: &Broker, e: &WireError, principal: &str) -> String {
    let at = format!("{}:{}", broker.host, broker.port);
    let text = match e {
        WireError::Refused {
            code: CLUSTER_AUTHORIZATION_FAILED,
            ..
        } => format!(
            "{} (DescribeLogDirs at {at}; managed services refuse it)",
            authz::refusal(Operation::Describe, &Resource::Cluster, principal)
        ),
        WireError::Refused { .. } | WireError::UnsupportedApi(_) => {
            format!("{at} refused DescribeLogDirs: {e}")
        }
        WireError::Unsupported(_) => e.to_string(),
        _ => format!("{at}: {e}"),
    };
    crate::security::scrub(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(broker: Option<i32>, reason: &str) -> SizeFailure {
        SizeFailure {
            broker,
            reason: reason.into(),
        }
    }

    #[test]
    fn failures_make_one_warning() {
        let mut sizes = LogDirSizes::default();
        assert_eq!(sizes.warning(), None);
        sizes.failures = vec![failure(Some(1), "refused"), failure(Some(2), "refused")];
        assert_eq!(
            sizes.warning().unwrap(),
            "sizes are unknown for the replicas on brokers 1, 2: refused"
        );
        sizes.failures = vec![failure(Some(1), "refused"), failure(Some(3), "timed out")];
        assert_eq!(
            sizes.warning().unwrap(),
            "sizes are unknown for the replicas on brokers 1, 3: broker 1: refused; broker 3: timed out"
        );
        sizes.failures = vec![failure(None, "no GSSAPI")];
        assert_eq!(sizes.warning().unwrap(), "sizes are unknown: no GSSAPI");
    }

    /// Brokers that cannot be asked are failures, each within the timeout, side by side.
    #[test]
    fn brokers_that_do_not_answer_are_failures_within_the_timeout() {
        use std::io::{Read, Write};
        use std::net::TcpListener;
        let dead = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let silent_port = silent.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let held: Vec<_> = silent.incoming().collect();
            drop(held);
        });
        let http = TcpListener::bind("127.0.0.1:0").unwrap();
        let http_port = http.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for mut conn in http.incoming().flatten() {
                let _ = conn.read(&mut [0u8; 64]);
                let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
            }
        });
        let broker = |id, port| Broker {
            id,
            host: "127.0.0.1".into(),
            port,
        };
        let brokers = [
            broker(1, i32::from(dead.port())),
            broker(2, i32::from(silent_port)),
            broker(3, i32::from(http_port)),
        ];
        let config =
            crate::kafka::ClientConfig::for_test(&["-b", &dead.to_string(), "--timeout", "1s"]);
        let kafka = Kafka::connect(&config).unwrap();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let started = std::time::Instant::now();
        let sizes = runtime.block_on(kafka.log_dir_sizes(&brokers, SizesOf::AllTopics));
        assert!(
            started.elapsed() < Duration::from_millis(1800),
            "{:?}",
            started.elapsed()
        );
        assert!(sizes.answered.is_empty() && sizes.replicas.is_empty());
        let reasons: Vec<&str> = sizes.failures.iter().map(|f| f.reason.as_str()).collect();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(reasons[0].contains("cannot connect"), "{reasons:?}");
        assert!(reasons[1].contains("no answer within 1s"), "{reasons:?}");
        assert!(reasons[2].contains("not a Kafka frame"), "{reasons:?}");
        let warning = sizes.warning().unwrap();
        assert!(warning.starts_with("sizes are unknown for the replicas on brokers 1, 2, 3: "));
        std::mem::forget(kafka);
    }

    #[test]
    fn asks_only_the_brokers_holding_replicas() {
        use crate::kafka::PartitionInfo;
        let brokers: Vec<Broker> = (1..=3)
            .map(|id| Broker {
                id,
                host: "h".into(),
                port: 9092,
            })
            .collect();
        let topic = TopicInfo {
            name: "t".into(),
            error: None,
            partitions: vec![PartitionInfo {
                id: 0,
                leader: Some(1),
                replicas: vec![1, 4],
                isr: vec![1],
                error: None,
            }],
        };
        let topics = [&topic];
        let p = plan(&brokers, &SizesOf::Topics(&topics));
        assert_eq!(p.brokers.iter().map(|b| b.id).collect::<Vec<_>>(), [1]);
        assert_eq!(p.offline, [4].into());
        assert_eq!(p.topics.unwrap(), [("t".to_string(), vec![0])]);
        let p = plan(&brokers, &SizesOf::AllTopics);
        assert_eq!(p.brokers.len(), 3);
        assert!(p.topics.is_none() && p.offline.is_empty());
    }

    #[test]
    fn answers_become_replicas_or_failures() {
        let b = |id| Broker {
            id,
            host: "h".into(),
            port: 9092,
        };
        let replica = wire::LogDirReplica {
            topic: "t".into(),
            partition: 0,
            size: 5,
            offset_lag: 0,
            is_future: false,
        };
        let dir = |path: &str, error| wire::LogDir {
            path: path.into(),
            error,
            replicas: vec![replica.clone()],
        };
        let mut sizes = LogDirSizes::default();
        add(&mut sizes, &b(1), Ok(vec![dir("/a", None)]), "User:a");
        add(&mut sizes, &b(2), Ok(vec![]), "User:a");
        let offline = Some(WireError::refused(56, None));
        add(
            &mut sizes,
            &b(3),
            Ok(vec![dir("/a", None), dir("/b", offline)]),
            "User:a",
        );
        assert_eq!(sizes.answered, [1].into());
        let on: Vec<i32> = sizes.replicas[&("t".to_string(), 0)]
            .iter()
            .map(|r| r.broker)
            .collect();
        assert_eq!(on, [1, 3]);
        assert!(sizes.failures[0].reason.contains("no log directory"));
        assert!(sizes.failures[1]
            .reason
            .starts_with("log directories failed: /b: "));
    }

    #[test]
    fn a_refusal_says_what_is_needed() {
        let b = Broker {
            id: 1,
            host: "h".into(),
            port: 9092,
        };
        let why = failure_reason(&b, &WireError::refused(31, None), "User:alice");
        assert_eq!(
            why,
            "not authorized to describe the cluster as User:alice (DescribeLogDirs at h:9092; \
             managed services refuse it)"
        );
        let why = failure_reason(&b, &WireError::refused(35, None), "User:alice");
        assert!(why.starts_with("h:9092 refused DescribeLogDirs: "), "{why}");
    }
}
