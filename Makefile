# Makefile of the kit: build the labs, run their tests in the sandbox.
# `make help` lists the targets.
#
# The one list of labs.  Adding a lab is one directory (labs/NN-name/,
# solutions/NN-name/, notes/NN-name.md) and one word here; `make labN`
# takes the number without the leading zero.
KIT_LABS := 01-sessions 02-daemon 03-supervisor 04-fork-server 05-epoll 06-capstone
# (LABS on make's command line, as make gradescope LABS=1-3 takes it,
# overrides LABS but not KIT_LABS, which make list-labs prints)
LABS := $(KIT_LABS)

# A lab that runs the programs of earlier labs names them: USES.NN-name.
# They are built from the same IMPL (the student's own, or the reference)
# and copied into the lab's build directory, which the tests put on PATH.
USES.06-capstone := 03-supervisor 04-fork-server 05-epoll

# What to build and test: IMPL=labs (the student's code, the default),
# IMPL=solution (the reference), or IMPL=DIR, a directory that holds
# NN-name/ folders like labs/ does (the checker and self-test use this).
IMPL ?= labs
STEP ?=
T ?=
TESTS ?=
V ?=
ALL ?=

# The compiler is make's CC (cc), or yours: make lab1 CC=clang.  The kit's
# flags come first; yours (CFLAGS, from the environment or the command
# line: make lab1 CFLAGS=-O2) are added after them, never in their place.
KIT_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Wformat=2 -g
CFLAGS ?=
REF_CFLAGS := $(KIT_CFLAGS) -Werror $(CFLAGS)
EXTRA_CFLAGS ?=

ifeq ($(filter solution solutions,$(IMPL)),$(IMPL))
SRC_ROOT   := solutions
BUILD_ROOT := build/solutions
IMPL_FLAGS := $(REF_CFLAGS)
else ifeq ($(IMPL),labs)
SRC_ROOT   := labs
BUILD_ROOT := build/labs
IMPL_FLAGS := $(KIT_CFLAGS) $(CFLAGS)
else
SRC_ROOT   := $(patsubst %/,%,$(IMPL))
BUILD_ROOT := build/impl/$(subst /,_,$(SRC_ROOT))
IMPL_FLAGS := $(KIT_CFLAGS) $(CFLAGS)
endif

Q := $(if $(V),,@)
# Tie the test runner to make: if make is killed, the runner cleans up
# (exec: no shell in between, whose survival would hide make's death).
DIE_WITH_MAKE := exec setpriv --pdeathsig TERM --
RUN_TESTS := $(DIE_WITH_MAKE) checker/core/run-tests
# how the student runs it again (the report's last lines say what to run next)
IMPL_ARG := $(if $(filter labs,$(IMPL)),, IMPL=$(IMPL))

lab_num = $(patsubst 0%,%,$(firstword $(subst -, ,$(1))))
NUMS := $(foreach l,$(LABS),$(call lab_num,$(l)))

.DEFAULT_GOAL := help

# build_writable DIR - a shell command: fail with the fix when DIR cannot
# be written (made by another user: an earlier `sudo make`), before the
# compiler's "cannot open output file" reads as the student's error
build_writable = test -w $(1) || { echo "make: $(1) is not yours to write: an earlier run as another user (sudo make?) made it. The fix: sudo chown -R \"$$(id -un)\" build (or sudo make clean), then run the command again." >&2; exit 2; }

# --- the harness's own C tools ------------------------------------------
TOOLS := $(addprefix build/checker/,syslogcap reaper freeport echoload \
	syslog-shim.so accept-probe.so short-writes.so echobench cleansig)

tools: $(TOOLS)  ## build the harness's C tools (syslog capture, reaper)

build/checker/%: checker/tools/%.c
	@mkdir -p $(@D) 2>/dev/null; $(call build_writable,$(@D))
	$(Q)$(CC) $(REF_CFLAGS) -o $@ $<

# the load generator of make bench is optimised: it must not be the bottleneck
build/checker/echobench: REF_CFLAGS += -O2

