# vg-findings.awk - the findings in valgrind memcheck logs, each distinct one
# once: what `make memcheck-labN` (checker/student/memcheck) and
# `checker/instructor/grade --valgrind` report.
#
# Usage: awk -v prog=NAME -v srcs='a.c|b.h' -f vg-findings.awk LOG...
#   prog   the program the logs are of (the first column of the output)
#   srcs   the lab's source file names, |-separated: the frames kept
#
# Output, one line per distinct finding in the order first seen:
#   PROG <TAB> KIND <TAB> COUNT <TAB> FRAME <TAB> FRAME ...
# KIND is the finding's first line ("Invalid read of size 4", "16 bytes in
# 1 blocks are definitely lost"); COUNT how many times it was seen; each
# FRAME "file.c:LINE function", at most 6, only those in the lab's sources
# and only of the finding's own stack (not of its block's allocation).
# Tabs and carriage returns in the logs become spaces.
#
# Not findings: valgrind's summaries and notes about itself ("Warning:",
# "Valgrind: failed to move log file descriptor into safe range": what a
# program that lowers its own fd limit makes valgrind say), and a process
# ended by a signal.

function clean(s) { gsub(/[\t\r]/, " ", s); return s }

# a block: the lines of one finding, "==PID== " stripped, up to a blank one
function flush(   key) {
	if (kind != "") {
		key = kind SUBSEP frames
		if (!(key in seen)) { seen[key] = 1; order[++n] = key; what[key] = kind; where[key] = frames }
		count[key]++
	}
	kind = ""; frames = ""; nf = 0; rest = 0
}

FNR == 1 { flush(); skip = 0 }
{ sub(/^==[0-9]+== ?/, "") }
/^$/ { flush(); skip = 0; next }
/^[^ ]/ {	# the first line of a block
	flush()
	skip = ($0 ~ /^(HEAP SUMMARY|LEAK SUMMARY|ERROR SUMMARY|For lists of|For counts of|Rerun with|All heap blocks|Warning:|Valgrind:|Process terminating with default action)/)
	if (!skip) { kind = clean($0); sub(/ in loss record [0-9,]+ of [0-9,]+$/, "", kind) }
	next
}
skip || kind == "" { next }
rest { next }
/^ +(at|by) 0x/ {
	if (match($0, "\\((" srcs "):[0-9]+\\)") && ++nf <= 6) {
		loc = substr($0, RSTART + 1, RLENGTH - 2)
		fn = $0; sub(/^ +(at|by) 0x[0-9A-Fa-f]+: /, "", fn); sub(/ \(.*$/, "", fn)
		frames = frames "\t" loc " " clean(fn)
	}
	next
}
{ rest = 1 }	# "Address ... alloc'd": the stack that follows is the block's
END {
	flush()
	for (i = 1; i <= n; i++)
		print prog "\t" what[order[i]] "\t" count[order[i]] where[order[i]]
}
