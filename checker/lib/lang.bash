# lang.bash - the language of the student's texts, for the tools that show them
# (sourced by run-tests and checker/student/*; bash only).
#
# kit_lang - "zh" or "en": KIT_LANG when it is set (zh..., en...), else "zh"
# where the locale (LC_ALL, LC_MESSAGES, LANG, the first set) is a zh_*
# one in UTF-8 (the texts are UTF-8: a zh_CN.GB18030 terminal would show
# them garbled, so it gets English unless KIT_LANG=zh).  The Chinese
# edition is in simplified characters, for zh_TW and zh_HK too.
kit_lang() {
	local l
	if [[ -n ${KIT_LANG-} ]]; then
		case $KIT_LANG in zh* | ZH*) echo zh ;; *) echo en ;; esac
		return
	fi
	l=${LC_ALL:-${LC_MESSAGES:-${LANG-}}}
	case $l in
	zh*.[Uu][Tt][Ff]-8* | zh*.[Uu][Tt][Ff]8*) echo zh ;;
	*) echo en ;;
	esac
}

# kit_text ROOT PATH - PATH (notes/NN-x.md, labs/NN-x/README.md, relative to
# ROOT) in the language of kit_lang: its Chinese edition (notes/zh/NN-x.md,
# labs/NN-x/README.zh.md) where that exists, else PATH itself
kit_text() {
	local zh
	if [[ $(kit_lang) == zh ]]; then
		case $2 in
		notes/zh/*) zh=$2 ;;
		notes/*) zh=notes/zh/${2#notes/} ;;
		*README.md) zh=${2%README.md}README.zh.md ;;
		*) zh=$2 ;;
		esac
		[[ -f $1/${zh%%#*} ]] && { echo "$zh"; return; }
	fi
	echo "$2"
}
