
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kctl' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('topics', 'topics', [CompletionResultType]::ParameterValue, 'List, create, describe and delete topics')
            [CompletionResult]::new('produce', 'produce', [CompletionResultType]::ParameterValue, 'Write messages to a topic from stdin or a file (lines, JSON or consume''s JSON records)')
            [CompletionResult]::new('consume', 'consume', [CompletionResultType]::ParameterValue, 'Read messages from a topic: values, JSON lines (-o json) or a --format string')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kctl;topics' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List topics with their partition count and replication factor')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List topics with their partition count and replication factor')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a topic')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Show partitions, leaders, replicas, offsets and non-default configs of topics')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete topics (asks first)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete topics (asks first)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kctl;topics;list' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('--internal', '--internal', [CompletionResultType]::ParameterName, 'Include internal topics such as __consumer_offsets')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kctl;topics;ls' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('--internal', '--internal', [CompletionResultType]::ParameterName, 'Include internal topics such as __consumer_offsets')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kctl;topics;create' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Number of partitions (default: the broker''s num.partitions)')
            [CompletionResult]::new('--partitions', '--partitions', [CompletionResultType]::ParameterName, 'Number of partitions (default: the broker''s num.partitions)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Replication factor (default: the broker''s default.replication.factor)')
            [CompletionResult]::new('--replication-factor', '--replication-factor', [CompletionResultType]::ParameterName, 'Replication factor (default: the broker''s default.replication.factor)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'A topic config, e.g. --config cleanup.policy=compact (repeatable)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'A topic config, e.g. --config cleanup.policy=compact (repeatable)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('--if-not-exists', '--if-not-exists', [CompletionResultType]::ParameterName, 'Succeed without changes when the topic already exists')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Have the broker validate the request without creating anything')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kctl;topics;describe' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kctl;topics;delete' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Delete without asking (required when there is no terminal to ask on)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Delete without asking (required when there is no terminal to ask on)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kctl;topics;rm' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Delete without asking (required when there is no terminal to ask on)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Delete without asking (required when there is no terminal to ask on)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kctl;topics;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List topics with their partition count and replication factor')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a topic')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Show partitions, leaders, replicas, offsets and non-default configs of topics')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete topics (asks first)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kctl;topics;help;list' {
            break
        }
        'kctl;topics;help;create' {
            break
        }
        'kctl;topics;help;describe' {
            break
        }
        'kctl;topics;help;delete' {
            break
        }
        'kctl;topics;help;help' {
            break
        }
        'kctl;produce' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read messages from this file instead of stdin')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read messages from this file instead of stdin')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'How to split the input into messages [default: json when the input starts with ''{'' or ''['', else lines]')
            [CompletionResult]::new('-D', '-D ', [CompletionResultType]::ParameterName, 'Message separator in lines mode; escapes \n \t \r \0 \\ and \xHH work [default: \n]')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'Message separator in lines mode; escapes \n \t \r \0 \\ and \xHH work [default: \n]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The key of every message')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The key of every message')
            [CompletionResult]::new('-K', '-K ', [CompletionResultType]::ParameterName, 'Split each line into key and value at the first SEP (a line without it has a null key)')
            [CompletionResult]::new('--key-separator', '--key-separator', [CompletionResultType]::ParameterName, 'Split each line into key and value at the first SEP (a line without it has a null key)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add a header to every message (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add a header to every message (repeatable)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Write every message to this partition (default: by key hash, spread when no key)')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Write every message to this partition (default: by key hash, spread when no key)')
            [CompletionResult]::new('-z', '-z', [CompletionResultType]::ParameterName, 'Compress batches with this codec')
            [CompletionResult]::new('--compression', '--compression', [CompletionResultType]::ParameterName, 'Compress batches with this codec')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kctl;consume' {
            [CompletionResult]::new('--offset', '--offset', [CompletionResultType]::ParameterName, 'Where to start: beginning, end, N (absolute), -N (the last N per partition), @TIMESTAMP (ms since the epoch or RFC 3339), @-DURATION (e.g. @-1h) [default: end]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Read only these partitions')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Read only these partitions')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Stop after this many messages in total')
            [CompletionResult]::new('--max-messages', '--max-messages', [CompletionResultType]::ParameterName, 'Stop after this many messages in total')
            [CompletionResult]::new('-g', '-g', [CompletionResultType]::ParameterName, 'Join this consumer group and commit what was printed (without it nothing is committed)')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Join this consumer group and commit what was printed (without it nothing is committed)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Print each record with kcat-style directives: %t topic, %p partition, %o offset, %k key, %v (or %s) value, %h headers, %T timestamp, %K/%S key/value length; \n \t \\ escapes')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('--from-beginning', '--from-beginning', [CompletionResultType]::ParameterName, 'Start at the beginning (with --group: where the group has no committed offset)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Stop at the end offsets taken when the command started (otherwise follow the topic)')
            [CompletionResult]::new('--exit', '--exit', [CompletionResultType]::ParameterName, 'Stop at the end offsets taken when the command started (otherwise follow the topic)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kctl;completions' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Bootstrap brokers, as HOST:PORT[,HOST:PORT...]')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: tables for people, JSON for scripts')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show librdkafka''s logs on stderr (-vv adds protocol debugging)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kctl;help' {
            [CompletionResult]::new('topics', 'topics', [CompletionResultType]::ParameterValue, 'List, create, describe and delete topics')
            [CompletionResult]::new('produce', 'produce', [CompletionResultType]::ParameterValue, 'Write messages to a topic from stdin or a file (lines, JSON or consume''s JSON records)')
            [CompletionResult]::new('consume', 'consume', [CompletionResultType]::ParameterValue, 'Read messages from a topic: values, JSON lines (-o json) or a --format string')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kctl;help;topics' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List topics with their partition count and replication factor')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a topic')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Show partitions, leaders, replicas, offsets and non-default configs of topics')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete topics (asks first)')
            break
        }
        'kctl;help;topics;list' {
            break
        }
        'kctl;help;topics;create' {
            break
        }
        'kctl;help;topics;describe' {
            break
        }
        'kctl;help;topics;delete' {
            break
        }
        'kctl;help;produce' {
            break
        }
        'kctl;help;consume' {
            break
        }
        'kctl;help;completions' {
            break
        }
        'kctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