build/checker/%.so: checker/tools/%.c
	@mkdir -p $(@D) 2>/dev/null; $(call build_writable,$(@D))
	$(Q)$(CC) $(REF_CFLAGS) -fPIC -shared -o $@ $< -ldl

# --- one set of rules per lab --------------------------------------------
# $(1) = the lab that uses, $(2) = the lab it uses (numbers): a copy of
# each program of lab $(2) in lab $(1)'s build directory
define use_rules
lab$(1)_uses += $$(patsubst $(BUILD_ROOT)/lab$(2)/%,$(BUILD_ROOT)/lab$(1)/%,$$(lab$(2)_progs))
$$(patsubst $(BUILD_ROOT)/lab$(2)/%,$(BUILD_ROOT)/lab$(1)/%,$$(lab$(2)_progs)): $(BUILD_ROOT)/lab$(1)/%: $(BUILD_ROOT)/lab$(2)/%
	@mkdir -p $$(@D)
	$(Q)cp -f $$< $$@
endef

# $(1) = directory name (01-sessions), $(2) = number (1)
define lab_rules
lab$(2)_progs := $$(patsubst $(SRC_ROOT)/$(1)/%.c,$(BUILD_ROOT)/lab$(2)/%,\
	$$(wildcard $(SRC_ROOT)/$(1)/*.c))

$(BUILD_ROOT)/lab$(2)/%: $(SRC_ROOT)/$(1)/%.c
	@mkdir -p $$(@D) 2>/dev/null; $$(call build_writable,$$(@D))
	@echo "  CC      $$<"
	$(Q)$$(CC) $$(IMPL_FLAGS) $$(EXTRA_CFLAGS) -MMD -MP -o $$@ $$< || { \
	  echo "make: $$< does not compile. Fix the first error above" \
	       "(file:line: error: ...), then run the command again." >&2; exit 1; }

-include $$(lab$(2)_progs:%=%.d)

lab$(2)_uses :=
$$(foreach u,$$(USES.$(1)),$$(eval $$(call use_rules,$(2),$$(call lab_num,$$(u)))))

.PHONY: lab$(2) check-lab$(2)
lab$(2): $$(lab$(2)_progs) $$(lab$(2)_uses)
	@test -n "$$(lab$(2)_progs)" || { \
	  if test -d $(SRC_ROOT)/$(1); then echo "make: no .c files in $(SRC_ROOT)/$(1)/"; \
	  elif test "$(SRC_ROOT)" = solutions && ! test -d solutions; then echo "make: IMPL=solution: there is no solutions/ here," \
	    "the reference is not part of the student handout (your code: leave IMPL out)"; \
	  else echo "make: no directory $(SRC_ROOT)/$(1)/ (IMPL=$(IMPL))"; fi >&2; exit 1; }

check-lab$(2): lab$(2) tools
	@$(RUN_TESTS) --lab $(2) --bin $(BUILD_ROOT)/lab$(2) \
	  --step "$(STEP)" --filter "$(T)" $(if $(V),--verbose) $(if $(ALL),,--first-failing-step) \
	  $$(if $$(TESTS),,--record $(BUILD_ROOT)/.results/lab$(2) \
	    --fingerprint "$$$$(checker/student/fingerprint $(SRC_ROOT) $(1))") \
	  --rerun "make check-lab$(2)$(IMPL_ARG)" \
	  $$(or $$(TESTS),labs/$(1)/tests/*.bats)

# the student's loop (checker/student/): hints, watch, reset, memcheck, trace
.PHONY: hint-lab$(2) watch-lab$(2) reset-lab$(2) memcheck-lab$(2) trace-lab$(2)
hint-lab$(2):
	@checker/student/hint $(1) "$(STEP)" $(if $(ALL),all)

watch-lab$(2): tools
	@$(DIE_WITH_MAKE) checker/student/watch $(SRC_ROOT)/$(1) -- \
	  $(MAKE) --no-print-directory check-lab$(2)

reset-lab$(2):
	@checker/student/reset $(1) $(SRC_ROOT)

memcheck-lab$(2): lab$(2) tools
	@$(DIE_WITH_MAKE) checker/student/memcheck --lab $(2) --bin $(BUILD_ROOT)/lab$(2) \
	  --src $(SRC_ROOT)/$(1) --step "$(STEP)" --filter "$(T)" \
	  $$(or $$(TESTS),labs/$(1)/tests/*.bats)

trace-lab$(2): lab$(2) tools
	@$(DIE_WITH_MAKE) checker/student/trace --lab $(2) --bin $(BUILD_ROOT)/lab$(2)

# make demo-labN: the reference's build by default (DEMO_IMPL, below)
.PHONY: demo-lab$(2) demo-run-lab$(2)
demo-lab$(2):
	@$$(MAKE) --no-print-directory demo-run-lab$(2) IMPL=$$(DEMO_IMPL)
demo-run-lab$(2): lab$(2) tools
	@$(DIE_WITH_MAKE) checker/student/demo --lab $(2) --bin $(BUILD_ROOT)/lab$(2)
endef
$(foreach l,$(LABS),$(eval $(call lab_rules,$(l),$(call lab_num,$(l)))))

# The help text of the per-lab targets (they are generated above).
# labN:        ## build lab N's programs into build/labs/labN/ (IMPL=: another tree, see Variables)
# check-labN:  ## build lab N, then run its tests up to the first failing step (STEP=k: steps 1..k; T=regex: matching tests; ALL=1: every step)
# hint-labN:   ## the next hint of step k of lab N, from the handout (STEP=k; ALL=1: all of them)
# watch-labN:  ## check lab N again each time you save one of its files (Ctrl-C stops)
# reset-labN:  ## put lab N's starter back, after saving your files to a dated backup
# memcheck-labN: ## lab N's tests with its programs under valgrind: leaks, memory errors
# trace-labN:  ## lab N's main scenario under strace -ff: the system calls that matter
# demo-labN:   ## lab N's story, live and narrated: commands, ps, syslog (IMPL=labs: yours)

.PHONY: help check test deps clean tools handout grade gradescope bench list-labs deps-instructor prairielearn autolab

# make demo, make demo-labN: a lab's scenario, narrated in the sandbox
# (checker/student/demo, checker/student/demo.d/labN.sh); the reference by default
# (where there is one), IMPL=labs: the student's
DEMO_IMPL = $(if $(filter command line environment,$(origin IMPL)),$(IMPL),$(if $(wildcard solutions/$(firstword $(LABS))),solution,labs))
.PHONY: demo
demo: demo-lab6  ## the capstone's scenario, live and narrated, step by step (IMPL=labs: your programs)

check: tools  ## run every lab's tests on your code (one line per lab at the end)
	@fail=0; summary=; \
	for n in $(NUMS); do \
	  if $(MAKE) --no-print-directory check-lab$$n; then r=passed; else r=FAILED; fail=1; fi; \
	  summary="$$summary  lab$$n: $$r\n"; \
	done; printf '\n%b' "$$summary"; exit $$fail

status: tools  ## every lab and step of your code: passed, failing, not started, and what next
	@$(DIE_WITH_MAKE) checker/student/status --src $(SRC_ROOT) --build $(BUILD_ROOT) \
	  --impl-arg "$(IMPL_ARG)" $(LABS)

test:  ## the kit's self-test: references pass, starters fail, mutants are caught
	@test -x checker/maint/selftest || { echo "make test is the maintainers' self-test;" \
	  "it is not part of the student handout ($(HELP_YOURS))." >&2; exit 2; }
	@$(DIE_WITH_MAKE) checker/maint/selftest

grade:  ## grade a class: make grade SUBS=DIR [GRADE='--labs 1-3 -j 4 -o OUT'] (see README)
	@test -x checker/instructor/grade || { echo "make grade is the instructor's;" \
	  "it is not part of the student handout ($(HELP_YOURS))." >&2; exit 2; }
	@test -n "$(SUBS)" || { echo "make grade SUBS=DIR: DIR holds one submission per student" \
	  "(a clone, a labs/ folder, a .tar.gz or a .zip, named by the student's id)" >&2; exit 2; }
	@$(DIE_WITH_MAKE) checker/instructor/grade $(GRADE) $(SUBS)

bench: tools  ## fork vs epoll LT/ET vs libuv: msgs/s, latency, CPU, memory; table, plot in build/bench/ (BENCH_QUICK=1: 10 s)
	@test -x checker/maint/bench || { echo "make bench is the maintainers' benchmark;" \
	  "it is not part of the student handout ($(HELP_YOURS))." >&2; exit 2; }
	@$(DIE_WITH_MAKE) checker/maint/bench $(if $(filter command line,$(origin IMPL)),--impl $(IMPL))

gradescope:  ## the Gradescope autograder: make gradescope [LABS=1-3] writes build/gradescope/autograder.zip (see README)
	@$(call instructor_only,gradescope)
	@$(DIE_WITH_MAKE) checker/instructor/grade-platform gradescope build/gradescope/autograder.zip $(PLATFORM_LABS)

prairielearn:  ## PrairieLearn's external grader: make prairielearn [LABS=1-3] writes build/prairielearn/
	@$(call instructor_only,prairielearn)
	@$(DIE_WITH_MAKE) checker/instructor/grade-platform prairielearn build/prairielearn $(PLATFORM_LABS)

autolab:  ## Autolab's autograder: make autolab [LABS=1-3] writes build/autolab/ (autograde.tar, autograde-Makefile)
	@$(call instructor_only,autolab)
	@$(DIE_WITH_MAKE) checker/instructor/grade-platform autolab build/autolab $(PLATFORM_LABS)

handout:  ## write the student tree build/handout/ (+ .tar.gz): no solutions, no hidden tests
	@test -x checker/maint/handout || { echo "make handout writes the student tree from the kit's own;" \
	  "this tree is the handout already ($(HELP_YOURS))." >&2; exit 2; }
	@checker/maint/handout

deps:  ## install what the labs and their checks need (Debian/Ubuntu, as root or with sudo)
	@checker/core/deps

deps-instructor:  ## that, and what grading, make test and make bench need
	@checker/core/deps --instructor

clean:  ## remove build/
	@rm -rf build 2>/dev/null || { echo "make: build/ holds files that are not yours to remove: an earlier run as another user (sudo make?) made them. The fix: sudo make clean" >&2; exit 2; }

# (the student handout has no self-test, grader, benchmark nor solutions:
# its help does not list them)
HELP_HIDDEN := $(if $(wildcard solutions),,test grade gradescope prairielearn autolab bench handout deps-instructor)
HELP_YOURS := make status says where you are; make help lists your targets
HELP_IMPL := $(if $(wildcard solutions),IMPL=solution (test the reference),IMPL=DIR (test another tree of labs))
# make gradescope|prairielearn|autolab: the labs (LABS=1-3 on the command
# line), all by default; and their word where the grader is not (the handout)
PLATFORM_LABS = $(if $(filter command line,$(origin LABS)),$(LABS),all)
instructor_only = test -x checker/instructor/grade-platform || { echo "make $(1) is the instructor's;" \
  "it is not part of the student handout ($(HELP_YOURS))." >&2; exit 2; }

# the labs, one NN-name a line: what the kit's scripts read (never LABS
# scraped from this file)
list-labs:
	@printf '%s\n' $(KIT_LABS)

# the labs whose programs lab NN-name runs (its USES.NN-name), on one line
list-uses-%:
	@echo $(USES.$*)

help:  ## list the targets
	@echo "Targets (N is a lab number: $(NUMS)):"
	@grep -hE '^#? ?[a-zA-Z%N-]+:.*## ' $(MAKEFILE_LIST) | \
	  sed -E 's/^# ?//; s/:.*## /\t/' | awk -F'\t' -v hidden=" $(HELP_HIDDEN) " \
	  'index(hidden, " " $$1 " ") == 0 { printf "  make %-15s %s\n", $$1, $$2 }'
	@echo "Variables: $(HELP_IMPL), STEP=k, T=regex, V=1 (verbose),"
	@echo "           TESTS='files.bats' (other test files than the lab's), ALL=1 (hint: all; check: every step)."
