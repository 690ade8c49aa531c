#!/usr/bin/env bash
# The static library: no two of its objects define the same global function or variable.
# A static link takes whichever object it meets first and says nothing, so a second
# opc_heatmap_peaks once silently replaced the PAF parser's and nobody was found.
. "$(dirname "$0")/support/lib.sh"
LIB=${OPC_BUILD_DIR:?}/libopenpose-c.a
command -v nm >/dev/null || { echo "SKIP: nm (binutils) is not installed" >&2; exit 77; }
[ -f "$LIB" ] || { fail "$LIB is missing"; finish; }
dups=$(nm -g --defined-only "$LIB" 2>/dev/null | awk 'NF == 3 && $2 ~ /[TDBR]/ { print $3 }' |
       sort | uniq -d)
[ -z "$dups" ] || fail "defined in more than one object of $LIB: $dups"
n=$(nm -g --defined-only "$LIB" | awk 'NF == 3 && $2 ~ /T/' | wc -l)
[ "$n" -gt 100 ] || fail "only $n global functions found in $LIB: is nm reading it?"
finish
