# common.bash - what the kit's scripts share (sourced; bash).
#
# kit_usage [SCRIPT] - SCRIPT's (default: the running script's) header from
# its "# Usage:" line to the header's end (its first line that is not a
# comment), to stderr.  The usage is written once, in the header; no line
# numbers to go stale when the header grows.
kit_usage() {
	sed -n '/^# Usage:/,/^[^#]/{ /^[^#]/q; s/^# \{0,1\}//p; }' "${1:-$0}" >&2
}

# tsv_message FIELD - the message field of run-tests' results.tsv
# ("result<TAB>file<TAB>test<TAB>message") as lines of text: its \n, \t,
# \r and \\ undone (run-tests' field() writes them; gradebook.py's
# tsv_text reads them the same way)
tsv_message() {
	local s=$1 out='' c
	while [[ $s == *\\* ]]; do
		out+=${s%%\\*} s=${s#*\\} c=${s:0:1} s=${s:1}
		case $c in n) out+=$'\n' ;; t) out+=$'\t' ;; r) out+=$'\r' ;; *) out+=$c ;; esac
	done
	printf '%s\n' "$out$s"
}
