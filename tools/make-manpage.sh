#!/bin/sh
# Writes openpose-c's manual page from the program's own help texts (the command's
# --help, then each subcommand's), so that the page says what --help says.
#
# usage: tools/make-manpage.sh OPENPOSE_C_BINARY OUT.1
set -eu
BIN=$1
OUT=$2

# A help text as roff: verbatim lines (no filling), backslashes escaped, a line that would
# start with a roff control character protected.
verbatim() {
    printf '.nf\n'
    sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"
    printf '.fi\n'
}

# section TITLE ARGS...: one subcommand's help under its own heading.
section() {
    title=$1
    shift
    printf '.SS "%s"\n' "$title"
    "$BIN" "$@" --help | verbatim
}

version=$("$BIN" --version | sed -n '1s/^openpose-c //p')
{
    printf '.TH OPENPOSE-C 1 "" "openpose-c %s" "User Commands"\n' "$version"
    printf '.SH NAME\nopenpose-c \\- multi-person 2D pose estimation (OpenPose'"'"'s Part Affinity Fields)\n'
    printf '.SH DESCRIPTION\n'
    "$BIN" --help | verbatim
    printf '.SH COMMANDS\n'
    "$BIN" help | verbatim
    section "openpose-c convert" convert
    section "openpose-c convert caffe" convert caffe
    section "openpose-c convert tf" convert tf
    section "openpose-c info" info
    section "openpose-c forward" forward
    section "openpose-c parse" parse
    section "openpose-c eval" eval
    printf '.SH SEE ALSO\nThe README of openpose-c: models, limits, the library, performance.\n'
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
