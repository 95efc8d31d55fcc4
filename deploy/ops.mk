# Operator targets: docker compose on one machine, kubectl on a k3s cluster, and the deployment lint.
# Included by the top-level Makefile (`-include deploy/ops.mk`); `make help` lists every target
# with a `## description` on its line. Variables can be overridden: `make k8s-apply IMAGE_TAG=abc123`.

OPS_ROOT := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))/..
# Docker when its engine answers (the `docker` client alone may be installed), else Podman. Evaluated
# only by the targets that use it.
CONTAINER_ENGINE ?= $(shell docker info >/dev/null 2>&1 && echo docker || \
  { command -v podman >/dev/null 2>&1 && echo podman || echo docker; })
# Compose v2 (`docker compose`) when the plugin is there, else Debian's v1 `docker-compose` (with Podman:
# over its Docker API socket, see deploy/containers/podman.sh).
COMPOSE ?= $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
COMPOSE_FILE_PATH ?= $(OPS_ROOT)/docker-compose.yml
# v1 has no --wait (there deploy/containers/compose-up.sh waits), and reads `deploy: replicas` only
# with --compatibility.
COMPOSE_WAIT ?= $(if $(findstring docker compose,$(COMPOSE)),--wait,)
COMPOSE_FLAGS ?= $(if $(findstring docker compose,$(COMPOSE)),,--compatibility)
# Podman's own builder writes OCI images, which drop HEALTHCHECK: ask for Docker's format.
IMAGE_FORMAT ?= $(if $(findstring podman,$(CONTAINER_ENGINE)),--format docker,)
# With Podman: the containers.conf this machine needs (PODMAN_ENV), and its Docker API socket for the
# compose tools (PODMAN_API); see deploy/containers/podman.sh.
PODMAN_ENV = $(if $(findstring podman,$(CONTAINER_ENGINE)),eval "$$($(OPS_ROOT)/deploy/containers/podman.sh setup)";,)
PODMAN_API = $(if $(findstring podman,$(CONTAINER_ENGINE)),eval "$$($(OPS_ROOT)/deploy/containers/podman.sh start)" &&,)
# Base images from elsewhere than Docker Hub (`make test-containers` makes local ones when it is
# unreachable): DEBIAN_IMAGE=... NODE_IMAGE=...
DEBIAN_IMAGE ?=
NODE_IMAGE ?=
IMAGE_BUILD_ARGS ?= $(if $(DEBIAN_IMAGE),--build-arg DEBIAN_IMAGE=$(DEBIAN_IMAGE),) \
  $(if $(NODE_IMAGE),--build-arg NODE_IMAGE=$(NODE_IMAGE),)
KUBECTL ?= kubectl
K8S_NAMESPACE ?= parity
K8S_OVERLAY ?= $(OPS_ROOT)/deploy/k8s/overlays/k3s
K8S_ENV_FILE ?= $(OPS_ROOT)/deploy/k8s/secrets.env
# Images are pinned to a commit; CD (deploy.yml) pushes REGISTRY/parity-*:<sha> for every commit on main.
REGISTRY ?= ghcr.io/parity
IMAGE_TAG ?= $(shell git -C $(OPS_ROOT) rev-parse HEAD 2>/dev/null || echo local)
PARITY_IMAGES := operational decisional cli web
SERVICES ?=

.PHONY: up down logs ps images k8s-apply k8s-diff k8s-status k8s-logs-operational \
        k8s-logs-decisional k8s-restart-operational k8s-restart-decisional k8s-secrets \
        k8s-rebalance-now lint-deploy

up: ## Start the compose stack (.env from .env.example on first run), build images, wait until healthy
	@test -f $(OPS_ROOT)/.env || { cp $(OPS_ROOT)/.env.example $(OPS_ROOT)/.env && \
	  echo "created .env from .env.example: replace its placeholder secrets before real use"; }
	@if [ "$(CONTAINER_ENGINE)" = podman ]; then \
	  $(PODMAN_API) COMPOSE="$(COMPOSE) $(COMPOSE_FLAGS)" $(OPS_ROOT)/deploy/containers/compose-up.sh $(OPS_ROOT); \
	else \
	  cd $(OPS_ROOT) && $(COMPOSE) $(COMPOSE_FLAGS) up --build --detach $(COMPOSE_WAIT); \
	fi

down: ## Stop the compose stack (volumes are kept; `docker compose down -v` drops the data)
	cd $(OPS_ROOT) && $(PODMAN_API) $(COMPOSE) $(COMPOSE_FLAGS) down
	@if [ "$(CONTAINER_ENGINE)" = podman ]; then $(OPS_ROOT)/deploy/containers/healthchecks.sh stop \
	  "$$(sed -n 's/^COMPOSE_PROJECT_NAME=//p' $(OPS_ROOT)/.env 2>/dev/null)"; fi

logs: ## Follow the compose stack's logs (SERVICES="operational decisional" to narrow)
	cd $(OPS_ROOT) && $(PODMAN_API) $(COMPOSE) $(COMPOSE_FLAGS) logs --follow --tail=200 $(SERVICES)

