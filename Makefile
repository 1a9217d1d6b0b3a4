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

.PHONY: help run build test bench lint fmt-check vet check-deps fuzz clean web web-deps

help:
	@echo "make run        run the server (go run ./cmd/talus; flags via ARGS=...)"
	@echo "make build      build bin/talus"
	@echo "make test       go vet, npm ci for the real-client tests, then every test with -race"
	@echo "make bench      model and actors benchmarks, -count=$(COUNT) (feed to benchstat)"
	@echo "make lint       gofmt check, go vet and the import-direction check"
	@echo "make fuzz       run each Fuzz target for FUZZTIME=$(FUZZTIME)"
	@echo "make web        rebuild the web client (http/web/dist) from http/web/src"

run:
	$(GO) run ./cmd/talus $(ARGS)

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
