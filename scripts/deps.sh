#!/bin/sh
# Installs the Debian packages kontor needs, only those missing; quiet when all are there.
set -e
PKGS="build-essential pkg-config clang clang-format libclang-rt-14-dev libncurses-dev libcurl4-openssl-dev
libsqlite3-dev sqlite3 libcjson-dev libsodium-dev libmicrohttpd-dev libgnutls28-dev zlib1g-dev
libicu-dev libcmocka-dev iso-codes tzdata tmux openssl curl wrk time bc bsdutils
libjpeg62-turbo-dev libpng-dev libwebp-dev imagemagick python3 libssl-dev
libchafa-dev libglib2.0-dev
libxml2-dev libxml2-utils libzip-dev libcairo2-dev libpango1.0-dev libqrencode-dev fonts-noto-core
fonts-noto-cjk poppler-utils locales faketime"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "make deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