ps: ## Show the compose services and their health
	cd $(OPS_ROOT) && $(PODMAN_API) $(COMPOSE) $(COMPOSE_FLAGS) ps

images: ## Build the four images (Docker, else Podman), tagged parity-<name>:$(IMAGE_TAG), labelled with the commit
	@$(PODMAN_ENV) engine="$(CONTAINER_ENGINE)"; for name in $(PARITY_IMAGES); do \
	  echo "building parity-$$name:$(IMAGE_TAG) with $$engine"; \
	  $$engine build $(IMAGE_FORMAT) --file $(OPS_ROOT)/deploy/docker/$$name.Dockerfile $(IMAGE_BUILD_ARGS) \
	    --build-arg PARITY_REVISION=$(IMAGE_TAG) --label org.opencontainers.image.revision=$(IMAGE_TAG) \
	    --tag parity-$$name:$(IMAGE_TAG) $(OPS_ROOT) || exit 1; \
	done; \
	$$engine image ls --filter 'reference=parity-*:$(IMAGE_TAG)'

k8s-apply: ## Apply the k3s overlay with images pinned to $(REGISTRY)/parity-*:$(IMAGE_TAG)
	@dir=$$($(OPS_ROOT)/deploy/k8s/with-images.sh $(K8S_OVERLAY) $(REGISTRY) $(IMAGE_TAG)) && \
	  $(KUBECTL) apply -k $$dir; rc=$$?; rm -rf $$dir; exit $$rc

k8s-diff: ## Show what k8s-apply would change in the cluster
	@dir=$$($(OPS_ROOT)/deploy/k8s/with-images.sh $(K8S_OVERLAY) $(REGISTRY) $(IMAGE_TAG)) && \
	  $(KUBECTL) diff -k $$dir; rc=$$?; rm -rf $$dir; [ $$rc -le 1 ] # 1 only means "differences"

k8s-status: ## Deployments, Pods, CronJobs, recent Jobs and autoscalers in the parity namespace
	$(KUBECTL) -n $(K8S_NAMESPACE) get deployments,pods,services,cronjobs,jobs,hpa,pdb -o wide

k8s-logs-operational: ## Follow parity-operational's logs (all replicas)
	$(KUBECTL) -n $(K8S_NAMESPACE) logs --follow --tail=200 --prefix --max-log-requests=10 \
	  -l app.kubernetes.io/component=operational --all-containers

k8s-logs-decisional: ## Follow parity-decisional's logs (all replicas)
	$(KUBECTL) -n $(K8S_NAMESPACE) logs --follow --tail=200 --prefix --max-log-requests=20 \
	  -l app.kubernetes.io/component=decisional

k8s-restart-operational: ## Rolling restart of parity-operational, waiting for it to finish
	$(KUBECTL) -n $(K8S_NAMESPACE) rollout restart deployment/operational
	$(KUBECTL) -n $(K8S_NAMESPACE) rollout status deployment/operational --timeout=300s

k8s-restart-decisional: ## Rolling restart of parity-decisional, waiting for it to finish
	$(KUBECTL) -n $(K8S_NAMESPACE) rollout restart deployment/decisional
	$(KUBECTL) -n $(K8S_NAMESPACE) rollout status deployment/decisional --timeout=300s

k8s-secrets: ## Create or update the Secret parity-secrets from $(K8S_ENV_FILE) (see secrets.env.example)
	@test -f $(K8S_ENV_FILE) || { echo "missing $(K8S_ENV_FILE): copy deploy/k8s/secrets.env.example and fill it in"; exit 1; }
	$(KUBECTL) create namespace $(K8S_NAMESPACE) --dry-run=client -o yaml | $(KUBECTL) apply -f -
	$(KUBECTL) -n $(K8S_NAMESPACE) create secret generic parity-secrets \
	  --from-env-file=$(K8S_ENV_FILE) --dry-run=client -o yaml | $(KUBECTL) apply -f -

k8s-rebalance-now: ## Run the monthly rebalance CronJob once, now, and wait for its Job
	@job=parity-rebalance-manual-$$(date +%s) && \
	  $(KUBECTL) -n $(K8S_NAMESPACE) create job $$job --from=cronjob/parity-rebalance && \
	  $(KUBECTL) -n $(K8S_NAMESPACE) wait --for=condition=complete --timeout=600s job/$$job && \
	  $(KUBECTL) -n $(K8S_NAMESPACE) logs job/$$job

lint-deploy: ## Validate compose, YAML, Kubernetes manifests, workflows, Dockerfiles, alerts (offline)
	$(OPS_ROOT)/deploy/lint.sh

.PHONY: ops-status
ops-status: build ## Last run of each job type, data freshness, queue depths and dead letters (`make run`'s instance, or DATABASE_URL + PARITY_INTERNAL_URL + INTERNAL_SECRET)
	@PARITY_ROOT="$${PARITY_ROOT:-$(CURDIR)}" $(BUILD_DIR)/bin/parity ops-status
