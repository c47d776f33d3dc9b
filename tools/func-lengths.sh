#!/bin/sh
# Print every function longer than LIMIT (default 80) lines in the given C files, counted
# from its opening line at column 0 (the last column-0 line with a '(' before the body's
# '{') to its closing '}' at column 0. Exit 1 if there is one.
limit=${LIMIT:-80}
awk -v limit="$limit" '
    FNR == 1 { head = 0; body = 0 }
    /^[A-Za-z_].*\(/ && !body { head = FNR; name = $0 }
    /^\{/ && head { body = head }
    /^}/ && body {
        n = FNR - body + 1
        if (n > limit) { printf "%s:%d: %d lines: %s\n", FILENAME, body, n, name; bad = 1 }
        body = 0; head = 0
    }
    END { exit bad }
' "$@"
