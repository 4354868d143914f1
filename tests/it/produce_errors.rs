//! `kctl produce` against Apache Kafka when the topic refuses records: what Kafka said is
//! reported, and a record the topic would refuse is named and left out while the others are
//! delivered.

use crate::common;

use common::Broker;

fn create(broker: &Broker, topic: &str, configs: &[&str]) {
    let mut cmd = broker.kctl();
    cmd.args(["topics", "create", topic, "-p", "1"]);
    for c in configs {
        cmd.args(["-c", c]);
    }
    cmd.assert().success();
}

/// Runs `kctl produce TOPIC ARGS` with `input`; its exit code and stderr.
fn produce(broker: &Broker, topic: &str, args: &[&str], input: &str) -> (Option<i32>, String) {
    let out = broker
        .kctl()
        .args(["--timeout", "20s", "produce", topic])
        .args(args)
        .write_stdin(input)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn values(broker: &Broker, topic: &str) -> String {
    let out = broker
        .kctl()
        .args(["consume", topic, "--from-beginning", "-e"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// One record over the topic's max.message.bytes is named by its line and left out; the
/// valid records around it (which used to be refused with it, in one batch) are delivered.
#[test]
fn an_oversize_record_is_named_and_the_others_are_delivered() {
    let broker = Broker::start();
    let topic = common::unique("produce-oversize");
    create(&broker, &topic, &["max.message.bytes=1000"]);
    let big = "x".repeat(2000);
    let input = format!("a\nb\nc\n{big}\nd\ne\nf\n");
    let (code, stderr) = produce(&broker, &topic, &[], &input);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("message 4 (line 4) not sent:")
            && stderr.contains("max.message.bytes (1000 bytes)"),
        "{stderr}"
    );
    assert!(stderr.contains("delivered 6, failed 1"), "{stderr}");
    assert!(
        stderr.contains("1 of 7 messages were not delivered"),
        "{stderr}"
    );
    assert_eq!(values(&broker, &topic), "a\nb\nc\nd\ne\nf\n");

    // Many small records still go in batches the topic takes.
    let many: String = (0..200).map(|i| format!("{i:0>50}\n")).collect();
    let (code, stderr) = produce(&broker, &topic, &[], &many);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("delivered 200, failed 0"), "{stderr}");
}

/// A record without a key on a compacted topic is named and left out (Kafka refuses it, and
/// the records batched with it); what Kafka says about a record it refuses is reported, not
/// only its error code.
#[test]
fn refused_records_say_what_kafka_said() {
    let broker = Broker::start();
    let compacted = common::unique("produce-compacted");
    create(&broker, &compacted, &["cleanup.policy=compact"]);
    let (code, stderr) = produce(&broker, &compacted, &["-K", "="], "k1=a\nnokey\nk2=b\n");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("message 2 (line 2) not sent: it has no key"),
        "{stderr}"
    );
    assert!(stderr.contains("delivered 2, failed 1"), "{stderr}");
    assert_eq!(values(&broker, &compacted), "a\nb\n");
}

/// Refusals the broker answers with a code only are explained: a timestamp beyond what the
/// topic accepts names the topic's settings.
#[test]
fn refusals_are_explained() {
    let broker = Broker::start();
    let timed = common::unique("produce-future");
    create(&broker, &timed, &["message.timestamp.after.max.ms=60000"]);
    let future = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        + 3_600_000;
    let input = format!("{{\"value\": \"late\", \"timestamp\": {future}}}\n");
    let (code, stderr) = produce(&broker, &timed, &["--input", "envelope"], &input);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("invalid timestamp: ") && stderr.contains("message.timestamp.after.max.ms"),
        "{stderr}"
    );
}

/// A name that collides with an existing topic's ('.' and '_' are the same to Kafka, which
/// refuses to create the second one as an invalid topic): the error names the other topic.
#[test]
fn a_colliding_topic_name_names_the_existing_topic() {
    let broker = Broker::start();
    let dotted = common::unique("produce.collide");
    create(&broker, &dotted, &[]);
    let underscored = dotted.replace('.', "_");
    let (code, stderr) = produce(&broker, &underscored, &[], "a\n");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("collides with the existing topic '{dotted}'")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("did you mean '{dotted}'?")),
        "{stderr}"
    );
}
