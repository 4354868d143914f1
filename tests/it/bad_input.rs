//! Bad input, one table: every row is a command line (with its stdin) that must fail with a
//! given exit code (2 usage, 1 runtime) and one clear line naming what is wrong, and leave the
//! broker exactly as it was: same topics, partitions, offsets and configs, same consumer
//! groups and committed offsets.

use crate::common;

use common::{kctl, Broker};
use serde_json::{json, Value};

/// What a row writes to kctl's stdin.
#[derive(Clone, Copy)]
enum Stdin {
    Nothing,
    Text(&'static str),
    /// One line of this many `x`.
    Big(usize),
}

struct Case {
    args: &'static [&'static str],
    stdin: Stdin,
    code: i32,
    message: &'static str,
    /// A usage error found before any connection: also checked against a dead address.
    offline: bool,
}

/// A usage error in the command line itself (exit 2), found before connecting.
const fn usage(args: &'static [&'static str], message: &'static str) -> Case {
    Case {
        args,
        stdin: Stdin::Nothing,
        code: 2,
        message,
        offline: true,
    }
}

/// A usage error only the cluster's answer reveals or that needs it first (exit 2).
const fn refused(args: &'static [&'static str], message: &'static str) -> Case {
    Case {
        args,
        stdin: Stdin::Nothing,
        code: 2,
        message,
        offline: false,
    }
}

/// A runtime failure (exit 1).
const fn runtime(args: &'static [&'static str], message: &'static str) -> Case {
    Case {
        args,
        stdin: Stdin::Nothing,
        code: 1,
        message,
        offline: false,
    }
}

impl Case {
    const fn input(mut self, stdin: Stdin) -> Case {
        self.stdin = stdin;
        self
    }
}

