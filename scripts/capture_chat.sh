#!/usr/bin/env bash
# Re-capture docs/chat-session.txt from real runs of `qa chat` in tmux.
#
#   scripts/capture_chat.sh [OUTPUT]      (default: docs/chat-session.txt)
#
# It copies corpus/ to a temporary folder, builds an index there (so paths print as
# ./corpus and ./index), runs `qa chat` in a private tmux server at 100x30, then 80x24
# and 60x20, sends the keys a user would, waits until each screen stops changing and
# appends it under a "===== title =====" header. A second run uses a fresh index folder
# (./fresh) after a file was added to the corpus. HOME and XDG_STATE_HOME point at a
# temporary folder, so the question history starts empty and is shared by both runs.
# Nothing outside the temporary folder and OUTPUT is written.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QA=${QA:-$ROOT/.venv/bin/qa}
OUT=$(realpath -m "${1:-$ROOT/docs/chat-session.txt}")
QUIET=${QUIET:-1.5}      # seconds a screen must stay unchanged to count as settled
TIMEOUT=${TIMEOUT:-60}   # seconds to wait for a screen before giving up

WORK=$(mktemp -d "${TMPDIR:-/tmp}/qa-session.XXXXXX")
SOCKET="qa-capture-$$"
PANE="chat"
T=(tmux -L "$SOCKET" -f /dev/null)
now_us() { echo "${EPOCHREALTIME//[.,]/}"; }  # microseconds, in bash alone
STARTED=$(now_us)
TMP_OUT="$WORK/chat-session.txt"

cleanup() {
    "${T[@]}" kill-server 2>/dev/null || true
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCKET"  # the private server's socket
    if [[ -z ${KEEP_WORK:-} ]]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi
}
trap cleanup EXIT

