#!/usr/bin/env bash
#
# test/shell/release.sh — the release metadata agree (README "Versions and upgrades"):
#   META.json is valid PGXN Meta Spec 1.0.0 (test/meta/pgxn-meta-1.0.0.schema.json, checked by
#   Debian's python3-jsonschema); its versions are default_version of invoice.control (the one
#   place the version lives) as SemVer (0.2 → 0.2.0) and its file is the install script the
#   Makefile builds; every released version has its frozen install script and an upgrade path
#   to the default version; CHANGELOG.md has an entry for every version; no file carries a
#   merge's conflict markers.
# No database needed.  TAP output.

set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
# shellcheck source=test/shell/lib/tap.sh
. test/shell/lib/tap.sh

version=$(sed -n "s/^default_version *= *'\(.*\)'.*/\1/p" invoice.control)
if out=$(/usr/bin/python3 - META.json test/meta/pgxn-meta-1.0.0.schema.json 2>&1 <<'PY'
import json, sys
import jsonschema
meta = json.load(open(sys.argv[1]))
schema = json.load(open(sys.argv[2]))
errors = sorted(jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).iter_errors(meta),
                key=lambda e: list(e.path))
for e in errors:
    print("/".join(map(str, e.path)) + ": " + e.message)
sys.exit(1 if errors else 0)
PY
); then
	ok "META.json is valid PGXN Meta Spec 1.0.0"
else
	not_ok "META.json is valid PGXN Meta Spec 1.0.0" "$out"
fi

meta=$(/usr/bin/python3 -c 'import json; m = json.load(open("META.json")); p = m["provides"]["invoice"]
print(m["version"], p["version"], p["file"])')
check "META.json's versions and file are those of invoice.control's default_version $version" \
	"$meta" "$version.0 $version.0 sql/invoice--$version.sql"
check "META.json's license is the one LICENSE states (PostgreSQL License)" \
	"$(/usr/bin/python3 -c 'import json; print(json.load(open("META.json"))["license"])') $(head -n 1 LICENSE)" \
	"postgresql PostgreSQL License"
cents_version=$(sed -n "s/^default_version *= *'\(.*\)'.*/\1/p" cents/cents.control)
meta=$(/usr/bin/python3 -c 'import json; p = json.load(open("META.json"))["provides"]["cents"]; print(p["version"], p["file"])')
check "META.json provides cents $cents_version (cents/cents.control) with its install script" \
	"$meta $([ -f "cents/sql/cents--$cents_version.sql" ] && echo present)" \
	"$cents_version.0 cents/sql/cents--$cents_version.sql present"
check "invoice requires cents (invoice.control)" "$(sed -n "s/^requires *= *'\(.*\)'.*/\1/p" invoice.control)" "cents"

# released versions: the frozen install scripts other than the current version's
released=$(find sql -maxdepth 1 -name 'invoice--*.sql' ! -name 'invoice--*--*' ! -name "invoice--$version.sql" |
	sed 's/.*invoice--\(.*\)\.sql/\1/' | sort -V)
for r in $released; do
	if git ls-files --error-unmatch "sql/invoice--$r.sql" >/dev/null 2>&1; then
		ok "released $r: its install script sql/invoice--$r.sql is committed (frozen)"
	else
		not_ok "released $r: its install script sql/invoice--$r.sql is committed (frozen)"
	fi
	# an upgrade path r → … → version through the upgrade scripts the build provides
	at=$r hops=0
	while [ "$at" != "$version" ] && [ $hops -lt 20 ]; do
		next=$(find sql/upgrade -maxdepth 1 -type d -name "$at--*" | sed "s|.*/$at--||" | sort -V | tail -n 1)
		[ -n "$next" ] || break
		at=$next hops=$((hops + 1))
	done
	check "released $r: sql/upgrade/ leads from it to $version" "$at" "$version"
done
for v in $released $version; do
	if grep -qE "^## \[?$v\]?( |$)" CHANGELOG.md; then
		ok "CHANGELOG.md has an entry for $v"
	else
		not_ok "CHANGELOG.md has an entry for $v"
	fi
done

# A merge's conflict markers left in a file (README once shipped some): none in the files of the
# release (git's list when this is a clone, else every file under the tree but .git)
if git rev-parse --git-dir >/dev/null 2>&1; then
	files=$(git ls-files)
else
	files=$(find . -path ./.git -prune -o -type f -print)
fi
markers=$(printf '%s\n' "$files" | grep -vE '\.(so|o|bc|pdf|png|zip)$' |
	xargs -d '\n' grep -nE '^(<{7}|>{7}) ' 2>/dev/null | head -n 5)
check "no merge conflict markers in the release's files" "$markers" ""

echo "1..$n"
[ "$failed" -eq 0 ]