/// `{dir}` in a row is an existing directory; `{long}` a 250-character topic name; `{broker}`
/// the broker's id.
/// Setup: topic `orders` (2 partitions, 3 messages), topic `small` (max.message.bytes=100),
/// group `tracker` with committed offsets on `orders`, no members.
const CASES: &[Case] = &[
    // Connection and global settings.
    usage(
        &["-b", "localhost", "topics", "list"],
        "invalid broker address 'localhost'",
    ),
    usage(
        &["-b", "host:notaport", "topics", "list"],
        "invalid broker address 'host:notaport'",
    ),
    usage(
        &["-b", "127.0.0.1:99999", "topics", "list"],
        "invalid broker address '127.0.0.1:99999'",
    ),
    usage(
        &["-b", "[::1", "topics", "create", "x"],
        "invalid broker address '[::1'",
    ),
    usage(
        &["-b", "a:1,,b", "topics", "create", "x"],
        "invalid broker address 'b'",
    ),
    usage(&["-b", ",", "topics", "list"], "broker list is empty"),
    usage(
        &["-X", "novalue", "topics", "list"],
        "expected KEY=VALUE, got 'novalue'",
    ),
    usage(
        &["-X", "no.such.property=1", "topics", "create", "x"],
        "invalid -X no.such.property",
    ),
    usage(
        &["-X", "acks=banana", "produce", "orders"],
        "invalid -X acks: Invalid value",
    )
    .input(Stdin::Text("x\n")),
    usage(
        &["-X", "security.protocol=carrier-pigeon", "topics", "list"],
        "invalid -X security.protocol",
    ),
    usage(
        &["--timeout", "soon", "topics", "list"],
        "invalid duration 'soon'",
    ),
    usage(
        &["--timeout", "0s", "topics", "list"],
        "greater than zero",
    ),
    // Past librdkafka's int milliseconds: no call could wait that long.
    usage(
        &["--timeout", "25d", "topics", "list"],
        "the timeout '25d' is too long: at most 24days 20h 31m 23s 647ms",
    ),
    usage(
        &["--timeout", "99999999999999999999", "consume", "orders", "-e"],
        "the timeout '99999999999999999999' is too long",
    ),
    usage(&["-o", "yaml", "topics", "list"], "invalid value 'yaml'"),
    usage(
        &["--sasl-mechanism", "OAUTHBEARER", "topics", "list"],
        "SASL OAUTHBEARER needs a way to get tokens: give --sasl-oauth-token-url URL",
    ),
    // Topics.
    usage(&["topics", "create", "a b"], "invalid topic name 'a b'"),
    usage(&["topics", "create", ".."], "invalid topic name '..'"),
    usage(
        &["topics", "create", "{long}"],
        "it is longer than 249 characters",
    ),
    usage(
        &["topics", "create", "x", "--partitions", "0"],
        "invalid value '0' for '--partitions <N>'",
    ),
    usage(
        &["topics", "create", "x", "--partitions", "-3"],
        "invalid value '-3' for '--partitions <N>'",
    ),
    // librdkafka's limits, as the help says.
    usage(
        &["topics", "create", "x", "-p", "100001"],
        "invalid value '100001' for '--partitions <N>': 100001 is not in 1..=100000",
    ),
    usage(
        &["topics", "create", "x", "-r", "10001"],
        "invalid value '10001' for '--replication-factor <R>': 10001 is not in 1..=10000",
    ),
    usage(
        &["topics", "create", "x", "--replication-factor", "0"],
        "invalid value '0' for '--replication-factor <R>'",
    ),
    usage(
        &["topics", "create", "x", "--config", "nokey"],
        "expected KEY=VALUE, got 'nokey'",
    ),
    runtime(
        &["topics", "create", "x", "--config", "no.such.config=1"],
        "cannot create topic 'x': configuration is invalid (--config no.such.config=1)",
    ),
    runtime(
        &["topics", "create", "x", "--replication-factor", "3"],
        "cannot create topic 'x': invalid replication factor",
    ),
    runtime(
        &["topics", "create", "orders", "--partitions", "5"],
        "cannot create topic 'orders': topic already exists",
    ),
    runtime(&["topics", "describe", "ghost"], "topic not found: ghost"),
    runtime(
        &["topics", "delete", "ghost", "--yes"],
        "topic not found: ghost; nothing was deleted",
    ),
    runtime(
        &["topics", "delete", "orders", "ghost", "--yes"],
        "topic not found: ghost; nothing was deleted",
    ),
    refused(
        &["topics", "delete", "orders"],
        "refusing to delete topic orders without confirmation",
    ),
    usage(&["topics", "describe"], "required arguments were not provided"),
    usage(&["topics", "delete"], "required arguments were not provided"),
    usage(&["topics", "frobnicate"], "unrecognized subcommand 'frobnicate'"),
    // topics list --size, topics describe's sizes (issue 12): a flag without a value.
    usage(
        &["topics", "list", "--size=yes"],
        "unexpected value 'yes' for '--size' found",
    ),
    // Produce: nothing may be sent, so the first record of every input is the bad one.
    runtime(&["produce", "ghost"], "topic 'ghost' does not exist").input(Stdin::Text("x\n")),
    // Leader elections.
    usage(
        &["partitions", "elect-leaders", "--topic", "orders:x"],
        "'x' is not a partition number",
    ),
    runtime(
        &["partitions", "elect-leaders", "--topic", "ghost"],
        "topic not found: ghost",
    ),
    runtime(
        &["partitions", "elect-leaders", "--topic", "orders:9"],
        "partition 9 of topic 'orders' does not exist",
    ),
    refused(
        &["partitions", "elect-leaders", "--unclean"],
        "refusing to run an unclean leader election on every partition without confirmation",
    ),
    // Client quotas.
    usage(
        &["quotas", "alter", "--set", "producer_byte_rate=1"],
        "name the entity: --user, --client-id or --ip",
    ),
    usage(&["quotas", "delete", "--yes"], "name the entity"),
    usage(
        &["quotas", "alter", "--user", "a", "--ip", "10.0.0.1", "--set", "x=1"],
        "cannot be used with",
    ),
    usage(
        &["quotas", "alter", "--ip", "300.1.1.1", "--set", "connection_creation_rate=1"],
        "'300.1.1.1' is not an IP address",
    ),
    usage(
        &["quotas", "alter", "--user", "a", "--set", "producer_byte_rate=fast"],
        "invalid value 'fast' for quota 'producer_byte_rate': not a number",
    ),
    usage(
        &["quotas", "alter", "--user", "a"],
        "required arguments were not provided",
    ),
    runtime(
        &["quotas", "alter", "--user", "a", "--set", "no_such_quota=1"],
        "Invalid configuration key no_such_quota",
    ),
    runtime(
        &["quotas", "delete", "--user", "nobody", "--yes"],
        "user 'nobody' has no quotas; nothing was deleted",
    ),
    // Transactions.
    usage(
        &["transactions", "list", "--state", "Bogus"],
        "invalid value 'Bogus' for '--state <STATE>'",
    ),
    usage(
        &["transactions", "find-hanging"],
        "required arguments were not provided",
    ),
    usage(
        &["txn", "describe", ""],
        "a transactional id cannot be empty",
    ),
    usage(
        &["transactions", "abort", "--topic", "orders", "--partition", "0"],
        "required arguments were not provided",
    ),
    usage(
        &["transactions", "producers", "orders:x"],
        "'x' is not a partition number",
    ),
    runtime(
        &["transactions", "describe", "ghost-tx"],
        "transactional id 'ghost-tx' does not exist",
    ),
    runtime(&["transactions", "producers", "ghost"], "topic not found: ghost"),
    runtime(
        &["transactions", "producers", "orders:7"],
        "partition 7 of topic 'orders' does not exist",
    ),
    runtime(
        &["transactions", "producers", "orders", "--broker", "99"],
        "broker 99 is not in the cluster's metadata",
    ),
    runtime(
        &["transactions", "find-hanging", "--broker", "99"],
        "broker 99 is not in the cluster's metadata",
    ),
    runtime(
        &[
            "transactions",
            "abort",
            "--topic",
            "orders",
            "--partition",
            "0",
            "--start-offset",
            "0",
            "--yes",
        ],
        "no open transaction starts at offset 0 of partition 0 of topic 'orders'",
    ),
    runtime(
        &[
            "transactions",
            "abort",
            "--topic",
            "orders",
            "--partition",
            "5",
            "--start-offset",
            "0",
            "--yes",
        ],
        "partition 5 of topic 'orders' does not exist",
    ),
    usage(&["produce", "a/b"], "invalid topic name 'a/b'"),
    runtime(
        &["produce", "orders", "-p", "5"],
        "partition 5 of topic 'orders' does not exist",
    )
    .input(Stdin::Text("x\n")),
    usage(
        &["produce", "orders", "-p", "-1"],
        "invalid value '-1' for '--partition <N>'",
    ),
    usage(
        &["produce", "orders", "-k", "x", "-K", ":"],
        "'--key <KEY>' cannot be used with '--key-separator <SEP>'",
    ),
    usage(
        &["produce", "orders", "--input", "json", "-K", ":"],
        "--delimiter and --key-separator apply to --input lines only",
    ),
    usage(
        &["produce", "orders", "--input", "envelope", "-k", "x"],
        "--key cannot be used with --input envelope",
    ),
    usage(
        &["produce", "orders", "-H", "novalue"],
        "expected KEY=VALUE, got 'novalue'",
    ),
    usage(&["produce", "orders", "-D", ""], "the separator is empty"),
    usage(&["produce", "orders", "-D", "\\q"], "unknown escape '\\q'"),
    usage(
        &["produce", "orders", "-z", "brotli"],
        "invalid value 'brotli' for '--compression <CODEC>'",
    ),
    runtime(
        &["produce", "orders", "--file", "/nonexistent/kctl/orders.json"],
        "cannot open '/nonexistent/kctl/orders.json': No such file or directory",
    ),
    runtime(
        &["produce", "orders", "--file", "{dir}"],
        "cannot read '{dir}': it is a directory",
    ),
    runtime(
        &["produce", "orders"],
        "invalid JSON at line 1 column 10: expected ident (0 messages were sent before it)",
    )
    .input(Stdin::Text("{\"a\": tru}\n{\"a\": 1}\n")),
    runtime(
        &["produce", "orders", "--input", "json"],
        "invalid JSON at line 1 column 1: expected value",
    )
    .input(Stdin::Text("hello\n{\"a\": 1}\n")),
    runtime(
        &["produce", "orders", "--input", "envelope"],
        "invalid record at line 1 column 19: unknown field `nope`",
    )
    .input(Stdin::Text("{\"value\":\"x\",\"nope\":1}\n{\"value\":\"y\"}\n")),
    runtime(
        &["produce", "orders", "--input", "envelope"],
        "invalid record at line 1 column 1: the value is not valid base64",
    )
    .input(Stdin::Text(
        "{\"value\":\"%%%\",\"value_encoding\":\"base64\"}\n{\"value\":\"y\"}\n",
    )),
    runtime(
        &["produce", "orders", "--input", "envelope"],
        "invalid record at line 1 column 1: partition 5 does not exist (the topic has 2 partitions)",
    )
    .input(Stdin::Text("{\"value\":\"x\",\"partition\":5}\n{\"value\":\"y\"}\n")),
    // What a record cannot carry: librdkafka reads 0 as "now"; Kafka has no negative times.
    runtime(
        &["produce", "orders", "--input", "envelope"],
        "invalid record at line 1 column 27: timestamp 0 cannot be sent: librdkafka reads 0 as \"now\"",
    )
    .input(Stdin::Text("{\"value\":\"x\",\"timestamp\":0}\n{\"value\":\"y\"}\n")),
    runtime(
        &["produce", "orders", "--input", "envelope"],
        "invalid record at line 1 column 28: timestamp -5 is negative",
    )
    .input(Stdin::Text("{\"value\":\"x\",\"timestamp\":-5}\n{\"value\":\"y\"}\n")),
    runtime(
        &["produce", "orders", "--input", "envelope"],
        "unknown variant `hex`",
    )
    .input(Stdin::Text("{\"value\":\"x\",\"value_encoding\":\"hex\"}\n")),
    runtime(
        &["produce", "orders", "--input", "envelope"],
        "invalid record at line 1 column 1: expected a JSON object",
    )
    .input(Stdin::Text("[\"orders\", 1]\n{\"value\":\"y\"}\n")),
    // Larger than the topic accepts (its max.message.bytes: Kafka's default here, 100 for
    // `small`): kctl does not send it (the broker would refuse it, and the records batched
    // with it), and counts it as failed.
    runtime(
        &["produce", "orders"],
        "1 of 1 messages were not delivered to 'orders': larger than the topic's \
         max.message.bytes",
    )
    .input(Stdin::Big(1_100_000)),
    runtime(
        &["produce", "small"],
        "1 of 1 messages were not delivered to 'small': larger than the topic's \
         max.message.bytes (100 bytes)",
    )
    .input(Stdin::Big(1_000)),
    // Consume.
    runtime(&["consume", "ghost", "-e"], "topic 'ghost' does not exist"),
    runtime(
        &["consume", "ghost", "-g", "new-group", "-e"],
        "topic 'ghost' does not exist",
    ),
    usage(&["consume", "orders", "--offset", "soon"], "invalid offset 'soon'"),
    usage(
        &["consume", "orders", "--offset", "-0"],
        "invalid offset '-0': -0 is not a count",
    ),
    usage(
        &["consume", "orders", "--offset", "@yesterday"],
        "invalid offset '@yesterday'",
    ),
    usage(
        &["consume", "orders", "--from-beginning", "--offset", "5"],
        "'--from-beginning' cannot be used with '--offset <WHERE>'",
    ),
    usage(
        &["consume", "orders", "-p", "0", "-g", "new-group"],
        "'--partition <N[,N...]>' cannot be used with '--group <GROUP>'",
    ),
    usage(
        &["consume", "orders", "-g", ""],
        "invalid value '' for '--group <GROUP>': a group name cannot be empty",
    ),
    usage(
        &["consume", "orders", "-p", "0,-1"],
        "invalid value '-1' for '--partition <N[,N...]>'",
    ),
    runtime(
        &["consume", "orders", "-p", "7", "-e"],
        "partition 7 of topic 'orders' does not exist",
    ),
    usage(
        &["consume", "orders", "-c", "0"],
        "invalid value '0' for '--max-messages <N>': '0' is not a count",
    ),
    usage(
        &["consume", "orders", "-c", "-1"],
        "invalid value '-1' for '--max-messages <N>': '-1' is not a count",
    ),
    usage(
        &["consume", "orders", "--format", "%Z"],
        "unknown directive '%Z'",
    ),
    usage(
        &["-o", "json", "consume", "orders", "--format", "%v"],
        "--format and -o json cannot be used together",
    ),
    usage(
        &["consume", "orders", "--grep", "a("],
        "'a(' is not a valid regular expression",
    ),
    usage(&["consume", "orders", "--grep", "h:trace"], "use h:NAME=REGEX"),
    usage(
        &["consume", "orders", "--where", ".value =="],
        "'.value ==' is not a valid jq expression",
    ),
    usage(
        &["consume", "--regex", "a(", "-e"],
        "'a(' is not a valid regular expression",
    ),
    runtime(
        &["consume", "--regex", "ghost-.*", "-e"],
        "no topic matches --regex 'ghost-.*'",
    ),
    runtime(
        &["consume", "orders", "ghost", "-e"],
        "topic 'ghost' does not exist",
    ),
    // Groups.
    runtime(
        &["groups", "describe", "ghost-group"],
        "consumer group not found: ghost-group",
    ),
    usage(&["groups", "describe", ""], "a group name cannot be empty"),
    runtime(
        &["groups", "delete", "ghost-group", "--yes"],
        "consumer group not found: ghost-group; nothing was deleted",
    ),
    runtime(
        &["groups", "delete", "tracker", "ghost-group", "--yes"],
        "consumer group not found: ghost-group; nothing was deleted",
    ),
    refused(
        &["groups", "delete", "tracker"],
        "refusing to delete consumer group tracker without confirmation",
    ),
    runtime(
        &[
            "groups",
            "reset-offsets",
            "ghost-group",
            "--all-topics",
            "--to-earliest",
            "--execute",
            "--yes",
        ],
        "consumer group 'ghost-group' does not exist, so --all-topics names no partition",
    ),
    refused(
        &[
            "groups",
            "reset-offsets",
            "tracker",
            "--topic",
            "orders",
            "--to-earliest",
            "--execute",
        ],
        "refusing to reset the offsets of consumer group 'tracker' on 2 partitions without confirmation",
    ),
    usage(
        &[
            "groups",
            "reset-offsets",
            "tracker",
            "--topic",
            "orders",
            "--to-earliest",
            "--to-latest",
        ],
        "'--to-earliest' cannot be used with '--to-latest'",
    ),
    usage(
        &[
            "groups",
            "reset-offsets",
            "tracker",
            "--topic",
            "orders",
            "--all-topics",
            "--to-earliest",
        ],
        "'--topic <TOPIC[:P[,P...]]>' cannot be used with '--all-topics'",
    ),
    usage(
        &[
            "groups",
            "reset-offsets",
            "tracker",
            "--topic",
            "orders",
            "--to-earliest",
            "--execute",
            "--dry-run",
        ],
        "'--execute' cannot be used with '--dry-run'",
    ),
    usage(
        &["groups", "reset-offsets", "tracker", "--topic", "orders"],
        "required arguments were not provided",
    ),
    usage(
        &[
            "groups",
            "reset-offsets",
            "tracker",
            "--topic",
            "orders",
            "--to-datetime",
            "yesterday",
        ],
        "'yesterday' is not a time",
    ),
    usage(
        &[
            "groups",
            "reset-offsets",
            "tracker",
            "--topic",
            "orders",
            "--to-datetime",
            "2024-13-01T00:00:00Z",
        ],
        "'2024-13-01T00:00:00Z' is not a time",
    ),
    usage(
        &[
            "groups",
            "reset-offsets",
            "tracker",
            "--topic",
            "orders",
            "--by-duration",
            "soon",
        ],
        "'soon' is not a duration",
    ),
    usage(
        &[
            "groups",
            "reset-offsets",
            "tracker",
            "--topic",
            "orders",
            "--to-offset",
            "-5",
        ],
        "invalid value '-5' for '--to-offset <N>'",
    ),
    usage(
        &[
            "groups",
            "reset-offsets",
            "tracker",
            "--topic",
            "orders:x",
            "--to-earliest",
        ],
        "'x' is not a partition number (in 'orders:x')",
    ),
    usage(
        &[
            "groups",
            "reset-offsets",
            "tracker",
            "--topic",
            "bad topic",
            "--to-earliest",
        ],
        "invalid topic name 'bad topic'",
    ),
    runtime(
        &[
            "groups",
            "reset-offsets",
            "tracker",
            "--topic",
            "orders:5",
            "--to-earliest",
            "--execute",
            "--yes",
        ],
        "topic 'orders' has no partition 5",
    ),
    runtime(
        &[
            "groups",
            "reset-offsets",
            "tracker",
            "--topic",
            "ghost",
            "--to-earliest",
            "--execute",
            "--yes",
        ],
        "topic not found: ghost",
    ),
    // Topic configs, partitions and brokers: topics configs / alter / add-partitions, brokers
    // describe / alter. `{broker}` is the broker's id.
    runtime(&["topics", "configs", "ghost"], "topic not found: ghost"),
    runtime(
        &["topics", "alter", "orders", "--set", "no.such.config=1"],
        "cannot alter the configs of topic 'orders': configuration is invalid (Unknown topic \
         config name: no.such.config); nothing was changed",
    ),
    runtime(
        &["topics", "alter", "orders", "--set", "retention.ms=soon"],
        "cannot alter the configs of topic 'orders': configuration is invalid (Invalid value soon \
         for configuration retention.ms: Not a number of type LONG); nothing was changed",
    ),
    // One bad change among good ones, on one of two topics: nothing changes anywhere.
    runtime(
        &[
            "topics",
            "alter",
            "orders",
            "small",
            "--set",
            "retention.ms=5000",
            "--set",
            "max.message.bytes=-7",
        ],
        "cannot alter the configs of topic 'orders': configuration is invalid",
    ),
    runtime(
        &["topics", "alter", "orders", "--delete", "no.such.config"],
        "cannot alter the configs of topic 'orders': unknown config 'no.such.config'; nothing was changed",
    ),
    runtime(
        &["topics", "alter", "orders", "ghost", "--set", "retention.ms=5000"],
        "topic not found: ghost; nothing was changed",
    ),
    usage(&["topics", "alter", "orders"], "required arguments were not provided"),
    usage(
        &["topics", "alter", "orders", "--set", "retention.ms"],
        "expected KEY=VALUE, got 'retention.ms'",
    ),
    usage(
        &["topics", "alter", "orders", "--set", "retention.ms=1", "--delete", "retention.ms"],
        "config 'retention.ms' is named more than once",
    ),
    usage(
        &["topics", "alter", "a b", "--set", "retention.ms=1"],
        "invalid topic name 'a b'",
    ),
    runtime(
        &["topics", "add-partitions", "orders", "--to", "2"],
        "cannot add partitions to topic 'orders': it has 2 partitions, and --to 2 is not more; \
         nothing was changed",
    ),
    runtime(
        &["topics", "add-partitions", "orders", "--to", "1", "--dry-run"],
        "cannot add partitions to topic 'orders': it has 2 partitions, and --to 1 is not more",
    ),
    // More than Kafka adds in one request (10,000): the broker's reason is named.
    runtime(
        &["topics", "add-partitions", "orders", "--to", "100000"],
        "cannot add partitions to topic 'orders': policy violation (Excessively large number of \
         additional partitions per request.); nothing was changed",
    ),
    runtime(
        &["topics", "add-partitions", "ghost", "--to", "3"],
        "topic 'ghost' does not exist",
    ),
    usage(
        &["topics", "add-partitions", "orders"],
        "required arguments were not provided",
    ),
    usage(
        &["topics", "add-partitions", "orders", "--to", "0"],
        "invalid value '0' for '--to <N>'",
    ),
    runtime(&["brokers", "describe", "9999"], "broker 9999 does not exist"),
    usage(
        &["brokers", "describe", "x"],
        "invalid value 'x' for '[ID]': 'x' is not a broker id",
    ),
    runtime(
        &["brokers", "alter", "9999", "--set", "log.cleaner.threads=2"],
        "broker 9999 does not exist",
    ),
    runtime(
        &["brokers", "alter", "{broker}", "--set", "log.cleaner.threads=abc"],
        "cannot alter the configs of broker {broker}: invalid request (Invalid value abc for \
         configuration log.cleaner.threads: Not a number of type INT); nothing was changed",
    ),
    runtime(
        &["brokers", "alter", "{broker}", "--set", "no.such.config=1"],
        "cannot alter the configs of broker {broker}: unknown config 'no.such.config'; nothing \
         was changed",
    ),
    runtime(
        &["brokers", "alter", "{broker}", "--delete", "no.such.config"],
        "cannot alter the configs of broker {broker}: unknown config 'no.such.config'",
    ),
    runtime(
        &["brokers", "alter", "{broker}", "--set", "broker.id=5", "--dry-run"],
        "Cannot update these configs dynamically: [broker.id]",
    ),
    usage(
        &["brokers", "alter", "{broker}"],
        "required arguments were not provided",
    ),
    // brokers describe / alter --default: the cluster-wide broker default.
    usage(
        &["brokers", "describe"],
        "the following required arguments were not provided",
    ),
    usage(
        &["brokers", "describe", "{broker}", "--default"],
        "the argument '[ID]' cannot be used with '--default'",
    ),
    usage(
        &["brokers", "alter", "{broker}", "--default", "--set", "log.cleaner.threads=2"],
        "the argument '[ID]' cannot be used with '--default'",
    ),
    usage(&["brokers", "alter", "--default"], "required arguments were not provided"),
    runtime(
        &["brokers", "alter", "--default", "--set", "no.such.config=1"],
        "cannot alter the configs of the cluster-wide broker default: unknown config \
         'no.such.config'; nothing was changed",
    ),
    runtime(
        &["brokers", "alter", "--default", "--delete", "no.such.config", "--dry-run"],
        "cannot alter the configs of the cluster-wide broker default: unknown config \
         'no.such.config'; nothing was changed",
    ),
    runtime(
        &["brokers", "alter", "--default", "--set", "log.cleaner.threads=abc"],
        "cannot alter the configs of the cluster-wide broker default: invalid request (Invalid \
         value abc for configuration log.cleaner.threads: Not a number of type INT); nothing \
         was changed",
    ),
    // One bad change among good ones: nothing changes.
    runtime(
        &[
            "brokers",
            "alter",
            "--default",
            "--set",
            "log.cleaner.backoff.ms=20000",
            "--set",
            "broker.id=5",
        ],
        "cannot alter the configs of the cluster-wide broker default: invalid request",
    ),
    // kctl's own connections (the default's only way) do not speak every SASL mechanism.
    usage(
        &[
            "-X",
            "security.protocol=sasl_plaintext",
            "-X",
            "sasl.mechanism=OAUTHBEARER",
            "brokers",
            "describe",
            "--default",
        ],
        "kctl's own connections do not speak SASL OAUTHBEARER",
    ),
    // acls list/create/delete, users list/create/delete (the secured broker's tests are in
    // acls_users.rs; this broker has no authorizer).
    usage(
        &["acls", "create", "--allow", "--principal", "alice", "--operation", "read", "--topic", "orders"],
        "invalid principal 'alice': expected User:NAME",
    ),
    usage(
        &["acls", "list", "--principal", "Group:x"],
        "invalid principal 'Group:x'",
    ),
    usage(
        &["acls", "create", "--allow", "--principal", "User:a", "--operation", "fly", "--topic", "orders"],
        "unknown operation 'fly' (one of: all, read, write,",
    ),
    usage(
        &["acls", "create", "--allow", "--principal", "User:a", "--operation", "read"],
        "name at least one resource: --topic, --group, --transactional-id or --cluster",
    ),
    usage(
        &["acls", "create", "--principal", "User:a", "--operation", "read", "--topic", "orders"],
        "the following required arguments were not provided",
    ),
    usage(
        &["acls", "create", "--allow", "--principal", "User:a", "--operation", "read", "--topic", "orders", "--pattern", "match"],
        "'match' is a filter pattern",
    ),
    usage(
        &["acls", "create", "--allow", "--principal", "User:a", "--operation", "create-tokens", "--cluster"],
        "operation create-tokens is not supported",
    ),
    usage(
        &["acls", "create", "--from-file", "{dir}/no-such.json"],
        "cannot read {dir}/no-such.json",
    ),
    usage(
        &["acls", "create", "--from-file", "{dir}", "--topic", "orders"],
        "cannot be used with",
    ),
    usage(&["acls", "delete", "--yes"], "acls delete needs a filter"),
    usage(
        &["acls", "delete", "--all", "--topic", "orders", "--yes"],
        "--all deletes every ACL: it takes no filter",
    ),
    runtime(&["acls", "list"], "security features are disabled"),
    usage(
        &["users", "create", "dave", "--mechanism", "SCRAM-SHA-256", "--iterations", "4095", "--password-env", "X"],
        "iterations must be 4096 to 16384",
    ),
    usage(
        &["users", "create", "dave", "--mechanism", "PLAIN", "--password-env", "X"],
        "unknown SCRAM mechanism 'PLAIN'",
    ),
    usage(
        &["users", "create", "dave", "--mechanism", "SCRAM-SHA-256", "--password", "hunter22"],
        "unexpected argument '--password' found",
    ),
    usage(
        &["users", "create", "dave", "--mechanism", "SCRAM-SHA-256"],
        "no password for the new user: pass --password-env VAR or --password-file FILE",
    ),
    usage(
        &["users", "create", "dave", "--mechanism", "SCRAM-SHA-256", "--password-env", "KCTL_TEST_NO_SUCH_VAR"],
        "--password-env: the environment variable KCTL_TEST_NO_SUCH_VAR is not set",
    ),
    usage(
        &["users", "create", "dave", "--mechanism", "SCRAM-SHA-256", "--password-file", "{dir}/no-such"],
        "--password-file: cannot read {dir}/no-such",
    ),
    usage(
        &["users", "create", "", "--mechanism", "SCRAM-SHA-256"],
        "a user name cannot be empty",
    ),
    usage(&["users", "delete", "dave", "--mechanism", "md5"], "unknown SCRAM mechanism 'md5'"),
    // offsets, topics delete-records, groups delete-offsets, reset-offsets --export/--from-file.
    runtime(&["offsets", "ghost"], "topic not found: ghost"),
    runtime(
        &["offsets", "orders", "-p", "7"],
        "partition 7 of topic 'orders' does not exist",
    ),
    usage(&["offsets", "orders", "--at", "soon"], "'soon' is not a time"),
    usage(&["offsets"], "required arguments were not provided"),
    usage(
        &["topics", "delete-records", "orders"],
        "required arguments were not provided",
    ),
    usage(
        &["topics", "delete-records", "orders", "--before", "-1"],
        "invalid value '-1' for '--before <OFFSET>'",
    ),
    usage(
        &["topics", "delete-records", "orders", "--before", "1", "--to-latest"],
        "'--before <OFFSET>' cannot be used with '--to-latest'",
    ),
    usage(
        &["topics", "delete-records", "orders", "--before-time", "soon"],
        "'soon' is not a time",
    ),
    runtime(
        &["topics", "delete-records", "ghost", "--before", "1", "--execute", "--yes"],
        "topic not found: ghost",
    ),
    runtime(
        &["topics", "delete-records", "orders", "-p", "5", "--before", "0", "--execute", "--yes"],
        "partition 5 of topic 'orders' does not exist",
    ),
    runtime(
        &["topics", "delete-records", "orders", "--before", "1000", "--execute", "--yes"],
        "offset 1000 is past the end of orders:0",
    ),
    runtime(
        &[
            "topics",
            "delete-records",
            "orders",
            "--before-time",
            "2999-01-01T00:00:00Z",
            "--execute",
            "--yes",
        ],
        "is at or after 2999-01-01T00:00:00.000Z: deleting before that time would delete every record there; nothing was deleted",
    ),
    refused(
        &["topics", "delete-records", "orders", "--to-latest", "--execute"],
        "refusing to delete 3 records from",
    ),
    runtime(
        &["topics", "delete-records", "--offsets-file", "{dir}/no-offset.json", "--execute", "--yes"],
        "invalid offsets file '{dir}/no-offset.json': missing field `offset`",
    ),
    runtime(
        &["topics", "delete-records", "--offsets-file", "{dir}/not-json.json", "--execute", "--yes"],
        "invalid offsets file '{dir}/not-json.json': expected value at line 1 column 1",
    ),
    runtime(
        &["topics", "delete-records", "--offsets-file", "{dir}/far.json", "--execute", "--yes"],
        "offset 1000 is past the end of orders:0",
    ),
    runtime(
        &["topics", "delete-records", "--offsets-file", "{dir}/partition-9.json", "--execute", "--yes"],
        "partition 9 of topic 'orders' does not exist",
    ),
    runtime(
        &[
            "topics",
            "delete-records",
            "small",
            "--offsets-file",
            "{dir}/far.json",
            "--execute",
            "--yes",
        ],
        "it names orders:0, not a partition of topic 'small'",
    ),
    runtime(
        &["topics", "delete-records", "--offsets-file", "{dir}/missing.json", "--execute", "--yes"],
        "cannot read the offsets file '{dir}/missing.json'",
    ),
    runtime(
        &["groups", "delete-offsets", "ghost-group", "--topic", "orders", "--yes"],
        "consumer group not found: ghost-group; nothing was deleted",
    ),
    runtime(
        &["groups", "delete-offsets", "tracker", "--topic", "ghost", "--yes"],
        "topic not found: ghost",
    ),
    runtime(
        &["groups", "delete-offsets", "tracker", "--topic", "orders:5", "--yes"],
        "topic 'orders' has no partition 5",
    ),
    runtime(
        &["groups", "delete-offsets", "tracker", "--topic", "small", "--yes"],
        "consumer group 'tracker' has no committed offsets on topic 'small'; nothing was deleted",
    ),
    refused(
        &["groups", "delete-offsets", "tracker", "--topic", "orders"],
        "refusing to delete the committed offsets of consumer group 'tracker' on",
    ),
    usage(
        &["groups", "delete-offsets", "tracker"],
        "required arguments were not provided",
    ),
    runtime(
        &["groups", "reset-offsets", "tracker", "--from-file", "{dir}/not-json.json", "--execute", "--yes"],
        "invalid plan file '{dir}/not-json.json': expected value at line 1 column 1; nothing was changed",
    ),
    runtime(
        &["groups", "reset-offsets", "tracker", "--from-file", "{dir}/far.json", "--execute", "--yes"],
        "invalid plan file '{dir}/far.json': unknown field `partitions`",
    ),
    runtime(
        &["groups", "reset-offsets", "tracker", "--from-file", "{dir}/other-plan.json", "--execute", "--yes"],
        "the plan in '{dir}/other-plan.json' is for consumer group 'someone-else', not 'tracker'; nothing was changed",
    ),
    runtime(
        &["groups", "reset-offsets", "tracker", "--from-file", "{dir}/far-plan.json", "--execute", "--yes"],
        "the plan sets orders:0 to offset 1000, past its latest offset",
    ),
    runtime(
        &["groups", "reset-offsets", "tracker", "--from-file", "{dir}/plan-9.json", "--execute", "--yes"],
        "topic 'orders' has no partition 9",
    ),
    usage(
        &["groups", "reset-offsets", "tracker", "--from-file", "{dir}/far-plan.json", "--to-earliest"],
        "'--from-file <FILE>' cannot be used with '--to-earliest'",
    ),
    usage(
        &[
            "groups",
            "reset-offsets",
            "tracker",
            "--topic",
            "orders",
            "--to-earliest",
            "--export",
            "{dir}/export.json",
            "--execute",
        ],
        "'--export <FILE>' cannot be used with '--execute'",
    ),
];

