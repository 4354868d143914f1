
use builtin;
use str;

set edit:completion:arg-completer[kctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'kctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'kctl'= {
            cand -b 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand --brokers 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand -X 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)'
            cand --timeout 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)'
            cand -o 'Output format: tables for people, JSON for scripts'
            cand --output 'Output format: tables for people, JSON for scripts'
            cand -v 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand --verbose 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand topics 'List, create, describe and delete topics'
            cand produce 'Write messages to a topic from stdin or a file (lines, JSON or consume''s JSON records)'
            cand consume 'Read messages from a topic: values, JSON lines (-o json) or a --format string'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kctl;topics'= {
            cand -b 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand --brokers 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand -X 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)'
            cand --timeout 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)'
            cand -o 'Output format: tables for people, JSON for scripts'
            cand --output 'Output format: tables for people, JSON for scripts'
            cand -v 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand --verbose 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List topics with their partition count and replication factor'
            cand ls 'List topics with their partition count and replication factor'
            cand create 'Create a topic'
            cand describe 'Show partitions, leaders, replicas, offsets and non-default configs of topics'
            cand delete 'Delete topics (asks first)'
            cand rm 'Delete topics (asks first)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kctl;topics;list'= {
            cand -b 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand --brokers 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand -X 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)'
            cand --timeout 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)'
            cand -o 'Output format: tables for people, JSON for scripts'
            cand --output 'Output format: tables for people, JSON for scripts'
            cand --internal 'Include internal topics such as __consumer_offsets'
            cand -v 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand --verbose 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kctl;topics;ls'= {
            cand -b 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand --brokers 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand -X 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)'
            cand --timeout 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)'
            cand -o 'Output format: tables for people, JSON for scripts'
            cand --output 'Output format: tables for people, JSON for scripts'
            cand --internal 'Include internal topics such as __consumer_offsets'
            cand -v 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand --verbose 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kctl;topics;create'= {
            cand -p 'Number of partitions (default: the broker''s num.partitions)'
            cand --partitions 'Number of partitions (default: the broker''s num.partitions)'
            cand -r 'Replication factor (default: the broker''s default.replication.factor)'
            cand --replication-factor 'Replication factor (default: the broker''s default.replication.factor)'
            cand -c 'A topic config, e.g. --config cleanup.policy=compact (repeatable)'
            cand --config 'A topic config, e.g. --config cleanup.policy=compact (repeatable)'
            cand -b 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand --brokers 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand -X 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)'
            cand --timeout 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)'
            cand -o 'Output format: tables for people, JSON for scripts'
            cand --output 'Output format: tables for people, JSON for scripts'
            cand --if-not-exists 'Succeed without changes when the topic already exists'
            cand --dry-run 'Have the broker validate the request without creating anything'
            cand -v 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand --verbose 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kctl;topics;describe'= {
            cand -b 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand --brokers 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand -X 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)'
            cand --timeout 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)'
            cand -o 'Output format: tables for people, JSON for scripts'
            cand --output 'Output format: tables for people, JSON for scripts'
            cand -v 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand --verbose 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kctl;topics;delete'= {
            cand -b 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand --brokers 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand -X 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)'
            cand --timeout 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)'
            cand -o 'Output format: tables for people, JSON for scripts'
            cand --output 'Output format: tables for people, JSON for scripts'
            cand -y 'Delete without asking (required when there is no terminal to ask on)'
            cand --yes 'Delete without asking (required when there is no terminal to ask on)'
            cand -v 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand --verbose 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kctl;topics;rm'= {
            cand -b 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand --brokers 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand -X 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)'
            cand --timeout 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)'
            cand -o 'Output format: tables for people, JSON for scripts'
            cand --output 'Output format: tables for people, JSON for scripts'
            cand -y 'Delete without asking (required when there is no terminal to ask on)'
            cand --yes 'Delete without asking (required when there is no terminal to ask on)'
            cand -v 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand --verbose 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kctl;topics;help'= {
            cand list 'List topics with their partition count and replication factor'
            cand create 'Create a topic'
            cand describe 'Show partitions, leaders, replicas, offsets and non-default configs of topics'
            cand delete 'Delete topics (asks first)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kctl;topics;help;list'= {
        }
        &'kctl;topics;help;create'= {
        }
        &'kctl;topics;help;describe'= {
        }
        &'kctl;topics;help;delete'= {
        }
        &'kctl;topics;help;help'= {
        }
        &'kctl;produce'= {
            cand -f 'Read messages from this file instead of stdin'
            cand --file 'Read messages from this file instead of stdin'
            cand --input 'How to split the input into messages [default: json when the input starts with ''{'' or ''['', else lines]'
            cand -D 'Message separator in lines mode; escapes \n \t \r \0 \\ and \xHH work [default: \n]'
            cand --delimiter 'Message separator in lines mode; escapes \n \t \r \0 \\ and \xHH work [default: \n]'
            cand -k 'The key of every message'
            cand --key 'The key of every message'
            cand -K 'Split each line into key and value at the first SEP (a line without it has a null key)'
            cand --key-separator 'Split each line into key and value at the first SEP (a line without it has a null key)'
            cand -H 'Add a header to every message (repeatable)'
            cand --header 'Add a header to every message (repeatable)'
            cand -p 'Write every message to this partition (default: by key hash, spread when no key)'
            cand --partition 'Write every message to this partition (default: by key hash, spread when no key)'
            cand -z 'Compress batches with this codec'
            cand --compression 'Compress batches with this codec'
            cand -b 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand --brokers 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand -X 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)'
            cand --timeout 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)'
            cand -o 'Output format: tables for people, JSON for scripts'
            cand --output 'Output format: tables for people, JSON for scripts'
            cand -v 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand --verbose 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kctl;consume'= {
            cand --offset 'Where to start: beginning, end, N (absolute), -N (the last N per partition), @TIMESTAMP (ms since the epoch or RFC 3339), @-DURATION (e.g. @-1h) [default: end]'
            cand -p 'Read only these partitions'
            cand --partition 'Read only these partitions'
            cand -c 'Stop after this many messages in total'
            cand --max-messages 'Stop after this many messages in total'
            cand -g 'Join this consumer group and commit what was printed (without it nothing is committed)'
            cand --group 'Join this consumer group and commit what was printed (without it nothing is committed)'
            cand --format 'Print each record with kcat-style directives: %t topic, %p partition, %o offset, %k key, %v (or %s) value, %h headers, %T timestamp, %K/%S key/value length; \n \t \\ escapes'
            cand -b 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand --brokers 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand -X 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)'
            cand --timeout 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)'
            cand -o 'Output format: tables for people, JSON for scripts'
            cand --output 'Output format: tables for people, JSON for scripts'
            cand --from-beginning 'Start at the beginning (with --group: where the group has no committed offset)'
            cand -e 'Stop at the end offsets taken when the command started (otherwise follow the topic)'
            cand --exit 'Stop at the end offsets taken when the command started (otherwise follow the topic)'
            cand -v 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand --verbose 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kctl;completions'= {
            cand -b 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand --brokers 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand -X 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)'
            cand --timeout 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)'
            cand -o 'Output format: tables for people, JSON for scripts'
            cand --output 'Output format: tables for people, JSON for scripts'
            cand -v 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand --verbose 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kctl;help'= {
            cand topics 'List, create, describe and delete topics'
            cand produce 'Write messages to a topic from stdin or a file (lines, JSON or consume''s JSON records)'
            cand consume 'Read messages from a topic: values, JSON lines (-o json) or a --format string'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kctl;help;topics'= {
            cand list 'List topics with their partition count and replication factor'
            cand create 'Create a topic'
            cand describe 'Show partitions, leaders, replicas, offsets and non-default configs of topics'
            cand delete 'Delete topics (asks first)'
        }
        &'kctl;help;topics;list'= {
        }
        &'kctl;help;topics;create'= {
        }
        &'kctl;help;topics;describe'= {
        }
        &'kctl;help;topics;delete'= {
        }
        &'kctl;help;produce'= {
        }
        &'kctl;help;consume'= {
        }
        &'kctl;help;completions'= {
        }
        &'kctl;help;help'= {
        }
    ]
    $completions[$command]
}
