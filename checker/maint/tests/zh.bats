#!/usr/bin/env bats
# The Chinese edition kept in step (checker/maint/selftest): checker/maint/zh-check
# passes on the kit, and fails, naming what to translate, on a small kit of
# its own (a note and a handout, English and Chinese, in a git repository)
# where an English text changed without its translation, or a twin lost a
# section id, a code block, a hint or a link.

load '../../lib/kit'

ZH_CHECK=$KIT_ROOT/checker/maint/zh-check

setup() {
	kit_setup
	MINI=$BATS_TEST_TMPDIR/mini
	mkdir -p "$MINI/notes/zh" "$MINI/labs/01-x"
	cat >"$MINI/notes/01-x.md" <<-'EOF'
	# Lab 1 notes: x

	## Sessions

	A session is a set of process groups.

	```
	ps -o pid,sid
	```

	## The umask

	See [step 1](../labs/01-x/README.md#step-1-first).
	EOF
	cat >"$MINI/labs/01-x/README.md" <<-'EOF'
	# Lab 1: x

	## Step 1: first

	Do it.

	> Hint 1: `getsid(0)`.

	> Hint 2: `umask(0)`.

	Read: [sessions](../../notes/01-x.md#sessions).

	## Step 2: second

	> Hint 1: `chdir`.
	EOF
	cat >"$MINI/notes/zh/01-x.md" <<-'EOF'
	<!-- 译自 notes/01-x.md，原文 sha256 HASH -->
	<a id="lab-1-notes-x"></a>
	# 实验 1 笔记：x

	<a id="sessions"></a>
	## 会话

	会话（session）是一组进程组。

	```
	ps -o pid,sid
	```

	<a id="the-umask"></a>
	## umask

	见[第 1 步](../../labs/01-x/README.zh.md#step-1-first)。
	EOF
	cat >"$MINI/labs/01-x/README.zh.md" <<-'EOF'
	<!-- 译自 labs/01-x/README.md，原文 sha256 HASH -->
	<a id="lab-1-x"></a>
	# 实验 1：x

	<a id="step-1-first"></a>
	## 第 1 步：第一步

	做吧。

	> 提示 1：`getsid(0)`。

	> 提示 2：`umask(0)`。

	阅读：[会话](../../notes/zh/01-x.md#sessions)。

	<a id="step-2-second"></a>
	## 第 2 步：第二步

	> 提示 1：`chdir`。
	EOF
	"$ZH_CHECK" --root "$MINI" --stamp notes/zh/01-x.md labs/01-x/README.zh.md >/dev/null
	git -C "$MINI" init -q
	git -C "$MINI" add -A
	git -C "$MINI" -c user.name=kit -c user.email=kit@localhost commit -qm mini
}

teardown() {
	kit_teardown
}

# zh_check - run zh-check on the small kit (in its root, as make test does)
zh_check() {
	run bash -c 'cd "$1" && "$2"' _ "$MINI" "$ZH_CHECK"
}

@test "zh-check: every student text of the kit has its Chinese twin, in step with the English" {
	run "$ZH_CHECK" --root "$KIT_ROOT"
	(( status == 0 )) ||
		explain "zh-check passes: every note and handout translated, stamped with the English as it is, the same sections, code, hints and links" \
			"exit $status: $output" "checker/maint/zh-check (its header says what it checks)"
}

@test "zh-check: the small kit, in step, passes" {
	zh_check
	(( status == 0 )) || explain "exit 0" "exit $status: $output" "checker/maint/tests/zh.bats (setup)"
}

@test "zh-check: an English section changed without its translation fails, naming that section and the way to mark it done" {
	sed -i 's/a set of process groups/a set of process groups, made by setsid()/' "$MINI/notes/01-x.md"
	zh_check
	(( status == 1 )) && [[ $output == *'notes/zh/01-x.md: notes/01-x.md changed since it was translated'*'translate again: #sessions;'* ]] &&
		[[ $output != *'#the-umask'* && $output == *'--stamp notes/zh/01-x.md'* ]] ||
		explain "exit 1, naming #sessions (and not #the-umask) and zh-check --stamp" "exit $status: $output" \
			"checker/maint/zh-check"
	# translated again, and stamped: in step
	sed -i 's/是一组进程组。/是一组进程组，由 setsid() 创建。/' "$MINI/notes/zh/01-x.md"
	run "$ZH_CHECK" --root "$MINI" --stamp notes/zh/01-x.md
	zh_check
	(( status == 0 )) || explain "exit 0 once stamped" "exit $status: $output" "checker/maint/zh-check"
}

@test "zh-check: a twin's missing section id, changed code block, missing hint or link to the English is named" {
	local zn=$MINI/notes/zh/01-x.md zr=$MINI/labs/01-x/README.zh.md
	sed -i 's/<a id="the-umask"><\/a>/<a id="umask"><\/a>/' "$zn"
	sed -i 's/^ps -o pid,sid$/ps -o pid/' "$zn"
	sed -i '/提示 2/d' "$zr"
	sed -i 's#notes/zh/01-x.md#notes/01-x.md#' "$zr"
	zh_check
	(( status == 1 )) &&
		[[ $output == *'section 3: the English has #the-umask, the Chinese <a id> is #umask'* ]] &&
		[[ $output == *'code block 1 differs from the English one (which begins "ps -o pid,sid")'* ]] &&
		[[ $output == *'steps (step, hints, read paragraphs) [(1, 1, 1), (2, 1, 0)]; the English has [(1, 2, 1), (2, 1, 0)]'* ]] &&
		[[ $output == *'leads to the English notes/01-x.md'* ]] ||
		explain "exit 1, naming the section id, the code block, the hints of step 1 and the link" \
			"exit $status: $output" "checker/maint/zh-check"
}

@test "zh-check: a missing twin, a stamp for another file and a bad argument are named" {
	rm "$MINI/labs/01-x/README.zh.md"
	sed -i '1s#notes/01-x.md#notes/02-y.md#' "$MINI/notes/zh/01-x.md"
	zh_check
	(( status == 1 )) && [[ $output == *'labs/01-x/README.zh.md: missing (the Chinese edition of labs/01-x/README.md)'* ]] &&
		[[ $output == *'notes/zh/01-x.md: line 1 says it translates notes/02-y.md, not notes/01-x.md'* ]] ||
		explain "exit 1, naming the missing twin and the wrong stamp" "exit $status: $output" "checker/maint/zh-check"
	run "$ZH_CHECK" --root "$MINI" --frobnicate
	(( status == 2 )) && [[ $output == *'unknown option --frobnicate'* ]] ||
		explain "exit 2: unknown option" "exit $status: $output" "checker/maint/zh-check"
	run "$ZH_CHECK" --root "$BATS_TEST_TMPDIR/nowhere"
	(( status == 2 )) && [[ $output == *'has no notes/'* ]] ||
		explain "exit 2: no kit there" "exit $status: $output" "checker/maint/zh-check"
}

@test "zh-check: a stamp of a version no commit holds says how to compare; --stamp alone, a CRLF twin and a broken link of the glossary are named" {
	local zn=$MINI/notes/zh/01-x.md
	# a stamp no commit of the English has
	sed -i "1s/sha256 [0-9a-f]*/sha256 000000000000/" "$zn"
	zh_check
	(( status == 1 )) && [[ $output == *'no commit holds that version: compare the two (git log -p -- notes/01-x.md)'*'--stamp notes/zh/01-x.md'* ]] ||
		explain "exit 1: no commit holds it, compare with git log -p, then --stamp" "exit $status: $output" "checker/maint/zh-check"
	# --stamp without a FILE would mark every twin done
	run "$ZH_CHECK" --root "$MINI" --stamp
	(( status == 2 )) && [[ $output == *'--stamp wants the Chinese FILEs'* ]] ||
		explain "exit 2: --stamp wants FILEs" "exit $status: $output" "checker/maint/zh-check"
	# a broken stamp line is replaced, not kept below a new one
	sed -i '1s/.*/<!-- 译自 notes\/01-x.md, sha256 bad -->/' "$zn"
	run "$ZH_CHECK" --root "$MINI" --stamp notes/zh/01-x.md
	[[ $(grep -c '译自' "$zn") == 1 ]] || explain "one stamp line" "$(head -n 3 "$zn")" "checker/maint/zh-check"
	# CRLF line ends
	sed -i 's/$/\r/' "$MINI/labs/01-x/README.zh.md"
	# a Chinese text that is no twin (the glossary): its links are checked
	printf '# 术语表\n\n[会话](01-x.md#no-such-section)\n' >"$MINI/notes/zh/glossary.md"
	zh_check
	(( status == 1 )) && [[ $output == *'README.zh.md: has carriage returns'* ]] &&
		[[ $output == *'notes/zh/glossary.md: the link (01-x.md#no-such-section) names #no-such-section'* ]] ||
		explain "exit 1, naming the CRLF twin and the glossary's broken link" "exit $status: $output" "checker/maint/zh-check"
}

@test "zh-check: a heading inside a code block is no section; GitHub's anchors of headings with code, links and entities" {
	cat >>"$MINI/notes/01-x.md" <<-'EOF'

	## The `<pid>` file, [see](https://example.org) &amp; more

	````
	```c
	## not a heading
	```
	````
	EOF
	cat >>"$MINI/notes/zh/01-x.md" <<-'EOF'

	<a id="the-pid-file-see--more"></a>
	## `<pid>` 文件，[见](https://example.org) &amp; 更多

	````
	```c
	## not a heading
	```
	````
	EOF
	run "$ZH_CHECK" --root "$MINI" --stamp notes/zh/01-x.md
	zh_check
	(( status == 0 )) || explain "exit 0: one more section, #the-pid-file-see--more, and the fenced '## not a heading' no heading" \
		"exit $status: $output" "checker/maint/zh-check"
}
