
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
            cand groups 'List, describe, reset the offsets of and delete consumer groups'
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
        &'kctl;groups'= {
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
            cand list 'List consumer groups with their state, assignor and number of members'
            cand ls 'List consumer groups with their state, assignor and number of members'
            cand describe 'Show members, committed offsets and lag of consumer groups'
            cand reset-offsets 'Move a stopped group''s committed offsets (a dry run unless --execute)'
            cand delete 'Delete consumer groups without active members (asks first)'
            cand rm 'Delete consumer groups without active members (asks first)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kctl;groups;list'= {
            cand --state 'Only groups in these states (repeatable or comma-separated; case-insensitive)'
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
        &'kctl;groups;ls'= {
            cand --state 'Only groups in these states (repeatable or comma-separated; case-insensitive)'
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
        &'kctl;groups;describe'= {
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
        &'kctl;groups;reset-offsets'= {
            cand --topic 'A topic, or some of its partitions (repeatable)'
            cand --to-offset 'To this offset'
            cand --shift-by 'Move the committed offset by N (negative: back)'
            cand --to-datetime 'To the first offset at or after this time: RFC 3339 or ISO 8601, in UTC with Z or an offset, else local time (2024-05-01T12:00:00Z, 2024-05-01T14:00:00+02:00, 2024-05-01T12:00:00, 2024-05-01)'
            cand --by-duration 'To the first offset at or after this long ago (1h, 30m, 2d 4h, or ISO 8601 P1DT2H)'
            cand -b 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand --brokers 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]'
            cand -X 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)'
            cand --timeout 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)'
            cand -o 'Output format: tables for people, JSON for scripts'
            cand --output 'Output format: tables for people, JSON for scripts'
            cand --all-topics 'Every topic the group has committed offsets for'
            cand --to-earliest 'To each partition''s earliest offset'
            cand --to-latest 'To each partition''s latest offset (the log end: skip everything)'
            cand --to-current 'To the committed offset (the latest where the group has none)'
            cand --execute 'Apply the plan (asks first); without it nothing changes'
            cand --dry-run 'Only print the plan (the default)'
            cand -y 'Apply without asking (required with --execute when there is no terminal to ask on)'
            cand --yes 'Apply without asking (required with --execute when there is no terminal to ask on)'
            cand -v 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand --verbose 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kctl;groups;delete'= {
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
        &'kctl;groups;rm'= {
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
        &'kctl;groups;help'= {
            cand list 'List consumer groups with their state, assignor and number of members'
            cand describe 'Show members, committed offsets and lag of consumer groups'
            cand reset-offsets 'Move a stopped group''s committed offsets (a dry run unless --execute)'
            cand delete 'Delete consumer groups without active members (asks first)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kctl;groups;help;list'= {
        }
        &'kctl;groups;help;describe'= {
        }
        &'kctl;groups;help;reset-offsets'= {
        }
        &'kctl;groups;help;delete'= {
        }
        &'kctl;groups;help;help'= {
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
            cand groups 'List, describe, reset the offsets of and delete consumer groups'
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
        &'kctl;help;groups'= {
            cand list 'List consumer groups with their state, assignor and number of members'
            cand describe 'Show members, committed offsets and lag of consumer groups'
            cand reset-offsets 'Move a stopped group''s committed offsets (a dry run unless --execute)'
            cand delete 'Delete consumer groups without active members (asks first)'
        }
        &'kctl;help;groups;list'= {
        }
        &'kctl;help;groups;describe'= {
        }
        &'kctl;help;groups;reset-offsets'= {
        }
        &'kctl;help;groups;delete'= {
        }
        &'kctl;help;completions'= {
        }
        &'kctl;help;help'= {
        }
    ]
    $completions[$command]
}
