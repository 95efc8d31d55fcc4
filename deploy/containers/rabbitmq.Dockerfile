# Stand-in for rabbitmq:3-management where no registry serves it: Debian's RabbitMQ (3.10) with the
# management plugin on the local Debian 12 base. Honours RABBITMQ_DEFAULT_USER/PASS as the official
# image does; the node name derives from the hostname, so compose fixes it.
ARG BASE
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends rabbitmq-server \
 && rm -rf /var/lib/apt/lists/* \
 && rabbitmq-plugins enable --offline rabbitmq_management >/dev/null \
 && install -d -o rabbitmq -g rabbitmq /var/lib/rabbitmq /var/log/rabbitmq
COPY rabbitmq-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
# Logs to stdout like the official image; HOME holds the Erlang cookie the CLI tools share.
ENV HOME=/var/lib/rabbitmq \
    RABBITMQ_LOGS=- \
    RABBITMQ_CONFIG_FILE=/var/lib/rabbitmq/rabbitmq
USER rabbitmq
VOLUME /var/lib/rabbitmq
EXPOSE 5672 15672
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["rabbitmq-server"]
