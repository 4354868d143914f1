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
complete -c kctl -n "__fish_kctl_needs_command" -f -a "groups" -d 'List, describe, reset the offsets of and delete consumer groups'
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
complete -c kctl -n "__fish_kctl_using_subcommand groups; and not __fish_seen_subcommand_from list ls describe reset-offsets delete rm help" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and not __fish_seen_subcommand_from list ls describe reset-offsets delete rm help" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and not __fish_seen_subcommand_from list ls describe reset-offsets delete rm help" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and not __fish_seen_subcommand_from list ls describe reset-offsets delete rm help" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_using_subcommand groups; and not __fish_seen_subcommand_from list ls describe reset-offsets delete rm help" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and not __fish_seen_subcommand_from list ls describe reset-offsets delete rm help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and not __fish_seen_subcommand_from list ls describe reset-offsets delete rm help" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and not __fish_seen_subcommand_from list ls describe reset-offsets delete rm help" -f -a "list" -d 'List consumer groups with their state, assignor and number of members'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and not __fish_seen_subcommand_from list ls describe reset-offsets delete rm help" -f -a "ls" -d 'List consumer groups with their state, assignor and number of members'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and not __fish_seen_subcommand_from list ls describe reset-offsets delete rm help" -f -a "describe" -d 'Show members, committed offsets and lag of consumer groups'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and not __fish_seen_subcommand_from list ls describe reset-offsets delete rm help" -f -a "reset-offsets" -d 'Move a stopped group\'s committed offsets (a dry run unless --execute)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and not __fish_seen_subcommand_from list ls describe reset-offsets delete rm help" -f -a "delete" -d 'Delete consumer groups without active members (asks first)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and not __fish_seen_subcommand_from list ls describe reset-offsets delete rm help" -f -a "rm" -d 'Delete consumer groups without active members (asks first)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and not __fish_seen_subcommand_from list ls describe reset-offsets delete rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from list" -l state -d 'Only groups in these states (repeatable or comma-separated; case-insensitive)' -r -f -a "stable\t''
empty\t''
preparing-rebalance\t''
completing-rebalance\t''
dead\t''
unknown\t''"
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from list" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from list" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from list" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from ls" -l state -d 'Only groups in these states (repeatable or comma-separated; case-insensitive)' -r -f -a "stable\t''
empty\t''
preparing-rebalance\t''
completing-rebalance\t''
dead\t''
unknown\t''"
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from ls" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from ls" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from ls" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from ls" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from ls" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from describe" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from describe" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from describe" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from describe" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from describe" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from describe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from describe" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -l topic -d 'A topic, or some of its partitions (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -l to-offset -d 'To this offset' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -l shift-by -d 'Move the committed offset by N (negative: back)' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -l to-datetime -d 'To the first offset at or after this time: RFC 3339 or ISO 8601, in UTC with Z or an offset, else local time (2024-05-01T12:00:00Z, 2024-05-01T14:00:00+02:00, 2024-05-01T12:00:00, 2024-05-01)' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -l by-duration -d 'To the first offset at or after this long ago (1h, 30m, 2d 4h, or ISO 8601 P1DT2H)' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -l all-topics -d 'Every topic the group has committed offsets for'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -l to-earliest -d 'To each partition\'s earliest offset'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -l to-latest -d 'To each partition\'s latest offset (the log end: skip everything)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -l to-current -d 'To the committed offset (the latest where the group has none)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -l execute -d 'Apply the plan (asks first); without it nothing changes'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -l dry-run -d 'Only print the plan (the default)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -s y -l yes -d 'Apply without asking (required with --execute when there is no terminal to ask on)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from reset-offsets" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from delete" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from delete" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from delete" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from delete" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Delete without asking (required when there is no terminal to ask on)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from rm" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from rm" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from rm" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from rm" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from rm" -s y -l yes -d 'Delete without asking (required when there is no terminal to ask on)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from help" -f -a "list" -d 'List consumer groups with their state, assignor and number of members'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from help" -f -a "describe" -d 'Show members, committed offsets and lag of consumer groups'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from help" -f -a "reset-offsets" -d 'Move a stopped group\'s committed offsets (a dry run unless --execute)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete consumer groups without active members (asks first)'
complete -c kctl -n "__fish_kctl_using_subcommand groups; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand completions" -s b -l brokers -d 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]' -r
complete -c kctl -n "__fish_kctl_using_subcommand completions" -s X -d 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)' -r
complete -c kctl -n "__fish_kctl_using_subcommand completions" -l timeout -d 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)' -r
complete -c kctl -n "__fish_kctl_using_subcommand completions" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Aligned tables for people'
json\t'JSON documents for scripts (one JSON object per line for streams)'"
complete -c kctl -n "__fish_kctl_using_subcommand completions" -s v -l verbose -d 'Show librdkafka\'s logs on stderr (-vv adds protocol debugging)'
complete -c kctl -n "__fish_kctl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kctl -n "__fish_kctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from topics groups completions help" -f -a "topics" -d 'List, create, describe and delete topics'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from topics groups completions help" -f -a "groups" -d 'List, describe, reset the offsets of and delete consumer groups'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from topics groups completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c kctl -n "__fish_kctl_using_subcommand help; and not __fish_seen_subcommand_from topics groups completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from topics" -f -a "list" -d 'List topics with their partition count and replication factor'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from topics" -f -a "create" -d 'Create a topic'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from topics" -f -a "describe" -d 'Show partitions, leaders, replicas, offsets and non-default configs of topics'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from topics" -f -a "delete" -d 'Delete topics (asks first)'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from groups" -f -a "list" -d 'List consumer groups with their state, assignor and number of members'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from groups" -f -a "describe" -d 'Show members, committed offsets and lag of consumer groups'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from groups" -f -a "reset-offsets" -d 'Move a stopped group\'s committed offsets (a dry run unless --execute)'
complete -c kctl -n "__fish_kctl_using_subcommand help; and __fish_seen_subcommand_from groups" -f -a "delete" -d 'Delete consumer groups without active members (asks first)'
