# Talus Tally server. `make help` lists the targets.

GO       ?= go
NPM      ?= npm
FUZZTIME ?= 10s
COUNT    ?= 5

# The npm packages the end-to-end tests drive (the real socket.io-client),
# installed from the lock file; npm ci writes .package-lock.json last.
JS_DEPS := test/js/node_modules/.package-lock.json
# The web client's build tools (esbuild) and its bundled socket.io-client.
WEB_DEPS := http/web/node_modules/.package-lock.json
# The Node reference server make load measures against, from its lock file.
REF_DEPS := test/reference/node_modules/.package-lock.json

# make load: every count times LOAD_SCALE, LOAD_RUNS runs per server and
# scenario, LOAD_ONLY a comma-separated list of scenarios (default all).
LOAD_SCALE ?= 1
LOAD_RUNS  ?= 3
LOAD_ONLY  ?=
# Longest wait, over the whole suite, for a quiet machine before runs.
LOAD_QUIET_BUDGET ?= 3m

.PHONY: help run build test bench lint fmt-check vet check-deps fuzz clean web web-deps load load-quick cluster

help:
	@echo "make run        run the server (go run ./cmd/talus; flags via ARGS=...)"
	@echo "make cluster    run 3 servers as one cluster on 127.0.0.1:5001-5003 (data in CLUSTER_DIR; Ctrl-C stops them)"
	@echo "make build      build bin/talus"
	@echo "make test       go vet, npm ci for the real-client tests, then every test with -race"
	@echo "make bench      model and actors benchmarks, -count=$(COUNT) (feed to benchstat)"
	@echo "make lint       gofmt check, go vet and the import-direction check"
	@echo "make fuzz       run each Fuzz target for FUZZTIME=$(FUZZTIME)"
	@echo "make web        rebuild the web client (http/web/dist) from http/web/src"
	@echo "make load       our server against the Node reference, every scenario (LOAD_SCALE, LOAD_RUNS, LOAD_ONLY)"
	@echo "make load-quick the same at LOAD_SCALE=0.1, one run each: a smoke test of the load tooling"

run:
	$(GO) run ./cmd/talus $(ARGS)

# make cluster: three servers of one cluster on this machine, HTTP on
# 127.0.0.1:5001-5003, cluster routes on 127.0.0.1:6201-6203, each with
# its data in $(CLUSTER_DIR)/nN. Ctrl-C (or SIGTERM) stops all three, each
# cleanly; started again on the same directories, they carry on.
CLUSTER_DIR ?= data-cluster

cluster: build
	@echo "3 servers: http://127.0.0.1:5001 http://127.0.0.1:5002 http://127.0.0.1:5003 (any serves any session; Ctrl-C stops them)"
	@pids=""; trap 'kill $$pids 2>/dev/null; wait' INT TERM; \
	for i in 1 2 3; do \
		peers=""; for j in 1 2 3; do [ $$j = $$i ] || peers="$$peers,127.0.0.1:620$$j"; done; \
		bin/talus -addr 127.0.0.1:500$$i -data-dir $(CLUSTER_DIR)/n$$i -cluster 127.0.0.1:620$$i \
			-cluster-peers $${peers#,} -cluster-node n$$i $(ARGS) & pids="$$pids $$!"; \
	done; wait

build:
	$(GO) build -o bin/talus ./cmd/talus

test: vet $(JS_DEPS) $(WEB_DEPS)
	$(GO) test -race -count=1 ./...

$(JS_DEPS): test/js/package.json test/js/package-lock.json
	$(NPM) ci --prefix test/js --no-audit --no-fund

# The built client is committed (go build embeds it and needs no node);
# make web rebuilds it after a change to http/web/src, and
# http/web/bundle_test.go fails until it is rebuilt and committed.
web: $(WEB_DEPS)
	node http/web/build.mjs

web-deps: $(WEB_DEPS)

$(WEB_DEPS): http/web/package.json http/web/package-lock.json
	$(NPM) ci --prefix http/web --no-audit --no-fund

# Builds our server and the load tool, installs the reference, then runs
# the suite (cmd/talus-load/suite.go): every server and load on 127.0.0.1.
load: build $(REF_DEPS)
	$(GO) build -o bin/talus-load ./cmd/talus-load
	bin/talus-load suite -talus bin/talus -reference test/reference/server.js \
		-scale $(LOAD_SCALE) -runs $(LOAD_RUNS) -only '$(LOAD_ONLY)' -quiet-budget $(LOAD_QUIET_BUDGET)

load-quick:
	$(MAKE) load LOAD_SCALE=0.1 LOAD_RUNS=1 LOAD_QUIET_BUDGET=20s

$(REF_DEPS): test/reference/package.json test/reference/package-lock.json
	$(NPM) ci --prefix test/reference --no-audit --no-fund

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=$(COUNT) ./model/ ./actors/

lint: fmt-check vet check-deps

fmt-check:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# Imports point inward: the domain and the session layer know nothing of
# HTTP or sockets (direct imports only: protoactor itself pulls in net/http),
# and the REST layer does not reach into the socket layer.
check-deps:
	! $(GO) list -f '{{join .Imports "\n"}}' ./model/... ./actors/... | grep -E '/http$$|/ws(/|$$)|net/http|websocket'
	! $(GO) list -f '{{join .Imports "\n"}}' ./http/... | grep -E 'talus-tally/server/ws(/|$$)|websocket'
	! $(GO) list -f '{{join .Imports "\n"}}' ./model/... | grep -E 'talus-tally/server/(actors|http|ws)'

# Each Fuzz target of each package, one after the other (go test -fuzz takes
# one target at a time).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$target"; \
			$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

clean:
	rm -rf bin
