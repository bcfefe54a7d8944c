#!/usr/bin/env bash
#
# test/deps.sh — install the Debian 12 packages that build, test and demo need.
#
# Idempotent: asks dpkg which packages are missing and, only if some are, runs
# `apt-get update` once and installs just those.  Silent when nothing is missing.
# Run as root (or as a user with sudo).  `make deps` runs this.
#
# To add a dependency, add it to PACKAGES below; nothing else needs to change.

set -euo pipefail

PACKAGES=(
	postgresql-common                      # pg_virtualenv, pg_createcluster, /usr/bin/pg_config
	postgresql-15                          # the server the tests and the demo run against
	postgresql-server-dev-15               # PGXS, pg_regress, pg_isolation_regress
	postgresql-15-pgtap                    # pgTAP (test/pgtap)
	postgresql-15-cron                     # pg_cron, for README's recipe (test/shell/pg_cron_recipe.sh)
	libtap-parser-sourcehandler-pgtap-perl # pg_prove
	clang                                  # libFuzzer harness (test/fuzz)
	libclang-rt-14-dev                     # libFuzzer and sanitizer runtimes for clang 14
	libhpdf-dev                            # libharu: invoice PDFs (src/pdf_layout.c; brings the runtime library)
	libqrencode-dev                        # libqrencode: the e-invoice's signed QR code on invoice PDFs (src/pdf_qr.c)
	zbar-tools                             # zbarimg reads the QR code back from a rendered PDF (test/shell/einvoice.sh)
	fonts-dejavu-core                      # DejaVu Sans, embedded in every PDF (₹, €, £ …)
	python3-jsonschema                     # META.json against the PGXN schema: test/shell/release.sh
	poppler-utils                          # pdftotext, pdfinfo, pdftoppm: test/shell/documents.sh, the demo
	qpdf                                   # qpdf --check: test/shell/documents.sh
	unzip                                  # unzip -l: test/shell/documents.sh
	sqlsmith                               # random SQL against the extension: test/shell/sqlsmith.sh
)

missing=()
for pkg in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$pkg")
done

[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then
		sudo=(sudo)
	else
		echo "deps: missing packages: ${missing[*]}" >&2
		echo "deps: run this as root (or install sudo) to install them" >&2
		exit 1
	fi
fi

echo "deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "deps: installed ${missing[*]}"
