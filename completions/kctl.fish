# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kctl_global_optspecs
    string join \n b/brokers= X= timeout= o/output= v/verbose h/help V/version
end

function __fish_kctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kctl_using_subcommand
    set -l cmd (__fish_kctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kctl -n "__fish_kctl_needs_command" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_needs_command" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_needs_command" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_needs_command" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_needs_command" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_needs_command" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "topics" -d 'List, create, describe and delete topics'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "produce" -d 'Write messages to a topic from stdin or a file (lines, JSON or consume\'s JSON records)'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "consume" -d 'Read messages from a topic: values, JSON lines (-o json) or a --format string'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c kctl -n "__fish_kctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and not __fish_seen_subcommand_from list ls create describe delete rm help" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and not __fish_seen_subcommand_from list ls create describe delete rm help" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and not __fish_seen_subcommand_from list ls create describe delete rm help" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and not __fish_seen_subcommand_from list ls create describe delete rm help" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_using_subcommand topics; and not __fish_seen_subcommand_from list ls create describe delete rm help" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and not __fish_seen_subcommand_from list ls create describe delete rm help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and not __fish_seen_subcommand_from list ls create describe delete rm help" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and not __fish_seen_subcommand_from list ls create describe delete rm help" -f -a "list" -d 'List topics with their partition count and replication factor'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and not __fish_seen_subcommand_from list ls create describe delete rm help" -f -a "ls" -d 'List topics with their partition count and replication factor'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and not __fish_seen_subcommand_from list ls create describe delete rm help" -f -a "create" -d 'Create a topic'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and not __fish_seen_subcommand_from list ls create describe delete rm help" -f -a "describe" -d 'Show partitions, leaders, replicas, offsets and non-default configs of topics'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and not __fish_seen_subcommand_from list ls create describe delete rm help" -f -a "delete" -d 'Delete topics (asks first)'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and not __fish_seen_subcommand_from list ls create describe delete rm help" -f -a "rm" -d 'Delete topics (asks first)'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and not __fish_seen_subcommand_from list ls create describe delete rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from list" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from list" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from list" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from list" -l internal -d 'Include internal topics such as __consumer_offsets'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from ls" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from ls" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from ls" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from ls" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from ls" -l internal -d 'Include internal topics such as __consumer_offsets'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from ls" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from create" -s p -l partitions -d 'Number of partitions (default: the broker\'s num.partitions)' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from create" -s r -l replication-factor -d 'Replication factor (default: the broker\'s default.replication.factor)' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from create" -s c -l config -d 'A topic config, e.g. --config cleanup.policy=compact (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from create" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from create" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from create" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from create" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from create" -l if-not-exists -d 'Succeed without changes when the topic already exists'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from create" -l dry-run -d 'Have the broker validate the request without creating anything'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from describe" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from describe" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from describe" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from describe" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from describe" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from describe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from describe" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from delete" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from delete" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from delete" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from delete" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Delete without asking (required when there is no terminal to ask on)'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from rm" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from rm" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from rm" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from rm" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from rm" -s y -l yes -d 'Delete without asking (required when there is no terminal to ask on)'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from help" -f -a "list" -d 'List topics with their partition count and replication factor'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a topic'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from help" -f -a "describe" -d 'Show partitions, leaders, replicas, offsets and non-default configs of topics'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete topics (asks first)'
complete -c kctl -n "__fish_kctl_using_subcommand topics; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand produce" -s f -l file -d 'Read messages from this file instead of stdin' -r -F
complete -c kctl -n "__fish_kctl_using_subcommand produce" -l input -d 'How to split the input into messages [default: json when the input starts with \'{\' or \'[\', else lines]' -r -f -a "lines\t'One message per line (or per --delimiter)'
json\t'A stream of JSON values, each one message sent as its exact text (NDJSON or pretty)'
envelope\t'The records `kctl consume -o json` prints: key, value, headers, partition, timestamp'"
complete -c kctl -n "__fish_kctl_using_subcommand produce" -s D -l delimiter -d 'Message separator in lines mode; escapes \\n \\t \\r \\0 \\\\ and \\xHH work [default: \\n]' -r
complete -c kctl -n "__fish_kctl_using_subcommand produce" -s k -l key -d 'The key of every message' -r
complete -c kctl -n "__fish_kctl_using_subcommand produce" -s K -l key-separator -d 'Split each line into key and value at the first SEP (a line without it has a null key)' -r
complete -c kctl -n "__fish_kctl_using_subcommand produce" -s H -l header -d 'Add a header to every message (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand produce" -s p -l partition -d 'Write every message to this partition (default: by key hash, spread when no key)' -r
complete -c kctl -n "__fish_kctl_using_subcommand produce" -s z -l compression -d 'Compress batches with this codec' -r -f -a "none\t''
gzip\t''
snappy\t''
lz4\t''
zstd\t''"
complete -c kctl -n "__fish_kctl_using_subcommand produce" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_using_subcommand produce" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand produce" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_using_subcommand produce" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_using_subcommand produce" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_using_subcommand produce" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_using_subcommand produce" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_using_subcommand consume" -l offset -d 'Where to start: beginning, end, N (absolute), -N (the last N per partition), @TIMESTAMP (ms since the epoch or RFC 3339), @-DURATION (e.g. @-1h) [default: end]' -r
complete -c kctl -n "__fish_kctl_using_subcommand consume" -s p -l partition -d 'Read only these partitions' -r
complete -c kctl -n "__fish_kctl_using_subcommand consume" -s c -l max-messages -d 'Stop after this many messages in total' -r
complete -c kctl -n "__fish_kctl_using_subcommand consume" -s g -l group -d 'Join this consumer group and commit what was printed (without it nothing is committed)' -r
complete -c kctl -n "__fish_kctl_using_subcommand consume" -l format -d 'Print each record with kcat-style directives: %t topic, %p partition, %o offset, %k key, %v (or %s) value, %h headers, %T timestamp, %K/%S key/value length; \\n \\t \\\\ escapes' -r
complete -c kctl -n "__fish_kctl_using_subcommand consume" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_using_subcommand consume" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand consume" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_using_subcommand consume" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_using_subcommand consume" -l from-beginning -d 'Start at the beginning (with --group: where the group has no committed offset)'
complete -c kctl -n "__fish_kctl_using_subcommand consume" -s e -l exit -d 'Stop at the end offsets taken when the command started (otherwise follow the topic)'
complete -c kctl -n "__fish_kctl_using_subcommand consume" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_using_subcommand consume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_using_subcommand consume" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_using_subcommand completions" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_using_subcommand completions" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand completions" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_using_subcommand completions" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_using_subcommand completions" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from topics produce consume completions help" -f -a "topics" -d 'List, create, describe and delete topics'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from topics produce consume completions help" -f -a "produce" -d 'Write messages to a topic from stdin or a file (lines, JSON or consume\'s JSON records)'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from topics produce consume completions help" -f -a "consume" -d 'Read messages from a topic: values, JSON lines (-o json) or a --format string'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from topics produce consume completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from topics produce consume completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from topics" -f -a "list" -d 'List topics with their partition count and replication factor'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from topics" -f -a "create" -d 'Create a topic'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from topics" -f -a "describe" -d 'Show partitions, leaders, replicas, offsets and non-default configs of topics'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from topics" -f -a "delete" -d 'Delete topics (asks first)'