/// The files the rows above read (in `{dir}`).
fn write_files(dir: &std::path::Path) {
    let plan = |group: &str, partition: i32, offset: i64| {
        json!({"group": group, "executed": false, "offsets": [
            {"topic": "orders", "partition": partition, "current_offset": null, "new_offset": offset}
        ]})
    };
    let files = [
        (
            "no-offset.json",
            json!({"partitions": [{"topic": "orders", "partition": 0}]}),
        ),
        (
            "far.json",
            json!({"version": 1, "partitions": [{"topic": "orders", "partition": 0, "offset": 1000}]}),
        ),
        (
            "partition-9.json",
            json!({"version": 1, "partitions": [{"topic": "orders", "partition": 9, "offset": 0}]}),
        ),
        ("other-plan.json", plan("someone-else", 0, 0)),
        ("far-plan.json", plan("tracker", 0, 1000)),
        ("plan-9.json", plan("tracker", 9, 0)),
    ];
    for (name, doc) in files {
        std::fs::write(dir.join(name), doc.to_string()).unwrap();
    }
    std::fs::write(dir.join("not-json.json"), "partitions: orders\n").unwrap();
}

/// Everything a bad command could change: the topics with their partitions, offsets and
/// configs, and the consumer groups with their committed offsets.
fn snapshot(broker: &Broker) -> Value {
    let list = broker.json(&["topics", "list"]);
    let mut names: Vec<&str> = list["topics"]
        .as_array()
        .expect("topics")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    names.sort_unstable();
    let mut args = vec!["topics", "describe"];
    args.extend(&names);
    let topics = broker.json(&args);

    let list = broker.json(&["groups", "list"]);
    let mut groups: Vec<&str> = list["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| g["group"].as_str().expect("group"))
        .collect();
    groups.sort_unstable();
    let described = if groups.is_empty() {
        Value::Null
    } else {
        let mut args = vec!["groups", "describe"];
        args.extend(&groups);
        broker.json(&args)
    };
    let cluster = broker.json(&["cluster", "describe"]);
    let id = cluster["brokers"][0]["id"].to_string();
    let brokers = broker.json(&["brokers", "describe", &id]);
    let default = broker.json(&["brokers", "describe", "--default"]);
    json!({"topics": topics, "groups": list, "described": described, "brokers": brokers,
           "default": default})
}

fn expand(s: &str, dir: &str, long: &str) -> String {
    s.replace("{dir}", dir).replace("{long}", long).replace(
        "{broker}",
        BROKER_ID.get().map(String::as_str).unwrap_or("?"),
    )
}

/// The id of the test's broker, for `{broker}` in a row.
static BROKER_ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();

#[test]
fn bad_input_fails_clearly_and_changes_nothing() {
    // A broker of its own: the snapshot is of everything on the cluster, which other tests
    // on the shared broker change all the time.
    let broker = Broker::private();
    broker
        .kctl()
        .args(["topics", "create", "orders", "--partitions", "2"])
        .assert()
        .success();
    broker
        .kctl()
        .args([
            "topics",
            "create",
            "small",
            "--config",
            "max.message.bytes=100",
        ])
        .assert()
        .success();
    broker
        .kctl()
        .args(["produce", "orders", "-K", ":"])
        .write_stdin("a:1\nb:2\nc:3\n")
        .assert()
        .success();
    broker
        .kctl()
        .args([
            "consume",
            "orders",
            "-g",
            "tracker",
            "--from-beginning",
            "-e",
        ])
        .assert()
        .success();

    let _ = BROKER_ID.set(broker.json(&["cluster", "describe"])["brokers"][0]["id"].to_string());
    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().to_str().unwrap().to_string();
    write_files(dir.path());
    let long = "x".repeat(250);
    let mut before = snapshot(&broker);
    assert!(
        before["described"]
            .to_string()
            .contains("\"current_offset\":"),
        "the setup committed offsets: {before}"
    );

    let mut failures = Vec::new();
    for case in CASES {
        let args: Vec<String> = case
            .args
            .iter()
            .map(|a| expand(a, &dir_path, &long))
            .collect();
        let message = expand(case.message, &dir_path, &long);
        let own_brokers = args.iter().any(|a| a == "-b");
        let stdin: Vec<u8> = match case.stdin {
            Stdin::Nothing => Vec::new(),
            Stdin::Text(t) => t.as_bytes().to_vec(),
            Stdin::Big(n) => {
                let mut v = vec![b'x'; n];
                v.push(b'\n');
                v
            }
        };
        let mut runs = vec![("broker", broker.addr.as_str())];
        if case.offline && !own_brokers {
            // Nothing listens on port 1: a usage error must not need a cluster.
            runs.push(("no broker", "127.0.0.1:1"));
        }
        for (label, addr) in runs {
            let mut cmd = kctl();
            if !own_brokers {
                cmd.args(["-b", addr]);
            }
            let out = cmd.args(&args).write_stdin(stdin.clone()).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
            let mut wrong = Vec::new();
            if out.status.code() != Some(case.code) {
                wrong.push(format!(
                    "exit {:?}, expected {}",
                    out.status.code(),
                    case.code
                ));
            }
            if errors.len() != 1 || !errors[0].contains(&message) {
                wrong.push(format!("expected one error line containing {message:?}"));
            }
            if !out.stdout.is_empty() {
                wrong.push(format!(
                    "printed on stdout: {}",
                    String::from_utf8_lossy(&out.stdout)
                ));
            }
            if !wrong.is_empty() {
                failures.push(format!(
                    "kctl {} ({label}): {}\n  stderr: {}",
                    args.join(" "),
                    wrong.join("; "),
                    stderr.trim_end().replace('\n', "\n          ")
                ));
            }
        }
        let after = snapshot(&broker);
        if after != before {
            failures.push(format!(
                "kctl {} changed the broker:\n  before: {before}\n  after:  {after}",
                args.join(" ")
            ));
            before = after;
        }
    }
    assert!(CASES.len() >= 25);
    assert!(
        failures.is_empty(),
        "{} of {} bad inputs went wrong:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}
