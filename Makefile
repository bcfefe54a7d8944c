# invoice: PGXS build, plus the entry points of README's Quick start.
#
#   make demo    install what is missing, build, install, run the demo in a throwaway cluster
#   make test    install what is missing, build, install, run every test suite
#   make test-calendar   the whole suite at several dates of the test clock (README "Tests")
#   make bench   the benchmarks (see README "Benchmarks")

EXTENSION  = invoice
EXTVERSION = 0.1
MODULE_big = invoice
OBJS       = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
SHLIB_LINK += -lhpdf -lzip -lqrencode   # PDFs (libharu), ZIP archives (libzip), QR codes (libqrencode): src/pdf.c, src/zip.c, src/pdf_qr.c

# pg_regress: every sql/*.sql but the generated install script, in name order
REGRESS      = $(sort $(filter-out $(EXTENSION)--%,$(basename $(notdir $(wildcard sql/*.sql)))))
REGRESS_OPTS = --load-extension=$(EXTENSION)

ISOLATION      = $(sort $(basename $(notdir $(wildcard test/isolation/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=test/isolation/output_iso \
                 --load-extension=$(EXTENSION)

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

# The install script is assembled from one file per concern, in name order.
$(DATA_built): $(sort $(wildcard sql/ext/*.sql))
	cat $^ > $@

.PHONY: deps demo test test-calendar bench
deps:
	bash test/deps.sh
demo:
	bash test/demo.sh
test:
	bash test/run_all.sh
test-calendar:
	bash test/calendar.sh
bench:
	bash test/bench/run.sh
