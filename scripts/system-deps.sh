#!/usr/bin/env bash
# Debian packages the tests need: Chromium for the browser tests (driven by playwright-core, never a downloaded browser);
# PHP 8.2 (CLI with mysqli, zip, xml, mbstring, curl, intl) for the real WordPress + WooCommerce of plugins/woocommerce,
# plus unzip, and PHP_CodeSniffer (php-codesniffer) for the PHP plugin's lint. MariaDB runs on these machines already (scripts/services.sh starts it when it does not).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
command -v phpcs >/dev/null 2>&1 || need+=(php-codesniffer)
if ! command -v php >/dev/null 2>&1 || ! php -r 'exit(extension_loaded("mysqli") && class_exists("ZipArchive") && extension_loaded("mbstring") && extension_loaded("dom") && extension_loaded("intl") && extension_loaded("curl") ? 0 : 1);' >/dev/null 2>&1; then
  need+=(php8.2-cli php8.2-mysql php8.2-xml php8.2-mbstring php8.2-curl php8.2-intl php8.2-zip php8.2-gd php8.2-bcmath)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "kassa: installing Debian packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
