#!/usr/bin/env bash
# The bash completion of glue2dlfctl (packaging/glue2dlfctl.bash-completion), driven the way
# bash drives it: COMP_WORDS / COMP_CWORD set, the function called, COMPREPLY read. Run
# without and, when installed, with the bash-completion package's helpers.
source "$(dirname "$0")/lib.sh"
F="$ROOT/packaging/glue2dlfctl.bash-completion"

# complete_with [bash-completion main file] -- WORDS...: the candidates for the last word.
complete_with() {
  local bc=$1; shift 2
  bash --norc --noprofile -c '
    [ -n "$1" ] && source "$1"
    source "$2"
    shift 2
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _glue2dlfctl glue2dlfctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    [ ${#COMPREPLY[@]} -gt 0 ] && printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' bash "$bc" "$F" "$@"
}

check "completion: registered for glue2dlfctl" bash --norc -c "source '$F' && complete -p glue2dlfctl | grep -q -- '-F _glue2dlfctl'"
check "completion: the script passes bash -n" bash -n "$F"
BC=/usr/share/bash-completion/bash_completion
modes=("")
[ -f "$BC" ] && modes+=("$BC")
for m in "${modes[@]}"; do
  n=${m:+with bash-completion}; n=${n:-plain}
  check_eq "completion ($n): the commands" "approve health held help log-level metrics pause plan reject reload report restore results resume status sync " \
    "$(complete_with "$m" -- glue2dlfctl '')"
  check_eq "completion ($n): a prefix" "reject reload report restore results resume " "$(complete_with "$m" -- glue2dlfctl re)"
  check_eq "completion ($n): --type" "table " "$(complete_with "$m" -- glue2dlfctl held --type ta)"
  check_eq "completion ($n): approve's options" "--all " "$(complete_with "$m" -- glue2dlfctl approve --a)"
  check_eq "completion ($n): after global options" "status sync " \
    "$(complete_with "$m" -- glue2dlfctl --socket /x --json s)"
  check_eq "completion ($n): global options" "--help --instance --json --socket --timeout --version " \
    "$(complete_with "$m" -- glue2dlfctl --)"
  check_eq "completion ($n): sync's options" "--full --help --json --wait " \
    "$(complete_with "$m" -- glue2dlfctl sync --)"
  check_eq "completion ($n): results' options" "--cycle --failed --help --json " \
    "$(complete_with "$m" -- glue2dlfctl results --)"
  check_eq "completion ($n): health's options" "--max-age --max-running " \
    "$(complete_with "$m" -- glue2dlfctl -i main health --max)"
  check_eq "completion ($n): no guess for a number" "" "$(complete_with "$m" -- glue2dlfctl results --cycle '')"
  check_eq "completion ($n): help COMMAND" "plan " "$(complete_with "$m" -- glue2dlfctl help pl)"
done
check_eq "completion: every command the client knows" \
  "$("$BUILD/glue2dlfctl" --help | sed -n '/^commands:/,/^$/s/^  \([a-z-]*\).*/\1/p' | sort | tr '\n' ' ')help " \
  "$(complete_with "" -- glue2dlfctl '' | tr ' ' '\n' | grep -v '^help$' | sed '/^$/d' | tr '\n' ' ')help "
finish
