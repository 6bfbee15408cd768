# common.bash - what the kit's scripts share (sourced; bash).
#
# kit_usage [SCRIPT] - SCRIPT's (default: the running script's) header from
# its "# Usage:" line to the header's end (its first line that is not a
# comment), to stderr.  The usage is written once, in the header; no line
# numbers to go stale when the header grows.
kit_usage() {
	sed -n '/^# Usage:/,/^[^#]/{ /^[^#]/q; s/^# \{0,1\}//p; }' "${1:-$0}" >&2
}
