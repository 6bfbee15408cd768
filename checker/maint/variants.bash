# variants.bash - the known-bad variants of the references
# (checker/maint/mutants/labN/NAME.patch), as the self-test and `repeat -m`
# build and run them.  Sourced after common.bash, from the kit's root.
#
#   lab_dir N                 lab N's directory name (NN-name), from the Makefile
#   variant_build PATCH DIR   build the variant in DIR: VARIANT_BIN, or
#                             VARIANT_ERR (and VARIANT_LOG) and false
#   variant_caught_by PATCH   the name of the test that must catch it
#   test_steps FILE...        "stepN<TAB>test name<TAB>file" for every test
#   name_re NAME              a regex for bats --filter: the test NAME alone
# shellcheck disable=SC2034 # the variables set here are for the callers

# lab_dir N - "NN-name" of lab N (make list-labs); false if there is none
lab_dir() { make -s --no-print-directory list-labs | grep -m 1 "^0*$1-"; }

# variant_build PATCH DIR - the variant's lab, as the reference has it,
# copied to DIR with the labs whose programs it runs (USES.NN-name in the
# Makefile), the patch applied (to the lab its "Patches: NN-name" header
# names, if any: a variant of lab 6's service may be one of those labs'),
# and built.  VARIANT_BIN is where run-tests finds its programs.  On
# failure VARIANT_ERR says why, and VARIANT_LOG is a log worth showing
# (or empty); DIR.patch.log and DIR.build.log are kept
variant_build() {
	local patch=$1 dir=$2 n lab u pdir uses
	VARIANT_BIN='' VARIANT_ERR='' VARIANT_LOG=''
	n=${patch%/*}
	n=${n##*/lab}
	lab=$(lab_dir "$n") || {
		VARIANT_ERR="$patch: no lab $n in the Makefile"
		return 1
	}
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r "solutions/$lab" "$dir/"
	read -r -a uses <<<"$(make -s --no-print-directory "list-uses-$lab")"
	for u in ${uses[@]+"${uses[@]}"}; do cp -r "solutions/$u" "$dir/"; done
	pdir=$(sed -n 's/^Patches: //p' "$patch" | head -n 1)
	if [[ -n $pdir && " ${uses[*]} " != *" $pdir "* ]]; then
		VARIANT_ERR="'Patches: $pdir' is not a lab that lab $n runs (USES.$lab)"
		return 1
	fi
	if ! patch -s -d "$dir/${pdir:-$lab}" -p1 <"$patch" >"$dir.patch.log" 2>&1; then
		VARIANT_ERR="the patch does not apply to the reference" VARIANT_LOG=$dir.patch.log
		return 1
	fi
	if ! make -s --no-print-directory "lab$n" IMPL="$dir" >"$dir.build.log" 2>&1; then
		VARIANT_ERR="does not build (see $dir.build.log)"
		return 1
	fi
	VARIANT_BIN=build/impl/${dir//\//_}/lab$n
}

# variant_caught_by PATCH - its "Caught-by:" header: the test that must fail
variant_caught_by() { sed -n 's/^Caught-by: //p' "$1" | head -n 1; }

# test_steps FILE... - "stepN<TAB>test name<TAB>file" for every test of the files
test_steps() { awk -f checker/lib/test-steps.awk "$@"; }

# name_re NAME - a regex for bats --filter that matches the test NAME alone
name_re() {
	# shellcheck disable=SC2016 # a sed script, not a shell expression
	printf '^%s$' "$(printf '%s' "$1" | sed 's/[][\.*^$(){}+?|/]/\\&/g')"
}