log() { printf '[capture %4ds] %s\n' "$(elapsed)" "$*" >&2; }
elapsed() { echo $(( ($(now_us) - STARTED) / 1000000 )); }
# over START SECONDS: true once SECONDS (a decimal) have passed since START (now_us)
over() { local s=${2%.*} f=${2#*.}; [[ $2 == *.* ]] || f=0; f=${f}000000; (( $(now_us) - $1 >= ${s:-0} * 1000000 + 10#${f:0:6} )); }
die() { log "ERROR: $*"; log "screen was:"; screen >&2 || true; exit 1; }

screen() { "${T[@]}" capture-pane -p -t "$PANE" | sed 's/[[:space:]]*$//'; }

# Words the chat shows while it is still working: a screen showing one has not settled.
BUSY='Searching the documents…|opening the index…|checking the corpus folder…|loading the question encoder…|Loading the index…'

# settle [TIMEOUT]: wait until the screen has not changed for $QUIET seconds and shows no BUSY words.
settle() {
    local limit=${1:-$TIMEOUT} last now since start
    start=$(now_us) since=$(now_us) last=$(screen)
    while :; do
        sleep 0.1
        now=$(screen)
        if [[ $now != "$last" ]]; then
            last=$now since=$(now_us)
        elif over "$since" "$QUIET" && ! grep -qE "$BUSY" <<<"$now"; then
            return 0
        fi
        if over "$start" "$limit"; then die "the screen did not settle in ${limit}s"; fi
    done
}

# wait_for REGEX [TIMEOUT]: until the screen matches (extended regex); wait_gone: until it does not.
_wait() {
    local want=$1 limit=${3:-$TIMEOUT} start; start=$(now_us)
    while :; do
        if grep -qE "$2" <<<"$(screen)"; then [[ $want == 1 ]] && return 0; else [[ $want == 0 ]] && return 0; fi
        sleep 0.05
        if over "$start" "$limit"; then die "/$2/ $([[ $want == 1 ]] && echo "not" || echo "still") on the screen after ${limit}s"; fi
    done
}
wait_for() { _wait 1 "$@"; }
wait_gone() { _wait 0 "$@"; }

# section TITLE: append the screen as it is now under its header.
section() {
    log "$1"
    { printf '===== %s =====\n' "$1"; screen; printf '\n'; } >>"$TMP_OUT"
}

# named keys: Enter, Tab, C-s, ... then a pause: Textual runs a key binding (Backspace, Ctrl+U) as an action,
# after printable keys that arrive in the same burst, so text typed at once would be edited out of order
keys() { "${T[@]}" send-keys -t "$PANE" "$@"; sleep 0.3; }
type_text() { "${T[@]}" send-keys -t "$PANE" -l "$1"; }  # literal text
ask() { type_text "$1"; keys Enter; settle; }
resize() { "${T[@]}" resize-window -t "$PANE" -x "$1" -y "$2"; settle; }

# start_chat COLS ROWS ARGS...: `qa chat ARGS` in the work folder; its exit status goes to chat.rc.
# (Its stderr stays on the terminal: Textual draws there.)
start_chat() {
    local cols=$1 rows=$2
    shift 2
    rm -f "$WORK/chat.rc"
    "${T[@]}" new-session -d -s "$PANE" -x "$cols" -y "$rows" -c "$WORK" \
        env TERM=xterm-256color HOME="$WORK/home" XDG_STATE_HOME="$WORK/home/.local/state" \
        bash -c '"$0" chat "$@"; echo $? >"'"$WORK"'/chat.rc"; sleep 600' "$QA" "$@"
}

# quit_chat: Ctrl+Q, then the chat must have exited with status 0 and printed nothing.
quit_chat() {
    keys C-q
    local start; start=$(now_us)
    until [[ -s $WORK/chat.rc ]]; do
        sleep 0.1
        if over "$start" "15"; then die "qa chat did not quit on Ctrl+Q"; fi
    done
    [[ $(cat "$WORK/chat.rc") == 0 ]] || die "qa chat exited with status $(cat "$WORK/chat.rc")"
    # what it printed once it left the full screen (a traceback, a warning): nothing is expected
    if grep -q '[^[:space:]]' <<<"$(screen)"; then die "qa chat printed something on quitting"; fi
    "${T[@]}" kill-session -t "$PANE"
}

# ---------------------------------------------------------------------------------------------
cp -r "$ROOT/corpus" "$WORK/corpus"
mkdir -p "$WORK/home"
cd "$WORK"
: >"$TMP_OUT"
log "building ./index in $WORK"
"$QA" index build --corpus ./corpus --index ./index >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }

# -- first run, 100x30 -------------------------------------------------------------------------
start_chat 100 30 --corpus ./corpus --index ./index
wait_for '^ qa ' 30   # the header: the first paint, taken at once while the index loads
section "first paint (the index still loads in a worker)"
wait_for 'corpus unchanged'
settle
section "index loaded"

ask "Who is the head of Venezuela's national assembly?"
section "answer 1 (100x30)"
ask "How many prisoners did Foro Penal confirm had been freed?"
section "answer 2"
ask "How many political prisoners have been released?"
section "answer 3: who says what, a card with each figure the documents give, who gave it and where (the quotes follow below it)"
ask "/timeline Americans released"
section "/timeline Americans released: what the documents say about it, earliest first, with what each date rests on"

keys Tab
settle
section "Tab: first card of the last answer (the timeline's first entry) focused"
keys C-c
wait_for 'clipboard'
settle
section "Ctrl+C on the card: says it was only sent to the terminal (no clipboard tool here)"
wait_gone "clipboard" 15   # the notice times out before the document opens
keys Enter
settle
section "Enter: document view at the quote"
keys Escape
settle
section "Esc: back in the conversation, the card still focused"
type_text "confirmed"
settle
section "typing with the card focused: every key goes to the question box"
keys Up
settle
section "Up: earlier question recalled"
keys C-u
ask "What is the price of a barrel of oil?"
section "refusal"

keys C-s
wait_for 'Save the conversation'
settle
section "ctrl+s: the file name, proposed in the current folder"
keys C-u
type_text "session.md"
keys Enter
wait_for 'Saved the conversation to'
settle
section "saved"
keys F1
wait_for 'Keys'
settle
section "F1 help"
keys Escape
settle

resize 80 24
section "resized to 80x24"
keys BTab
settle
keys Enter
settle
section "Shift+Tab, Enter: the refusal's nearest extracts expanded, at 80x24"

keys C-f
wait_for 'Only answer from documents'
settle
section "ctrl+f: filter dialog at 80x24"
type_text "reuters"
keys Enter
settle
ask "How many prisoners were freed?"
section "a question under a source filter that matches no document"

keys C-f
wait_for 'Only answer from documents'
settle
keys C-u Tab        # empty the source field, then on to "Dated on or after"
type_text "2026-01-15"
keys Enter
settle
section "a date filter: the undated documents it leaves out are counted"

keys C-f
wait_for 'Only answer from documents'
settle
keys Tab Tab Tab Tab  # source, since, until, then Apply, Clear
keys Enter
wait_for 'Filter cleared'
settle
printf 'Venezuela freed 12 more prisoners on Friday, Foro Penal said.\n' >"$WORK/corpus/zz_friday.txt"
ask "Who was freed on Friday?"
wait_for 'corpus changed'
settle
section "a file added to the corpus while the chat is open: noticed when asking"
keys C-r
wait_for 'The index now holds' 120
wait_for '6 documents.*corpus unchanged'
settle
section "ctrl+r: updated"

resize 60 20
keys F1
wait_for 'Keys'
settle
section "F1 help at 60x20 (it scrolls)"
keys PageDown
settle
section "PageDown in the help"
keys Escape
settle
quit_chat

log "the file ctrl+s wrote"
{ printf '===== %s =====\n' "the file ctrl+s wrote"; sed 's/[[:space:]]*$//' "$WORK/session.md"; printf '\n'; } >>"$TMP_OUT"

# -- second run, 80x24: a fresh index folder ---------------------------------------------------
start_chat 80 24 --corpus ./corpus --index ./fresh
wait_for 'Build the index now'
settle
keys Up
settle
section "second run, no index yet (80x24): an offer, not an error; Up recalls the last question of the first run"
keys C-u
type_text "How many prisoners did Foro Penal confirm had been freed?"
keys Enter
wait_for 'There is no index yet: build it'
keys C-r
wait_for 'embedding chunks.*[0-9]+%' 120   # the bar with a percentage, not only the pulse before the first batch
section "Ctrl+R: building, with a progress bar; the question waits"
wait_for 'corpus unchanged' 180
settle
section "built: the waiting question is answered"
quit_chat

# without the blank line after the last screen
head -c -1 "$TMP_OUT" >"$OUT"
log "wrote $OUT ($(grep -c '^===== ' "$OUT") sections) in $(elapsed)s"
