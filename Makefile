# invoice: PGXS build, plus the entry points of README's Quick start.
#
#   make demo    install what is missing, build, install, run the demo in a throwaway cluster
#   make test    install what is missing, build, install, run every test suite
#   make test-calendar   the whole suite at several dates of the test clock (README "Tests")
#   make test-long   the whole suite with a long sqlsmith pass (50,000 queries a role)
#   make bench   the benchmarks (see README "Benchmarks")

EXTENSION  = invoice
# The version lives in one place: default_version in invoice.control (META.json is checked
# against it by test/shell/release.sh).  README "Versions and upgrades".
EXTVERSION = $(shell sed -n "s/^default_version *= *'\(.*\)'.*/\1/p" $(EXTENSION).control)
MODULE_big = invoice
# The type's C code lives with the cents extension (cents/, its own library and install
# script; invoice requires it) and is linked into invoice.so as well: README "The cents extension".
CENTS_OBJS = cents/src/cents.o cents/src/cents_agg.o cents/src/cents_parse.o
OBJS       = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c))) $(CENTS_OBJS)
PG_CPPFLAGS = -I$(srcdir)/cents/src
# Built: the install script of the current version, from sql/ext/*.sql, and every upgrade
# script kept as parts, sql/upgrade/FROM--TO/*.sql.  Kept as they are (frozen, committed):
# the install scripts of released versions, sql/invoice--0.1.sql, … (as pgvector and pg_cron
# install every sql/<extension>--*.sql).
UPGRADES   = $(patsubst sql/upgrade/%,sql/$(EXTENSION)--%.sql,$(sort $(wildcard sql/upgrade/*--*)))
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql $(UPGRADES)
DATA       = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*.sql)) \
             $(wildcard sql/$(EXTENSION)--*.control)   # a released version's own settings
SHLIB_LINK += -lhpdf -lqrencode   # PDFs (libharu), QR codes (libqrencode): src/pdf_layout.c, src/pdf_qr.c

# pg_regress: every sql/*.sql but the install and upgrade scripts, in name order
REGRESS      = $(sort $(filter-out $(EXTENSION)--%,$(basename $(notdir $(wildcard sql/*.sql)))))
REGRESS_OPTS = --load-extension=cents --load-extension=$(EXTENSION)

ISOLATION      = $(sort $(basename $(notdir $(wildcard test/isolation/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=test/isolation/output_iso \
                 --load-extension=cents --load-extension=$(EXTENSION)

WERROR    ?= -Werror
PG_CFLAGS  = -Wall -Wextra $(WERROR) -Wno-unused-parameter
EXTRA_CLEAN = $(DATA_built) test/isolation/output_iso

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
else
all:
	@echo "PostgreSQL server headers are missing: run 'make deps' (or 'make demo' / 'make test')" >&2
	@exit 1
endif

# The cents extension: built, installed and cleaned with invoice.
.PHONY: cents-all cents-install cents-clean
all: cents-all
install: cents-install
clean: cents-clean
cents-all:
	$(MAKE) -C cents PG_CONFIG=$(PG_CONFIG)
cents-install:
	$(MAKE) -C cents PG_CONFIG=$(PG_CONFIG) install
cents-clean:
	$(MAKE) -C cents PG_CONFIG=$(PG_CONFIG) clean

# The install script is assembled from one file per concern, in name order.
sql/$(EXTENSION)--$(EXTVERSION).sql: $(sort $(wildcard sql/ext/*.sql))
	cat $^ > $@

# An upgrade script is assembled from its parts, sql/upgrade/FROM--TO/NN_*.sql, in name order.
.SECONDEXPANSION:
$(UPGRADES): sql/$(EXTENSION)--%.sql: $$(sort $$(wildcard sql/upgrade/%/*.sql))
	cat $^ > $@

.PHONY: deps demo test test-calendar test-long bench
deps:
	bash test/deps.sh
demo:
	bash test/demo.sh
test:
	bash test/run_all.sh
test-calendar:
	bash test/calendar.sh
test-long:
	SQLSMITH_QUERIES=$${SQLSMITH_QUERIES:-50000} bash test/run_all.sh
bench:
	bash test/bench/run.sh
