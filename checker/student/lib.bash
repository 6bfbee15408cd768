# lib.bash - what the student's targets (checker/student/*) share: where
# the kit is, which directory a lab is, and where its pristine starter
# comes from.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables set here are for the scripts

KIT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
# shellcheck source=checker/lib/common.bash
source "$KIT/checker/lib/common.bash"
# what the targets remember between two calls (the hint shown last)
STATE_DIR=${KIT_STATE_DIR:-$KIT/build/student}
# the snapshot of the starters that `make handout` writes into the
# student's tree (the kit's git repository has none: git holds them)
STARTER_TAR=$KIT/checker/student/starter.tar.gz

die() { printf '%s: %s\n' "${0##*/}" "$*" >&2; exit 2; }

# lab_dir LAB - the directory name under labs/ (02-daemon) of LAB: a
# number (2, 02) or the name itself
lab_dir() {
	local d
	if [[ $1 == [0-9][0-9]-* && -d $KIT/labs/$1 ]]; then echo "$1"; return 0; fi
	[[ $1 =~ ^[0-9]+$ ]] || return 1
	for d in "$KIT"/labs/"$(printf '%02d' "$((10#$1))")"-*/; do
		[[ -d $d ]] || continue
		d=${d%/}
		echo "${d##*/}"
		return 0
	done
	return 1
}

# lab_num LABDIR - its number without the leading zero (02-daemon: 2)
lab_num() { local n=${1%%-*}; echo "$((10#$n))"; }

# --- the pristine starter ---------------------------------------------------
# In a handout, the snapshot.  In the kit's git repository, labs/LABDIR/ as
# of the last commit that changed it together with the kit's own files
# (solutions/ or checker/): a student's commit in a clone changes neither,
# so it is never taken for the starter.

# starter_commit LABDIR - that commit (empty if there is none)
# (GIT_REFUSED: git's own refusal of the repository, when it refused)
GIT_REFUSED=''
starter_commit() {
	local c top err
	if ! top=$(git -C "$KIT" rev-parse --show-toplevel 2>&1); then
		# (a tree owned by another user: git >= 2.35.2 will not read it)
		err=$top
		[[ $err == *"dubious ownership"* ]] &&
			GIT_REFUSED="git refuses to read this repository: it belongs to another user than $(id -un) (git's 'dubious ownership': a run under sudo?). Run it as the tree's owner, or tell git the tree is yours: git config --global --add safe.directory '$KIT'"
		return 0
	fi
	[[ $(cd "$top" && pwd -P) == "$KIT" ]] || return 0
	while read -r c; do
		# (grep -c, not -q: with pipefail, git killed by SIGPIPE would fail the test)
		if git -C "$KIT" show --name-only --format= "$c" | grep -cE '^(solutions|checker)/' >/dev/null; then
			echo "$c"
			return 0
		fi
	done < <(git -C "$KIT" log --format=%H -- "labs/$1/*.[ch]")
}

# starter_from LABDIR - set STARTER_FROM (words for the student) and
# STARTER_REV (tar, or a commit); fail with a message if there is none
starter_from() {
	STARTER_REV=''
	if [[ -f $STARTER_TAR ]]; then
		STARTER_REV=tar STARTER_FROM="the handout's snapshot, ${STARTER_TAR#"$KIT"/}"
		tar -tzf "$STARTER_TAR" | grep -c "^labs/$1/" >/dev/null && return 0
		echo "lab $1 is not in ${STARTER_TAR#"$KIT"/}" >&2
		return 1
	fi
	# (GIT_REFUSED is set here, in this shell: git's refusal is checked
	# first, outside the command substitution)
	git -C "$KIT" rev-parse --show-toplevel >/dev/null 2>&1 || starter_commit "$1" >/dev/null
	STARTER_REV=$(starter_commit "$1")
	if [[ -n $STARTER_REV ]]; then
		STARTER_FROM="git, the kit's commit $(git -C "$KIT" log -1 --format='%h of %cs' "$STARTER_REV")"
		return 0
	fi
	if [[ -n $GIT_REFUSED ]]; then
		echo "no pristine starter of labs/$1: $GIT_REFUSED" >&2
		return 1
	fi
	echo "no pristine starter of labs/$1: this tree has no ${STARTER_TAR#"$KIT"/} (make handout writes it)" \
		"and no commit of the kit in git that holds labs/$1/" >&2
	return 1
}

# starter_files LABDIR - the starter's source files (.c, .h), one a line
# (after starter_from)
starter_files() {
	if [[ $STARTER_REV == tar ]]; then
		tar -tzf "$STARTER_TAR" | sed -n "s|^labs/$1/\\([^/]*\\.[ch]\\)\$|\\1|p"
	else
		git -C "$KIT" ls-tree --name-only "$STARTER_REV" "labs/$1/" |
			sed -n 's|^.*/\([^/]*\.[ch]\)$|\1|p'
	fi
}

# starter_cat LABDIR FILE - the starter's FILE on stdout (after starter_from)
starter_cat() {
	if [[ $STARTER_REV == tar ]]; then
		tar -xzOf "$STARTER_TAR" "labs/$1/$2"
	else
		git -C "$KIT" show "$STARTER_REV:labs/$1/$2"
	fi
}

# is_starter LABDIR DIR - does DIR hold exactly the starter's sources (the
# same .c and .h files, unchanged)?  (after starter_from)
is_starter() {
	local f mine
	mine=$(for f in "$2"/*.[ch]; do [[ -f $f ]] && echo "${f##*/}"; done | sort)
	[[ $mine == "$(starter_files "$1" | sort)" ]] || return 1
	while IFS= read -r f; do
		cmp -s "$2/$f" <(starter_cat "$1" "$f") || return 1
	done <<<"$mine"
}
