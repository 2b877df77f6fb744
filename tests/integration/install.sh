#!/bin/sh
# `make install` puts the programs and man pages under PREFIX inside DESTDIR, and
# `make uninstall` takes them away again; kontord's skeleton answers --version and --help.
. "$(dirname "$0")/../lib.sh"

san=""
case "$T_BUILD" in *build-san) san="SAN=1" ;; esac
root="$T_TMP/root"
t_run "make install into DESTDIR" 0 make -s -C "$T_ROOT" install $san PREFIX=/opt/k DESTDIR="$root"
[ -x "$root/opt/k/bin/kontor" ] && t_ok "kontor installed" || t_fail "kontor installed" "missing"
[ -x "$root/opt/k/bin/kontord" ] && t_ok "kontord installed" || t_fail "kontord installed" "missing"
[ -f "$root/opt/k/share/man/man1/kontor.1" ] && t_ok "kontor.1 installed" || t_fail "kontor.1 installed" "missing"
t_run "installed kontor runs" 0 "$root/opt/k/bin/kontor" --version
t_run "make uninstall from DESTDIR" 0 make -s -C "$T_ROOT" uninstall $san PREFIX=/opt/k DESTDIR="$root"
left=$(find "$root" -type f | wc -l)
t_eq "uninstall leaves no files" "$left" "0"

t_run "kontord --version" 0 "$KONTORD" --version
t_match "kontord names itself" "$T_OUT" '^kontord [0-9]'
t_run "kontord --help" 0 "$KONTORD" --help
t_match "kontord help lists serve" "$T_OUT" 'serve'
t_run "kontord with an unknown command is a usage error" 2 "$KONTORD" frobnicate

t_done
